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
      if (!entry.payloadKnown) empty++;
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

describe("bounded state cache", () => {
  it("keeps few states and regenerates evicted ones from blocks, identical to the originals", () => {
    const { node, run } = steppedNode({ maxStates: 4 });
    const roots: { root: string; stateRoot: string }[] = [];
    node.chain.on("block", (entry) =>
      roots.push({ root: entry.root, stateRoot: toHex(entry.postBlock.hashTreeRoot()) }),
    );
    run(1, 30);
    const chain = node.chain;
    assert.ok(chain.states.size <= chain.states.maxStates + 4, "only pinned states beyond the bound");
    for (const { root, stateRoot } of roots.slice(-20)) {
      const entry = chain.getEntry(root);
      if (!entry) continue; // pruned by finality
      assert.equal(toHex(entry.postBlock.hashTreeRoot()), stateRoot, `state of ${root}`);
    }
  });

  it("a chain with room for only 4 states still imports, reorgs and answers for old blocks", () => {
    const { node, run } = steppedNode({ maxStates: 4 });
    run(1, 20);
    assert.ok(node.chain.states.size <= 4 + 4, `${node.chain.states.size} states cached`);
    assert.equal(node.chain.head().slot, 20);
    // The block of slot 3 is far out of the cache: its state comes back by replay
    let entry = node.chain.getEntry(node.chain.head().root);
    while (entry && entry.slot > 3) entry = node.chain.getEntry(toHex(entry.block.message.parent_root));
    assert.ok(entry);
    assert.equal(entry.postBlock.state.slot, 3);
  });
});
