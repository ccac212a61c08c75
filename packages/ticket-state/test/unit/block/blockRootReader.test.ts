import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BlockRootReader, getBlockRoot, getBlockRootAtSlot, processSlotsCopy } from "@turnstile/ticket-state";
import { devChain } from "../../utils/chain.ts";

describe("BlockRootReader", () => {
  const chain = devChain();
  for (let i = 0; i < 10; i++) chain.advance();
  // Two empty slots: three slots share the latest block's root
  const cs = processSlotsCopy(chain.head, chain.head.state.slot + 3);
  const { ctx, state } = cs;

  it("answers as get_block_root_at_slot does, reading each slot's root once", () => {
    const reader = new BlockRootReader(ctx, state);
    for (let slot = 0; slot < state.slot; slot++) {
      const root = reader.atSlot(slot);
      assert.deepEqual(root, getBlockRootAtSlot(ctx, state, slot), `slot ${slot}`);
      assert.equal(reader.atSlot(slot), root, `slot ${slot} is read once`);
    }
    assert.deepEqual(reader.atEpoch(1), getBlockRoot(ctx, state, 1));
  });

  it("refuses the slots get_block_root_at_slot refuses", () => {
    const reader = new BlockRootReader(ctx, state);
    assert.throws(() => reader.atSlot(state.slot), /no block root/);
    assert.throws(() => getBlockRootAtSlot(ctx, state, state.slot), /no block root/);
  });
});
