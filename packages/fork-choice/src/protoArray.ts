/** Payload status of a fork-choice node, ordered as in Gloas (the value is also the tiebreak rank). */
export const PayloadStatus = { PENDING: 0, EMPTY: 1, FULL: 2 } as const;
export type PayloadStatus = (typeof PayloadStatus)[keyof typeof PayloadStatus];

export interface CheckpointHex {
  epoch: number;
  root: string;
}

/** What fork choice keeps of a block: the same object is shared by its three nodes. */
export interface ProtoBlock {
  root: string;
  parentRoot: string;
  slot: number;
  stateRoot: string;
  /** The execution block hash the block's commitment named (all zero: empty commitment). */
  committedBlockHash: string;
  /** The commitment's parent block hash: equal to the parent's committed hash iff the block builds on the parent's FULL variant. */
  parentBlockHash: string;
  justified: CheckpointHex;
  finalized: CheckpointHex;
  unrealizedJustified: CheckpointHex;
  unrealizedFinalized: CheckpointHex;
  /** The payload's envelope has been imported: the FULL variant exists. */
  payloadKnown: boolean;
  /** Members of the block slot's PTC (PTC_SIZE, or fewer on a small registry): the timeliness quorum is half of it. */
  ptcLength: number;
  proposerIndex: number;
  /** Set by the store: the block arrived in its own slot before the PTC voted (Gloas `block_timeliness`). */
  ptcTimely?: boolean;
  /** Set by the store: the execution layer found the block's payload INVALID (its FULL variant is out). */
  payloadInvalid?: boolean;
  /** Set by the store: the block builds on an invalid payload's FULL variant (or descends from one): all its variants are out. */
  executionInvalid?: boolean;
}

export interface ProtoNode {
  block: ProtoBlock;
  status: PayloadStatus;
  parent: number | undefined;
  weight: number;
  bestChild: number | undefined;
  bestDescendant: number | undefined;
}

/** How the store judges viability and ties; supplied by ForkChoice for each pass. */
export interface HeadContext {
  currentSlot: number;
  isBlockViable(block: ProtoBlock): boolean;
  /** Gloas `should_extend_payload`: the tiebreak between FULL and EMPTY of the previous slot's block. */
  shouldExtendPayload(block: ProtoBlock): boolean;
}

/**
 * Proto-array over (block, payload status) nodes. Each block inserts three consecutive nodes:
 * PENDING, then EMPTY and FULL as its children; a child block's PENDING node hangs under the
 * parent's EMPTY or FULL node. Votes arrive as weight deltas per node; one backward pass adds
 * them up the tree, a second picks every node's best child and best descendant.
 */
export class ProtoArray {
  nodes: ProtoNode[] = [];
  /** Block root → index of its PENDING node (EMPTY is +1, FULL is +2). */
  indices = new Map<string, number>();

  static pendingIndexOf(index: number, status: PayloadStatus): number {
    return index - status;
  }

  hasBlock(root: string): boolean {
    return this.indices.has(root);
  }

  getBlock(root: string): ProtoBlock | undefined {
    const index = this.indices.get(root);
    return index === undefined ? undefined : this.nodes[index].block;
  }

  /** Index of node (root, status), or undefined. */
  nodeIndex(root: string, status: PayloadStatus): number | undefined {
    const index = this.indices.get(root);
    return index === undefined ? undefined : index + status;
  }

  /** Insert a block: its parent must be known (or it is the anchor). */
  addBlock(block: ProtoBlock, parentFull: boolean | undefined): void {
    if (this.indices.has(block.root)) return;
    const parentPending = this.indices.get(block.parentRoot);
    const parent =
      parentPending === undefined || parentFull === undefined
        ? undefined
        : parentPending + (parentFull ? PayloadStatus.FULL : PayloadStatus.EMPTY);
    const pending = this.nodes.length;
    this.indices.set(block.root, pending);
    const node = (status: PayloadStatus, parentIndex: number | undefined): ProtoNode => ({
      block,
      status,
      parent: parentIndex,
      weight: 0,
      bestChild: undefined,
      bestDescendant: undefined,
    });
    this.nodes.push(
      node(PayloadStatus.PENDING, parent),
      node(PayloadStatus.EMPTY, pending),
      node(PayloadStatus.FULL, pending),
    );
  }

