import {
  DEFAULT_RATE_LIMITS,
  type Network,
  PeerAction,
  RateLimiter,
  RESP_TIMEOUT_MS,
  TTFB_TIMEOUT_MS,
} from "@turnstile/p2p";
import type { SignedBeaconBlock, SignedExecutionPayloadEnvelope } from "@turnstile/ticket-state";
import type { CheckedSegment } from "../chain/chain.ts";
import { ChainErrorCode, errorCode } from "../chain/errors.ts";
import type { Logger } from "../logger.ts";
import type { BeaconNode, SyncProgress } from "../node/beaconNode.ts";
import { PeerQueue } from "./peerQueue.ts";
import { verdictOf } from "./verdict.ts";

/**
 * Slots asked for per request pair (blocks, envelopes): one signature batch per range, and few
 * enough requests that the peer's rate limit allows more than 300 blocks/s.
 */
export const SYNC_BATCH_SLOTS = 64;
/** Range sync keeps to this share of a serving peer's default quotas. */
const PACING_MARGIN = 0.9;
const PACING_RETRY_MS = 50;
/**
 * How long a connected peer's Status may be on its way (a request's first byte, then the answer):
 * a peer silent for longer is not waited for, or one that never speaks would hold our duties for good.
 */
const STATUS_WAIT_SECONDS = (TTFB_TIMEOUT_MS + RESP_TIMEOUT_MS) / 1000;
/** Progress is logged at most this often while syncing. */
const PROGRESS_LOG_MS = 2000;

interface Batch {
  start: number;
  count: number;
  /** Never rejects: a failed request resolves to its error. */
  response: Promise<{ blocks: SignedBeaconBlock[]; envelopes: SignedExecutionPayloadEnvelope[] } | Error>;
}

/** A range that was received and checked, its signatures being verified. */
interface InFlight extends Omit<Batch, "response"> {
  blocks: SignedBeaconBlock[];
  envelopes: SignedExecutionPayloadEnvelope[];
  segment: CheckedSegment;
  started: number;
  /** The index of the first invalid signature set, -1 when all are valid. */
  invalidSet: Promise<number>;
}

/**
 * Range sync: ask a peer that is ahead for blocks and their payload envelopes, slot range by
 * slot range from our head, and import each range as one segment with one signature batch,
 * verified on the BLS thread while the next range is checked. One sync at a time; a failed batch
 * ends the round.
 */
export class RangeSync {
  private readonly node: BeaconNode;
  private readonly network: Network;
  private readonly log: Logger;
  private readonly queue = new PeerQueue((peer) => this.syncFrom(peer), {
    onIdle: () => {
      this.current = null;
    },
    onError: (peer, e) => this.log.error({ peer, err: (e as Error).message }, "range sync failed"),
  });
  /**
   * Each connected peer's head claim, from its Status, clamped to the wall clock. A claim only
   * stands until a sync from that peer ends short of it: a peer cannot keep us from our duties
   * by claiming a head it never serves.
   */
  private readonly peerHeads = new Map<string, number>();
  /** Whether any peer has told us its head yet. */
  private heardFromPeers = false;
  /** Until then: when isSyncing first saw each connected peer (clock seconds). */
  private readonly awaitedSince = new Map<string, number>();
  private current: SyncProgress | null = null;

  /**
   * Stay under the serving peer's limits (a node with our defaults): a range request that would be
   * refused waits for its quota instead, rather than ending the sync and costing us score. One
   * bucket of slots: blocks and envelopes by range have the same quota, and at 64 slots per pair
   * of requests the request-count limit is looser.
   */
  private readonly pacer = new RateLimiter({
    range: {
      quota: Math.floor(
        PACING_MARGIN *
          Math.min(
            DEFAULT_RATE_LIMITS.beacon_blocks_by_range.quota,
            DEFAULT_RATE_LIMITS.execution_payload_envelopes_by_range.quota,
          ),
      ),
      periodMs: DEFAULT_RATE_LIMITS.beacon_blocks_by_range.periodMs,
    },
  });

  constructor(node: BeaconNode, network: Network, log: Logger) {
    this.node = node;
    this.network = network;
    this.log = log;
  }

  /**
   * Whether a peer's standing claim is ahead of us by more than a slot, or, until a peer tells us
   * its head, we are behind the clock: by more than an epoch (back from downtime: peers have likely
   * gone on without us; if they tell us they have not, the whole network was down and we go on), or
   * by more than a slot with peers connected whose Status is still on its way (a node restarted
   * after a few slots proposed on its stale head before its peers' Status came, then reorged
   * 6 deep), for as long as a Status request may take. A sync under way does not count by itself:
   * a peer that stalls our requests, or never sends its Status, must not silence our duties.
   */
  isSyncing(): boolean {
    const head = this.node.chain.forkChoice.getHead().slot;
    const currentSlot = this.node.clock.currentSlot;
    if (this.bestPeerHead() > head + 1) return true;
    if (this.heardFromPeers) return false;
    if (head + this.node.chain.ctx.preset.SLOTS_PER_EPOCH < currentSlot) return true;
    return head + 1 < currentSlot && this.awaitingStatus();
  }

