import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PayloadStatus } from "@turnstile/fork-choice";
import { toHex } from "@turnstile/ticket-state";
import { steppedNode } from "./helpers.ts";

describe("BeaconNode in one process", () => {
  it("proposes, attests, sells and uses tickets, reveals payloads and finalizes", () => {
    const { node, run, rejected, ctx } = steppedNode();
    run(1, 5 * ctx.preset.SLOTS_PER_EPOCH);
    const head = node.chain.head();
    assert.equal(head.slot, 5 * ctx.preset.SLOTS_PER_EPOCH);
    assert.equal(head.payloadStatus, PayloadStatus.FULL);
    assert.ok(node.chain.forkChoice.finalized.epoch >= 3, `finalized ${node.chain.forkChoice.finalized.epoch}`);
    assert.ok(head.state.state.next_ticket_id > 10, "tickets were sold");
    assert.deepEqual(rejected, []);
  });

  it("survives holders that withhold commitments and payloads: EMPTY slots, still finalizing", () => {
    const { node, run, ctx } = steppedNode({ withhold: 0.3 });
    run(1, 5 * ctx.preset.SLOTS_PER_EPOCH);
    let empty = 0;
    for (let entry = node.chain.getEntry(node.chain.head().root); entry && entry.block.message.slot > 0; ) {
      if (entry.postPayload === null) empty++;
      entry = node.chain.getEntry(toHex(entry.block.message.parent_root));
    }
    assert.ok(empty > 0, "some slots had no payload");
    assert.ok(node.chain.forkChoice.finalized.epoch >= 3);
  });

  it("rejects garbage with a typed error and keeps going", () => {
    const { node, run } = steppedNode();
    run(1, 3);
    const entry = node.chain.getEntry(node.chain.head().root)!;
    const tampered = structuredClone(entry.block);
    tampered.message.slot += 1;
    assert.equal(node.importBlock(tampered), false);
    assert.equal(node.importBlock(entry.block), false, "a known block is not imported twice");
    run(4, 6);
    assert.equal(node.chain.head().slot, 6);
  });
});