  /**
   * Apply weight deltas (one per node) and recompute best children and descendants. Runs over the
   * whole array each time: ties between FULL and EMPTY depend on the current slot and PTC votes,
   * which change without any vote moving.
   */
  applyScoreChanges(deltas: number[], hc: HeadContext): void {
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      node.weight += deltas[i];
      if (node.parent !== undefined) deltas[node.parent] += deltas[i];
    }
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const parent = this.nodes[i].parent;
      if (parent !== undefined) this.maybeUpdateBestChildAndDescendant(parent, i, hc);
    }
  }

  /** The best descendant of `start` (itself when it has none). */
  findHead(start: number): number {
    const node = this.nodes[start];
    return node.bestDescendant ?? start;
  }

  isViable(node: ProtoNode, hc: HeadContext): boolean {
    if (node.block.executionInvalid) return false;
    if (node.status === PayloadStatus.FULL && (!node.block.payloadKnown || node.block.payloadInvalid)) return false;
    return hc.isBlockViable(node.block);
  }

  private leadsToViableHead(index: number, hc: HeadContext): boolean {
    const node = this.nodes[index];
    if (node.bestDescendant !== undefined && this.isViable(this.nodes[node.bestDescendant], hc)) return true;
    return this.isViable(node, hc);
  }

  /** > 0 when child `a` beats child `b` of the same parent. */
  private compareSiblings(a: ProtoNode, b: ProtoNode, hc: HeadContext): number {
    if (a.status !== PayloadStatus.PENDING) {
      // EMPTY vs FULL of one block: for the previous slot's block only the tiebreaker counts
      const previousSlot = a.block.slot + 1 === hc.currentSlot;
      const weightA = previousSlot ? 0 : a.weight;
      const weightB = previousSlot ? 0 : b.weight;
      if (weightA !== weightB) return weightA - weightB;
      return this.tiebreaker(a, previousSlot, hc) - this.tiebreaker(b, previousSlot, hc);
    }
    if (a.weight !== b.weight) return a.weight - b.weight;
    return a.block.root < b.block.root ? -1 : a.block.root > b.block.root ? 1 : 0;
  }

  /** Gloas `get_payload_status_tiebreaker`. */
  private tiebreaker(node: ProtoNode, previousSlot: boolean, hc: HeadContext): number {
    if (!previousSlot) return node.status;
    if (node.status === PayloadStatus.EMPTY) return 1;
    return hc.shouldExtendPayload(node.block) ? 2 : 0;
  }

  private maybeUpdateBestChildAndDescendant(parentIndex: number, childIndex: number, hc: HeadContext): void {
    const parent = this.nodes[parentIndex];
    const child = this.nodes[childIndex];
    const childLeads = this.leadsToViableHead(childIndex, hc);
    const toChild = () => {
      parent.bestChild = childIndex;
      parent.bestDescendant = child.bestDescendant ?? childIndex;
    };
    const toNone = () => {
      parent.bestChild = undefined;
      parent.bestDescendant = undefined;
    };
    if (parent.bestChild === undefined) {
      if (childLeads) toChild();
      return;
    }
    if (parent.bestChild === childIndex) {
      if (childLeads) toChild();
      else toNone();
      return;
    }
    const bestLeads = this.leadsToViableHead(parent.bestChild, hc);
    if (childLeads && !bestLeads) toChild();
    else if (childLeads && bestLeads && this.compareSiblings(child, this.nodes[parent.bestChild], hc) > 0) toChild();
    else if (!bestLeads && !childLeads) toNone();
  }

  /** Whether node `index` is out for execution reasons: an invalid payload's FULL variant, or a block on one. */
  isExecutionInvalid(index: number): boolean {
    const node = this.nodes[index];
    return (
      node.block.executionInvalid === true || (node.status === PayloadStatus.FULL && node.block.payloadInvalid === true)
    );
  }

  /**
   * Mark every block whose chain passes through an execution-invalid node as `executionInvalid`
   * (one forward pass: parents come before their children). Returns the roots newly marked.
   */
  invalidateDescendants(): string[] {
    const marked: string[] = [];
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      if (node.status !== PayloadStatus.PENDING || node.block.executionInvalid || node.parent === undefined) continue;
      if (this.isExecutionInvalid(node.parent)) {
        node.block.executionInvalid = true;
        marked.push(node.block.root);
      }
    }
    return marked;
  }

  /** Whether `root` is `ancestorRoot` or descends from it. */
  isDescendant(ancestorRoot: string, root: string): boolean {
    const ancestor = this.indices.get(ancestorRoot);
    let index = this.indices.get(root);
    if (ancestor === undefined || index === undefined) return false;
    while (index !== undefined && index >= ancestor) {
      if (index === ancestor) return true;
      index = this.nodes[index].parent;
    }
    return false;
  }

  /** The block on `root`'s chain at or before `slot` (`get_ancestor`'s root). */
  ancestorAtSlot(root: string, slot: number): ProtoBlock | undefined {
    let index = this.indices.get(root);
    while (index !== undefined) {
      const node = this.nodes[index];
      if (node.status === PayloadStatus.PENDING && node.block.slot <= slot) return node.block;
      index = node.parent;
    }
    return undefined;
  }

  /**
   * Drop every node inserted before the finalized block's nodes (its ancestors and the forks that
   * left the chain before it). Returns the number of nodes removed, by which vote indices shift.
   */
  prune(finalizedRoot: string): number {
    const finalizedIndex = this.indices.get(finalizedRoot);
    if (finalizedIndex === undefined || finalizedIndex === 0) return 0;
    const removed = this.nodes.slice(0, finalizedIndex);
    for (const node of removed) if (node.status === PayloadStatus.PENDING) this.indices.delete(node.block.root);
    this.nodes = this.nodes.slice(finalizedIndex);
    for (const [root, index] of this.indices) this.indices.set(root, index - finalizedIndex);
    const shift = (i: number | undefined) => (i === undefined || i < finalizedIndex ? undefined : i - finalizedIndex);
    for (const node of this.nodes) {
      node.parent = shift(node.parent);
      node.bestChild = shift(node.bestChild);
      node.bestDescendant = shift(node.bestDescendant);
    }
    return finalizedIndex;
  }
}
