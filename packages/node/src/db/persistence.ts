import { CachedBeaconState, type ChainContext, createChainCaches } from "@turnstile/ticket-state";
import type { BlockEntry, Chain } from "../chain/chain.ts";
import type { BeaconDb } from "./beaconDb.ts";

/**
 * The state a (re)started node resumes from: the last finalized state if the database has one,
 * else the stored genesis. Both share one set of chain caches.
 */
export async function loadAnchorState(
  ctx: ChainContext,
  db: BeaconDb,
): Promise<{ genesis: CachedBeaconState; anchor: CachedBeaconState } | undefined> {
  const stored = await db.getGenesis();
  if (!stored) return undefined;
  const caches = createChainCaches();
  const genesis = CachedBeaconState.fromBytes(ctx, stored.stateBytes, caches);
  const finalized = await db.getFinalized();
  const anchor = finalized ? CachedBeaconState.fromBytes(ctx, finalized.stateBytes, caches) : genesis;
  return { genesis, anchor };
}

/**
 * Re-import the stored blocks after the anchor, in slot order, each with its stored envelope.
 * They were fully verified when first imported, so signatures are not checked again.
 * Returns how many blocks were replayed.
 */
export async function replayStoredBlocks(chain: Chain, db: BeaconDb, onError: (e: unknown) => void): Promise<number> {
  const fromSlot = chain.anchor.state.latest_block_header.slot + 1;
  let replayed = 0;
  for (const { root } of await db.blockRootsBySlot(fromSlot, Number.MAX_SAFE_INTEGER)) {
    if (chain.hasBlock(root)) continue;
    const block = await db.getBlock(root);
    if (!block) continue;
    try {
      chain.importBlock(block, true);
      replayed++;
      const envelope = await db.getEnvelope(root);
      if (envelope) chain.importEnvelope(envelope, true);
    } catch (e) {
      // A block on a branch finality abandoned, or one whose parent was never stored
      onError(e);
    }
  }
  return replayed;
}

/** The chain's writer: `flush()` waits for the queued writes; `close()` also stops queuing new ones. */
export interface ChainPersistence {
  flush(): Promise<void>;
  /**
   * Stop writing what the chain imports from now on, then wait for the queued writes. Call before
   * closing the database: an import that completes during shutdown (an execution verdict, a block
   * already in the pipeline) must not write to a closed database; it was never stored, so nothing
   * stored is lost, and the restarted node fetches it again.
   */
  close(): Promise<void>;
}

/**
 * Write what the chain imports: blocks, envelopes, and at each finalization the finalized
 * state as the new restart anchor. Writes are queued in order.
 * Called once the stored blocks are replayed.
 */
export function persistChain(chain: Chain, db: BeaconDb, onError: (e: unknown) => void): ChainPersistence {
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (write: () => Promise<void>) => {
    queue = queue.then(write).catch(onError);
  };
  const onBlock = (entry: BlockEntry) => enqueue(() => db.putBlock(entry.root, entry.block));
  const onPayload = (entry: BlockEntry) => {
    const envelope = entry.envelope;
    if (envelope) enqueue(() => db.putEnvelope(entry.root, envelope));
  };
  const storeFinalized = (checkpoint: { epoch: number; root: string }) => {
    if (!chain.hasBlock(checkpoint.root)) return;
    const bytes = chain.regen.getLatestState(checkpoint.root).serialize();
    enqueue(() => db.putFinalized(checkpoint.epoch, checkpoint.root, bytes));
  };
  chain.on("block", onBlock);
  chain.on("payload", onPayload);
  chain.on("finalized", storeFinalized);
  // A finality the replayed blocks reached beyond the stored anchor (the node was killed before its
  // finalized state was written): store it now, or every restart replays from the older anchor
  if (chain.forkChoice.finalized.root !== chain.anchorRoot) storeFinalized(chain.forkChoice.finalized);
  return {
    flush: () => queue,
    close: () => {
      chain.off("block", onBlock);
      chain.off("payload", onPayload);
      chain.off("finalized", storeFinalized);
      return queue;
    },
  };
}
