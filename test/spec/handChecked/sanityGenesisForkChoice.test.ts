/**
 * Hand-checked `sanity`, `genesis` and `fork_choice` cases (minimal preset, default config).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PayloadStatus } from "@turnstile/fork-choice";
import { CachedBeaconState, toHex } from "@turnstile/ticket-state";
import { asArray, asRecord, asString, asUint } from "../lib/files.ts";
import { ForkChoiceHarness } from "../lib/forkChoice.ts";
import { ETH, type LoadedCase, loadCase } from "./load.ts";

/** Replay a fork_choice case's steps up to (not including) its `untilChecks`-th checks step. */
function replay(c: LoadedCase, untilChecks: number): ForkChoiceHarness {
  const { ctx, dir } = c;
  const h = new ForkChoiceHarness(
    CachedBeaconState.fromBytes(ctx, dir.ssz("anchor_state")),
    dir.decode("anchor_block", ctx.ssz.BeaconBlock),
  );
  let seen = 0;
  for (const raw of asArray(dir.yaml("steps"), "steps")) {
    const step = asRecord(raw, "step");
    if ("checks" in step && seen++ === untilChecks) return h;
    if ("tick" in step) h.tick(asUint(step.tick, "tick"));
    else if ("block" in step) h.block(dir.decode(asString(step.block, "block"), ctx.ssz.SignedBeaconBlock));
    else if ("attestation" in step) h.attestation(dir.decode(asString(step.attestation, "a"), ctx.ssz.Attestation));
    else if ("execution_payload" in step) {
      h.executionPayload(dir.decode(asString(step.execution_payload, "e"), ctx.ssz.SignedExecutionPayloadEnvelope));
    }
  }
  throw new Error(`case has fewer than ${untilChecks + 1} checks`);
}

describe("hand-checked sanity, genesis and fork_choice", () => {
  it("sanity/slots/slots_2: two slots later, with the pre-state's root recorded", () => {
    const c = loadCase("sanity", "slots", "slots_2");
    const { pre, post } = c;
    assert.equal(post.slot, pre.slot + 2);
    assert.deepEqual(post.state_roots[pre.slot % 64], c.ctx.ssz.BeaconState.hashTreeRoot(pre));
    assert.deepEqual(
      post.block_roots[pre.slot % 64],
      c.ctx.ssz.BeaconBlockHeader.hashTreeRoot(pre.latest_block_header),
    );
    // no block in the two slots: the same block root repeats
    assert.deepEqual(post.block_roots[(pre.slot + 1) % 64], post.block_roots[pre.slot % 64]);
  });

  it("sanity/blocks/market_lifecycle: which payloads were revealed, tickets issued, nonces used", () => {
    const { pre, post, meta } = loadCase("sanity", "blocks", "market_lifecycle");
    // blocks in slots 1-12 except the missed slot 6
    assert.equal(asUint(meta.blocks_count, "blocks_count"), 11);
    assert.deepEqual([pre.slot, post.slot, post.latest_block_header.slot], [0, 12, 12]);
    // revealed: every slot with a block but 8 (payload withheld) and 9 (empty commitment); 6 had no block
    const revealed = Array.from({ length: 13 }, (_, s) => post.execution_payload_availability.get(s));
    assert.deepEqual(
      revealed.map((r, s) => (r ? s : -1)).filter((s) => s >= 0),
      [0, 1, 2, 3, 4, 5, 7, 10, 11, 12],
    );
    // 12 genesis tickets + 2 (slot 3) + 4 + 1 (slot 11)
    assert.equal(post.next_ticket_id, 19);
    // three purchases (slot 3: buyer 0; slot 11: buyers 1 and 2) and one transfer, one nonce each
    assert.deepEqual(
      post.buyers.map((b) => b.nonce).reduce((n, x) => n + x, 0),
      4,
    );
    assert.deepEqual([post.buyers[0].nonce, post.buyers[1].nonce >= 1, post.buyers[2].nonce >= 1], [1, true, true]);
  });

  it("genesis/initialization/interop_64_validators_4_buyers", () => {
    const c = loadCase("genesis", "initialization", "interop_64_validators_4_buyers");
    const state = c.state("state");
    assert.equal(state.validators.length, 64);
    assert.ok(state.balances.every((b) => b === 32 * ETH));
    assert.deepEqual(
      state.genesis_validators_root,
      c.ctx.ssz.BeaconState.fields.validators.hashTreeRoot(state.validators),
    );
    // 3 tickets each at INITIAL_TICKET_PRICE 0.01 ETH: 100 - 0.03 = 99.97 ETH
    assert.ok(state.buyers.every((b) => b.balance === 99_970_000_000 && b.nonce === 0));
    // 12 tickets, ids 0-11; slots 1-8 drew one each: 4 stay pooled
    assert.equal(state.next_ticket_id, 12);
    assert.equal(state.ticket_pool.length, 4);
    const drawn = state.ticket_assignments.filter((a) => a.slot >= 1).map((a) => a.ticket.ticket_id);
    assert.equal(drawn.length, 8);
    assert.deepEqual(
      [...drawn, ...state.ticket_pool.map((t) => t.ticket_id)].sort((a, b) => a - b),
      [...Array(12).keys()],
    );
    assert.equal(state.ticket_assignments[0].ticket.ticket_id, Number.POSITIVE_INFINITY, "slot 0 is self-built");
    assert.equal(state.ticket_price, 10_000_000);
    assert.ok(state.execution_payload_availability.get(0));
  });

  it("fork_choice/get_head/fork_decided_by_votes: slot 4's committee (8 × 32 ETH) outweighs nothing", () => {
    const c = loadCase("fork_choice", "get_head", "fork_decided_by_votes");
    const before = replay(c, 0);
    const first = before.checks();
    // boost: (2048 ETH // 8 slots) * 40 // 100 = 102.4 ETH on the first block of slot 4
    assert.equal(before.fc.proposerScore(), 102_400_000_000);
    assert.equal(before.fc.getWeight(first.head.root, PayloadStatus.PENDING), 102_400_000_000);
    const after = replay(c, 1);
    const second = after.checks();
    assert.notEqual(second.head.root, first.head.root);
    // slot 4 has 2 committees of 4: 8 validators vote for the second block
    assert.equal(after.fc.getWeight(second.head.root, PayloadStatus.PENDING), 8 * 32 * ETH);
    assert.equal(after.fc.getWeight(first.head.root, PayloadStatus.PENDING), 0);
    assert.equal(second.proposer_boost_root, toHex(new Uint8Array(32)));
  });

  it("fork_choice/get_head/linear_chain_with_payloads: justified epoch 3, finalized epoch 2 at slot 33", () => {
    const c = loadCase("fork_choice", "get_head", "linear_chain_with_payloads");
    const steps = asArray(c.dir.yaml("steps"), "steps");
    const last = asRecord(asRecord(steps.at(-1), "step").checks, "checks");
    // 4 epochs + 1 slot of full participation: epoch 3 justified (by the pulled-up tip), epoch 2 finalized
    assert.equal(asUint(asRecord(last.head, "head").slot, "slot"), 33);
    assert.equal(asUint(asRecord(last.justified_checkpoint, "j").epoch, "epoch"), 3);
    assert.equal(asUint(asRecord(last.finalized_checkpoint, "f").epoch, "epoch"), 2);
    assert.equal(asUint(asRecord(last.head, "head").payload_status, "status"), PayloadStatus.FULL);
  });
});