  /** Whether a connected peer may still send its Status (connected less than STATUS_WAIT_SECONDS ago). */
  private awaitingStatus(): boolean {
    const now = this.node.clock.time;
    const connected = new Set(this.network.getConnectedPeers().map(String));
    for (const peer of this.awaitedSince.keys()) if (!connected.has(peer)) this.awaitedSince.delete(peer);
    let awaiting = false;
    for (const peer of connected) {
      // Duties ask every interval: the first sight of a peer is within an interval of its connection
      const since = this.awaitedSince.get(peer) ?? now;
      this.awaitedSince.set(peer, since);
      if (now - since < STATUS_WAIT_SECONDS) awaiting = true;
    }
    return awaiting;
  }

  private bestPeerHead(): number {
    let best = 0;
    for (const slot of this.peerHeads.values()) best = Math.max(best, slot);
    return best;
  }

  /** The sync under way, or null. */
  progress(): SyncProgress | null {
    return this.current && { ...this.current };
  }

  /** A peer's head, from its Status. */
  notePeerHead(peer: string, slot: number): void {
    this.heardFromPeers = true;
    this.awaitedSince.clear();
    // Clamp to the wall clock: a peer cannot make us wait for slots that have not come
    this.peerHeads.set(peer, Math.min(slot, this.node.clock.currentSlot));
  }

  /** A peer left: its claim goes with it. */
  forgetPeer(peer: string): void {
    this.peerHeads.delete(peer);
  }

  requestSync(peer: string): void {
    void this.queue.add(peer);
  }

  private async paced(peer: string, count: number): Promise<void> {
    // Buckets of peers left alone for a whole period are full again: drop them
    this.pacer.prune();
    while (!this.pacer.allow(peer, "range", count))
      await new Promise((resolve) => setTimeout(resolve, PACING_RETRY_MS));
  }

