import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PayloadStatus } from "@turnstile/fork-choice";
import { BeaconNode } from "@turnstile/node";
import {
  createChainContext,
  createGenesisState,
  interopBuyerSecretKey,
  interopSecretKey,
  minimalChainConfig,
} from "@turnstile/ticket-state";

function steppedNode(withhold: number, seed = 7) {
  const ctx = createChainContext(minimalChainConfig);
  const validatorKeys = new Map(Array.from({ length: 64 }, (_, i) => [i, interopSecretKey(i)] as const));
  const buyerKeys = new Map(Array.from({ length: 4 }, (_, i) => [i, interopBuyerSecretKey(i)] as const));
  const genesis = createGenesisState(ctx, {
    genesisTime: 0,
    validatorPubkeys: [...validatorKeys.values()].map((k) => k.toPublicKey().toBytes()),
    buyers: [...buyerKeys.values()].map((k) => ({ pubkey: k.toPublicKey().toBytes(), balance: 1000e9 })),
  });
  let time = 0;
  let r = seed;
  const random = () => {
    r = (r * 1103515245 + 12345) % 2 ** 31;
    return r / 2 ** 31;
  };
  const node = new BeaconNode({
    ctx,
    anchor: genesis,
    validatorKeys,
    buyerKeys,
    buyerCount: 4,
    now: () => time,
    random,
    misbehaviour: { withholdCommitment: withhold, withholdPayload: withhold },
  });
  const rejected: string[] = [];
  node.on("rejected", (kind, code) => rejected.push(`${kind}:${code}`));
  const seconds = ctx.config.SECONDS_PER_SLOT;
  const run = (slots: number) => {
    for (let slot = 1; slot <= slots; slot++) {
      for (let interval = 0; interval < 4; interval++) {
        time = slot * seconds + (interval * seconds) / 4;
        node.onInterval(slot, interval);
      }
    }
  };
  return { node, run, rejected, ctx };
}

describe("BeaconNode in one process", () => {
  it("proposes, attests, sells and uses tickets, reveals payloads and finalizes", () => {
    const { node, run, rejected, ctx } = steppedNode(0);
    run(5 * ctx.preset.SLOTS_PER_EPOCH);
    const head = node.chain.head();
    assert.equal(head.slot, 5 * ctx.preset.SLOTS_PER_EPOCH);
    assert.equal(head.payloadStatus, PayloadStatus.FULL);
    assert.ok(node.chain.forkChoice.finalized.epoch >= 3, `finalized ${node.chain.forkChoice.finalized.epoch}`);
    const state = head.state.state;
    assert.ok(state.next_ticket_id > 10, "tickets were sold");
    // Every slot of the last epoch was built by a ticket holder and its payload revealed
    assert.deepEqual(rejected, []);
  });

  it("survives holders that withhold commitments and payloads: EMPTY slots, still finalizing", () => {
    const { node, run, ctx } = steppedNode(0.3);
    run(5 * ctx.preset.SLOTS_PER_EPOCH);
    let empty = 0;
    let root = node.chain.head().root;
    for (let entry = node.chain.getEntry(root); entry && entry.block.message.slot > 0; ) {
      if (entry.postPayload === null) empty++;
      root = `0x${Buffer.from(entry.block.message.parent_root).toString("hex")}`;
      entry = node.chain.getEntry(root);
    }
    assert.ok(empty > 0, "some slots had no payload");
    assert.ok(node.chain.forkChoice.finalized.epoch >= 3);
  });
});
