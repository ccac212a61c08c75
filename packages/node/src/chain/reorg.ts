import type { Head, ProtoBlock } from "@turnstile/fork-choice";

/** A head change onto a branch that does not contain the old head (the Beacon API's `chain_reorg`). */
export interface Reorg {
  slot: number;
  /** Slots from the common ancestor up to the old head: how much of our chain was abandoned. */
  depth: number;
  oldHeadRoot: string;
  newHeadRoot: string;
  /** Undefined when the common ancestor was already pruned (below finality: cannot happen for a valid head). */
  commonAncestorRoot: string | undefined;
}

/** What finding a reorg needs of the block tree. */
export interface BlockTree {
  getBlock(root: string): ProtoBlock | undefined;
  isDescendant(ancestorRoot: string, root: string): boolean;
}

/**
 * The reorg the move from `oldHead` to `newHead` makes, or null when the new head descends from
 * the old one (a payload's status changing on the same block is no reorg either).
 */
export function findReorg(tree: BlockTree, oldHead: Head, newHead: Head): Reorg | null {
  if (tree.isDescendant(oldHead.root, newHead.root)) return null;
  let ancestor = tree.getBlock(oldHead.root);
  while (ancestor !== undefined && !tree.isDescendant(ancestor.root, newHead.root))
    ancestor = tree.getBlock(ancestor.parentRoot);
  return {
    slot: newHead.slot,
    depth: oldHead.slot - (ancestor?.slot ?? 0),
    oldHeadRoot: oldHead.root,
    newHeadRoot: newHead.root,
    commonAncestorRoot: ancestor?.root,
  };
}
