import type { SignedBeaconBlock, SignedExecutionPayloadEnvelope } from "@turnstile/ticket-state";

/** Envelopes kept per block root while the block is missing. */
const ENVELOPES_PER_ROOT = 4;

/** What an object waits for: a block by root, or the payload of a block we have. */
export interface WantedObject {
  kind: "block" | "payload";
  root: string;
}

interface PendingBlock {
  root: string;
  block: SignedBeaconBlock;
  waitingFor: WantedObject;
}

/**
 * Blocks and envelopes that arrived before what they build on: a block before its parent (or
 * before its parent's payload), an envelope before its block. They wait here, bounded, until the
 * chain imports what they need; the network asks peers for `missing()` by root meanwhile.
 * Nothing in here was verified: the bound (oldest dropped first) is what keeps a flood harmless.
 */
export class PendingBlocks {
  private readonly blocks = new Map<string, PendingBlock>();
  /**
   * Envelopes by the root of the block they reveal: a few per root, as none is verified yet and a
   * forged first one must not shut out the real one.
   */
  private readonly envelopes = new Map<string, SignedExecutionPayloadEnvelope[]>();
  readonly maxBlocks: number;
  readonly maxEnvelopes: number;

  constructor(maxBlocks: number, maxEnvelopes: number) {
    this.maxBlocks = maxBlocks;
    this.maxEnvelopes = maxEnvelopes;
  }

  get size(): number {
    return this.blocks.size + this.envelopes.size;
  }

  hasBlock(root: string): boolean {
    return this.blocks.has(root);
  }

  addBlock(root: string, block: SignedBeaconBlock, waitingFor: WantedObject): void {
    if (this.blocks.has(root)) return;
    if (this.blocks.size >= this.maxBlocks) this.blocks.delete(this.blocks.keys().next().value as string);
    this.blocks.set(root, { root, block, waitingFor });
  }

  addEnvelope(blockRoot: string, envelope: SignedExecutionPayloadEnvelope): void {
    const list = this.envelopes.get(blockRoot);
    if (list) {
      if (list.length < ENVELOPES_PER_ROOT) list.push(envelope);
      return;
    }
    if (this.envelopes.size >= this.maxEnvelopes) this.envelopes.delete(this.envelopes.keys().next().value as string);
    this.envelopes.set(blockRoot, [envelope]);
  }

  /** The blocks waiting for `wanted`, oldest first; they leave the queue. */
  takeWaitingFor(wanted: WantedObject): SignedBeaconBlock[] {
    const ready: SignedBeaconBlock[] = [];
    for (const [root, pending] of this.blocks) {
      if (pending.waitingFor.kind === wanted.kind && pending.waitingFor.root === wanted.root) {
        ready.push(pending.block);
        this.blocks.delete(root);
      }
    }
    return ready;
  }

  /** The envelopes waiting for block `root`, oldest first; they leave the queue. */
  takeEnvelopes(root: string): SignedExecutionPayloadEnvelope[] {
    const list = this.envelopes.get(root) ?? [];
    this.envelopes.delete(root);
    return list;
  }

  /**
   * What to ask peers for: blocks that queued objects need and that are neither in the chain nor
   * queued themselves (a queued block's own parent is asked for instead), and payloads of blocks
   * the chain has without one.
   */
  missing(chainHas: (root: string) => boolean): WantedObject[] {
    const result = new Map<string, WantedObject>();
    const want = (wanted: WantedObject) => {
      if (wanted.kind === "block" && (chainHas(wanted.root) || this.blocks.has(wanted.root))) return;
      // A payload of a block we do not have yet: the block comes first
      if (wanted.kind === "payload" && !chainHas(wanted.root)) {
        if (!this.blocks.has(wanted.root)) result.set(`block:${wanted.root}`, { kind: "block", root: wanted.root });
        return;
      }
      result.set(`${wanted.kind}:${wanted.root}`, wanted);
    };
    for (const pending of this.blocks.values()) want(pending.waitingFor);
    for (const root of this.envelopes.keys()) want({ kind: "block", root });
    return [...result.values()];
  }

  /** Forget blocks at or below `slot` (finalized, or too old to matter) and envelopes for them. */
  prune(slot: number): void {
    for (const [root, pending] of this.blocks) if (pending.block.message.slot <= slot) this.blocks.delete(root);
    for (const [root, list] of this.envelopes) if (list[0].message.slot <= slot) this.envelopes.delete(root);
  }
}