  private request(peer: string, start: number, targetSlot: number): Batch {
    const count = Math.min(SYNC_BATCH_SLOTS, targetSlot - start + 1);
    const response = this.paced(peer, count)
      .then(() =>
        Promise.all([
          this.network.request.blocksByRange(peer, start, count),
          this.network.request.envelopesByRange(peer, start, count),
        ]),
      )
      .then(
        ([blocks, envelopes]) => ({ blocks, envelopes }),
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
    return { start, count, response };
  }

  /**
   * Store a segment once its signatures are verified. If it builds on a payload we never saw
   * (we went down before it was revealed, and the range starts after it), fetch that payload and
   * import the rest of the range again.
   */
  private async commit(
    peer: string,
    inFlight: InFlight,
  ): Promise<{ added: number; code: string | null; error: unknown }> {
    const { node } = this;
    let result = node.commitSegment(inFlight.segment, await inFlight.invalidSet, inFlight.started);
    let error = result.error;
    if (error !== null && errorCode(error) === ChainErrorCode.PARENT_PAYLOAD_UNKNOWN) {
      const { blocks, envelopes } = inFlight;
      try {
        const [envelope] = await this.network.request.envelopesByRoot(peer, [
          blocks[result.imported].message.parent_root,
        ]);
        if (envelope) node.importEnvelope(envelope);
      } catch (e) {
        // a failed import is reported by the node ("rejected"); the retry below says whether it mattered
        this.log.debug({ peer, err: (e as Error).message }, "envelope request failed");
      }
      const retry = node.importSegment(blocks.slice(result.imported), envelopes);
      result = {
        imported: result.imported + retry.imported,
        added: result.added + retry.added,
        failed: retry.failed,
        error: retry.error,
      };
      error = retry.error;
    }
    return { added: result.added, code: error === null ? null : errorCode(error), error };
  }

  private async syncFrom(peer: string): Promise<void> {
    let status: { head_slot: number };
    try {
      status = await this.network.request.status(peer);
    } catch (e) {
      this.log.debug({ peer, err: (e as Error).message }, "status request failed");
      // A claim its maker will not even confirm does not keep us waiting
      this.peerHeads.delete(peer);
      return;
    }
    this.notePeerHead(peer, status.head_slot);
    // No further than the clock: a claimed head of 2^40 would have us ask for empty ranges for ever
    const target = Math.min(status.head_slot, this.node.clock.currentSlot);
    try {
      await this.syncTo(peer, target);
    } finally {
      this.settleClaim(peer, target);
    }
  }

  /**
   * A sync from `peer` ended. If it left us short of what the peer claimed (it served nothing, too
   * little, or stalled until the request timed out), the claim goes, and the peer pays a little: an
   * honest peer whose head moved on meanwhile loses little; one that lies again and again is banned.
   */
  private settleClaim(peer: string, target: number): void {
    const head = this.node.chain.forkChoice.getHead().slot;
    if (head >= target) return;
    this.peerHeads.delete(peer);
    this.log.debug({ peer, head, claimed: target }, "peer did not serve the head it claimed");
    this.network.reportPeer(peer, PeerAction.MID_TOLERANCE, "range_sync_unfulfilled");
  }

  private async syncTo(peer: string, target: number): Promise<void> {
    const { chain, ctx } = this.node;
    const startSlot = chain.forkChoice.getHead().slot + 1;
    if (startSlot > target) return;
    const startedAt = performance.now();
    let lastLog = startedAt;
    let imported = 0;
    let restartedFromFinalized = false;
    this.current = {
      peer,
      startSlot,
      targetSlot: target,
      headSlot: startSlot - 1,
      blocksImported: 0,
      blocksPerSecond: 0,
      etaSeconds: null,
    };
    // A pipeline: while range n's signatures are verified on the BLS thread, range n+1 is checked
    // against its states and range n+2 is being served
    let next: Batch | null = this.request(peer, startSlot, target);
    let previous: InFlight | null = null;
    while (next !== null || previous !== null) {
      let current: InFlight | null = null;
      if (next !== null) {
        const batch: Batch = next;
        const response = await batch.response;
        next = null;
        if (response instanceof Error) {
          this.log.debug({ peer, from: batch.start, err: response.message }, "range request failed");
        } else {
          const segment = chain.checkSegment(response.blocks, response.envelopes, previous?.segment);
          current = {
            start: batch.start,
            count: batch.count,
            ...response,
            segment,
            started: performance.now(),
            invalidSet: this.node.bls.verify(segment.signatureSets),
          };
          // After a failed check, whether to go on is known only once this range is stored
          if (segment.error === null) next = this.requestAfter(peer, batch, target);
        }
      }
      if (previous !== null) {
        const result = await this.commit(peer, previous);
        imported += result.added;
        if (result.code !== null) {
          // What was checked on top of it cannot be stored either
          current = null;
          next = null;
          if (result.code === ChainErrorCode.UNKNOWN_PARENT && !restartedFromFinalized) {
            // Our head is on a branch the peer does not have: start again from the finalized slot
            restartedFromFinalized = true;
            next = this.request(peer, chain.forkChoice.finalized.epoch * ctx.preset.SLOTS_PER_EPOCH, target);
          } else {
            this.log.debug({ peer, from: previous.start, code: result.code }, "range sync batch did not import");
            // A block or envelope that can never be valid: the peer served something it should not have
            if (verdictOf(result.error).action === "REJECT") {
              this.network.reportPeer(peer, PeerAction.LOW_TOLERANCE, "range_sync_invalid");
            }
            // Whatever we could not place, we will not place by asking again (settleClaim drops the claim)
            return;
          }
        } else if (previous.segment.error !== null) {
          // Its check failed, but storing it recovered (a missing parent payload was fetched): go on
          next = this.requestAfter(peer, previous, target);
        }
        lastLog = this.noteProgress(previous.start + previous.count - 1, imported, startedAt, lastLog);
      }
      previous = current;
    }
    if (imported > 0) {
      const seconds = (performance.now() - startedAt) / 1000;
      this.log.info(
        {
          peer,
          from: startSlot,
          imported,
          head: chain.forkChoice.getHead().slot,
          seconds: Math.round(seconds * 10) / 10,
          blocksPerSecond: Math.round(imported / Math.max(seconds, 0.001)),
        },
        "range sync done",
      );
    }
  }

  private requestAfter(peer: string, batch: { start: number; count: number }, target: number): Batch | null {
    const end = batch.start + batch.count;
    return end <= target ? this.request(peer, end, target) : null;
  }

  /** Update the progress after storing up to `slot`; log it every few seconds. Returns when it last logged. */
  private noteProgress(slot: number, imported: number, startedAt: number, lastLog: number): number {
    if (this.current === null) return lastLog;
    const { startSlot, targetSlot } = this.current;
    const now = performance.now();
    const seconds = Math.max((now - startedAt) / 1000, 0.001);
    const slotsDone = Math.max(0, slot - startSlot + 1);
    this.current = {
      ...this.current,
      headSlot: this.node.chain.forkChoice.getHead().slot,
      blocksImported: imported,
      blocksPerSecond: Math.round(imported / seconds),
      // Slots left at the slots-per-second so far (a skipped slot costs nothing to import)
      etaSeconds: slotsDone > 0 ? Math.round((targetSlot - slot) / (slotsDone / seconds)) : null,
    };
    if (now - lastLog < PROGRESS_LOG_MS || slot >= targetSlot) return lastLog;
    this.log.info(
      {
        peer: this.current.peer,
        slot,
        target: targetSlot,
        progress: `${Math.floor((slotsDone / (targetSlot - startSlot + 1)) * 100)}%`,
        blocksPerSecond: this.current.blocksPerSecond,
        etaSeconds: this.current.etaSeconds,
      },
      "syncing",
    );
    return now;
  }
}
