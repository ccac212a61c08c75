import type { BlockEntry } from "@turnstile/node";
import { toHex } from "@turnstile/ticket-state";
import type { steppedNode } from "./helpers.ts";

type Stepped = ReturnType<typeof steppedNode>;

/**
 * Make `node`'s head reorg at `slot + 1`. `node` and `rival` ran the same slots up to `slot - 1`
 * (stepped nodes are deterministic, so their chains are the same). `node` proposes at `slot` and runs
 * nothing more of it (no votes for that block); `rival` skips `slot` and proposes at `slot + 1` on the
 * block of `slot - 1`. Imported by `node` at the start of `slot + 1`, the rival block is timely, and its
 * proposer boost outweighs the unvoted block of `slot`: the head moves to a block that does not descend
 * from the old head.
 */
export function reorgOneBlock(
  node: Stepped,
  rival: Stepped,
  slot: number,
): { orphaned: BlockEntry; winner: BlockEntry } {
  node.setSlot(slot);
  node.node.onInterval(slot, 0);
  const orphaned = node.node.chain.getEntry(node.node.chain.head().root)!;
  if (orphaned.slot !== slot) throw new Error(`no block proposed at ${slot}`);
  rival.setSlot(slot + 1);
  rival.node.onInterval(slot + 1, 0);
  const rivalHead = rival.node.chain.getEntry(rival.node.chain.head().root)!;
  if (
    rivalHead.slot !== slot + 1 ||
    toHex(rivalHead.block.message.parent_root) !== toHex(orphaned.block.message.parent_root)
  )
    throw new Error(`the rival did not build on the block of ${slot - 1}`);
  node.setSlot(slot + 1);
  const winner = node.node.importBlock(rivalHead.block);
  return { orphaned, winner };
}
