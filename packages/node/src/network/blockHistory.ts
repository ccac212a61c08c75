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
 * ones (below finality, which the chain no longer holds) from the database, by walking parent
 * roots back from the oldest block in memory.
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
    const out: HistoricalBlock[] = [];
    let entry = chain.getEntry(chain.forkChoice.getHead().root);
    let olderRoot: string | null = null;
    while (entry) {
      if (entry.root === this.anchorRoot) {
        // The anchor's block is not in memory (only its state): continue from the database
        olderRoot = entry.slot > 0 ? entry.root : null;
        break;
      }
      if (entry.slot < from) return out.reverse();
      if (entry.slot < end) out.push({ root: entry.root, block: entry.block, envelope: entry.envelope });
      const parentRoot = toHex(entry.block.message.parent_root);
      const parent = chain.getEntry(parentRoot);
      if (!parent) {
        olderRoot = parentRoot;
        break;
      }
      entry = parent;
    }
    // Below what the chain holds: walk back through the database
    while (olderRoot !== null && this.db) {
      const block = await this.db.getBlock(olderRoot);
      if (!block || block.message.slot < from) break;
      if (block.message.slot < end) {
        out.push({ root: olderRoot, block, envelope: (await this.db.getEnvelope(olderRoot)) ?? null });
      }
      olderRoot = block.message.slot > 0 ? toHex(block.message.parent_root) : null;
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
