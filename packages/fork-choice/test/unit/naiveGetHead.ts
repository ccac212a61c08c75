/**
 * A literal, recursive reading of Gloas `get_head` (all blocks viable), kept only as the test
 * oracle of the proto-array: no caching, no deltas, every weight summed from the latest messages.
 */
export interface NaiveBlock {
  root: string;
  parentRoot: string | null;
  slot: number;
  parentFull: boolean;
  payloadKnown: boolean;
}
export interface NaiveMessage {
  slot: number;
  root: string;
  payloadPresent: boolean;
}
export interface NaiveNode {
  root: string;
  status: 0 | 1 | 2;
}
const PENDING = 0;
const EMPTY = 1;
const FULL = 2;

export interface NaiveStore {
  blocks: Map<string, NaiveBlock>;
  messages: Map<number, NaiveMessage>;
  balances: number[];
  currentSlot: number;
  anchorRoot: string;
  boostRoot: string | null;
  boostScore: number;
  /** `is_head_weak`'s threshold (REORG_HEAD_WEIGHT_THRESHOLD of a slot's committee weight). */
  weakThreshold: number;
  timely: Set<string>;
}

function ancestor(store: NaiveStore, root: string, slot: number): NaiveNode {
  let block = store.blocks.get(root)!;
  if (block.slot <= slot) return { root, status: PENDING };
  let parent = store.blocks.get(block.parentRoot!)!;
  while (parent.slot > slot) {
    block = parent;
    parent = store.blocks.get(block.parentRoot!)!;
  }
  return { root: parent.root, status: block.parentFull ? FULL : EMPTY };
}

function supports(store: NaiveStore, node: NaiveNode, m: NaiveMessage): boolean {
  const block = store.blocks.get(node.root)!;
  if (node.root === m.root) {
    if (node.status === PENDING) return true;
    if (m.slot <= block.slot) return false;
    return m.payloadPresent ? node.status === FULL : node.status === EMPTY;
  }
  const a = ancestor(store, m.root, block.slot);
  return node.root === a.root && (node.status === PENDING || node.status === a.status);
}

function attestationScore(store: NaiveStore, node: NaiveNode): number {
  let total = 0;
  for (const [v, m] of store.messages) if (supports(store, node, m)) total += store.balances[v];
  return total;
}

/**
 * `should_apply_proposer_boost`. Every block here arrived at the start of its slot (timely) and a
 * slot has one proposer, so another block of the parent's slot is an early equivocation.
 */
function shouldApplyProposerBoost(store: NaiveStore): boolean {
  if (store.boostRoot === null) return false;
  const block = store.blocks.get(store.boostRoot)!;
  const parent = store.blocks.get(block.parentRoot!)!;
  if (parent.slot + 1 < block.slot) return true;
  if (attestationScore(store, { root: parent.root, status: PENDING }) >= store.weakThreshold) return true;
  return ![...store.blocks.values()].some((b) => b.slot === parent.slot && b.root !== parent.root);
}

function weight(store: NaiveStore, node: NaiveNode): number {
  const block = store.blocks.get(node.root)!;
  if (node.status !== PENDING && block.slot + 1 === store.currentSlot) return 0;
  let total = attestationScore(store, node);
  if (store.boostRoot !== null && shouldApplyProposerBoost(store)) {
    const boost = { slot: store.currentSlot, root: store.boostRoot, payloadPresent: false };
    if (supports(store, node, boost)) total += store.boostScore;
  }
  return total;
}

function shouldExtendPayload(store: NaiveStore, root: string): boolean {
  const known = store.blocks.get(root)!.payloadKnown;
  if ((known && store.timely.has(root)) || store.boostRoot === null) return true;
  const boosted = store.blocks.get(store.boostRoot)!;
  return boosted.parentRoot !== root || boosted.parentFull;
}

function tiebreaker(store: NaiveStore, node: NaiveNode): number {
  const block = store.blocks.get(node.root)!;
  if (node.status === PENDING || block.slot + 1 !== store.currentSlot) return node.status;
  if (node.status === EMPTY) return 1;
  return shouldExtendPayload(store, node.root) ? 2 : 0;
}

function children(store: NaiveStore, node: NaiveNode): NaiveNode[] {
  if (node.status === PENDING) {
    const out: NaiveNode[] = [{ root: node.root, status: EMPTY }];
    if (store.blocks.get(node.root)!.payloadKnown) out.push({ root: node.root, status: FULL });
    return out;
  }
  const out: NaiveNode[] = [];
  for (const b of store.blocks.values()) {
    if (b.parentRoot === node.root && b.parentFull === (node.status === FULL))
      out.push({ root: b.root, status: PENDING });
  }
  return out;
}

export function naiveGetHead(store: NaiveStore): NaiveNode {
  let head: NaiveNode = { root: store.anchorRoot, status: PENDING };
  for (;;) {
    const options = children(store, head);
    if (options.length === 0) return head;
    const key = (n: NaiveNode) => [weight(store, n), n.root, tiebreaker(store, n)] as const;
    head = options.reduce((best, n) => {
      const [wa, ra, ta] = key(n);
      const [wb, rb, tb] = key(best);
      if (wa !== wb) return wa > wb ? n : best;
      if (ra !== rb) return ra > rb ? n : best;
      return ta > tb ? n : best;
    });
  }
}
