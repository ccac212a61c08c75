import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  anchorFromState,
  attestationVote,
  blockImportFromState,
  ForkChoice,
  justifiedBalancesFromState,
  PayloadStatus,
  payloadAttestationVote,
} from "@turnstile/fork-choice";
import { createChainContext, minimalChainConfig, stateTransition, toHex } from "@turnstile/ticket-state";
import { DevChain } from "@turnstile/ticket-state/dev";

describe("fork choice fed by a real chain", () => {
  it("follows the dev chain's head, payload status and checkpoints through withheld payloads and missed slots", () => {
    const ctx = createChainContext(minimalChainConfig);
    const chain = new DevChain(ctx, { validatorCount: 64, buyerCount: 2, initialTicketsPerBuyer: 3 });
    const genesis = chain.head;
    const fc = new ForkChoice(
      {
        slotsPerEpoch: ctx.preset.SLOTS_PER_EPOCH,
        secondsPerSlot: ctx.config.SECONDS_PER_SLOT,
        ptcSize: ctx.preset.PTC_SIZE,
        genesisTime: genesis.state.genesis_time,
      },
      anchorFromState(genesis),
      () => justifiedBalancesFromState(genesis),
    );
    for (let i = 0; i < 40; i++) {
      const pre = chain.head;
      const slot = pre.state.slot + 1;
      const result = chain.advance({ skipBlock: i === 13, withholdPayload: i === 21 });
      fc.onTick(genesis.state.genesis_time + slot * ctx.config.SECONDS_PER_SLOT);
      if (result.block === null) continue;
      const postBlock = stateTransition(pre, result.block);
      fc.onBlock(blockImportFromState(result.block, postBlock));
      for (const a of result.block.message.body.attestations) fc.onAttestation(attestationVote(postBlock, a), true);
      for (const p of result.block.message.body.payload_attestations)
        fc.onPayloadAttestation(payloadAttestationVote(p), true);
      if (result.envelope) fc.onExecutionPayload(toHex(result.envelope.message.beacon_block_root));

      const head = fc.getHead();
      assert.equal(head.root, toHex(chain.headBlockRoot), `head at slot ${slot}`);
      assert.equal(
        head.payloadStatus,
        result.envelope ? PayloadStatus.FULL : PayloadStatus.EMPTY,
        `payload at ${slot}`,
      );
    }
    assert.equal(fc.justified.epoch, chain.head.state.current_justified_checkpoint.epoch);
    assert.ok(fc.finalized.epoch >= 2, `finalized epoch ${fc.finalized.epoch}`);
    assert.equal(fc.finalized.root, toHex(chain.head.state.finalized_checkpoint.root));
  });
});
