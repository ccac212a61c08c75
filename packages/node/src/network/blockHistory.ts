import type { SignedBeaconBlock, SignedExecutionPayloadEnvelope } from "@turnstile/ticket-state";
import { toHex } from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { BeaconDb } from "../db/beaconDb.ts";

export interface HistoricalBlock {
  root: string;
  block: SignedBeaconBlock;
  envelope: SignedExecutionPayloadEnvelope | null;
}

/**
 * The canonical chain for peers that sync from us: recent blocks from the chain in memory, older
 * ones (below finality, which the chain no longer holds) from the database's canonical slot index,
 * so that a range costs reads of its own blocks only, however deep in history it lies.
 */
export class BlockHistory {
  private readonly chain: Chain;
  private readonly db: BeaconDb | undefined;

  /** The anchor's block is never in memory (the chain holds only its state). */
  private readonly anchorRoot: string;

  constructor(chain: Chain, db: BeaconDb | undefined) {
    this.chain = chain;
    this.db = db;
    this.anchorRoot = chain.anchorRoot;
  }

  /** Canonical blocks with `from <= slot < from + count`, in slot order (skipped slots have none). */
  async range(from: number, count: number): Promise<HistoricalBlock[]> {
    const { chain } = this;
    const end = from + count;
    /** Newest first, reversed at the end. */
    const out: HistoricalBlock[] = [];
    let entry = chain.getEntry(chain.forkChoice.getHead().root);
    /** The newest canonical block the chain does not hold (null: none older than `from`), and a slot above it. */
    let olderRoot: string | null = null;
    let below = 0;
    while (entry) {
      if (entry.root === this.anchorRoot) {
        // The anchor's block is not in memory (only its state): continue from the database
        olderRoot = entry.slot > 0 ? entry.root : null;
        below = entry.slot + 1;
        break;
      }
      if (entry.slot < from) return out.reverse();
      if (entry.slot < end) out.push({ root: entry.root, block: entry.block, envelope: entry.envelope });
      const parentRoot = toHex(entry.block.message.parent_root);
      const parent = chain.getEntry(parentRoot);
      if (!parent) {
        olderRoot = parentRoot;
        below = entry.slot;
        break;
      }
      entry = parent;
    }
    const { db } = this;
    if (olderRoot === null || !db || !(from < below)) return out.reverse();
    // Below what the chain holds, the chain is finalized. Blocks finalized since the canonical index
    // was last written (it is written after the chain moves on), or all of them in a database older
    // than the index: walk their parents back to the index
    const indexed = await db.highestCanonicalSlot();
    let top = Math.min(end, below);
    while (indexed < below - 1 && olderRoot !== null) {
      const block = await db.getBlock(olderRoot);
      if (!block) return out.reverse();
      const { slot } = block.message;
      if (slot <= indexed) {
        top = Math.min(top, slot + 1);
        break;
      }
      if (slot < from) return out.reverse();
      if (slot < end) out.push({ root: olderRoot, block, envelope: (await db.getEnvelope(olderRoot)) ?? null });
      top = Math.min(top, slot);
      olderRoot = slot > 0 ? toHex(block.message.parent_root) : null;
    }
    if (olderRoot === null) return out.reverse();
    const roots = await db.canonicalRootsBySlot(from, top);
    for (let i = roots.length - 1; i >= 0; i--) {
      const { root } = roots[i];
      const block = await db.getBlock(root);
      if (!block) break;
      out.push({ root, block, envelope: (await db.getEnvelope(root)) ?? null });
    }
    return out.reverse();
  }

  /** Blocks (and their envelopes) by root, from memory or the database; unknown roots are skipped. */
  async byRoots(roots: Uint8Array[]): Promise<HistoricalBlock[]> {
    const out: HistoricalBlock[] = [];
    for (const r of roots) {
      const root = toHex(r);
      const entry = this.chain.getEntry(root);
      if (entry && entry.root !== this.anchorRoot) {
        out.push({ root, block: entry.block, envelope: entry.envelope });
        continue;
      }
      const block = await this.db?.getBlock(root);
      if (block) out.push({ root, block, envelope: (await this.db?.getEnvelope(root)) ?? null });
    }
    return out;
  }
}
