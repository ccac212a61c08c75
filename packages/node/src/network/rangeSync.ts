import type { Network } from "@turnstile/p2p";
import { fromHex, type SignedExecutionPayloadEnvelope, toHex } from "@turnstile/ticket-state";
import { ChainErrorCode } from "../chain/errors.ts";
import type { Logger } from "../logger.ts";
import type { BeaconNode } from "../node/beaconNode.ts";

/** Blocks asked for per request: small enough for one response, large enough to catch up fast. */
const BATCH_SLOTS = 32;

/**
 * Range sync: ask a peer that is ahead for blocks and their payload envelopes, slot range by
 * slot range from our head, and import them in order (each envelope right after its block, as
 * children may build on it). One sync at a time; a failed batch ends the round.
 */
export class RangeSync {
  private readonly node: BeaconNode;
  private readonly network: Network;
  private readonly log: Logger;
  private running = false;
  private readonly waiting = new Set<string>();
  /** The highest head slot a peer has told us about. */
  private bestPeerHead = 0;

  /** Whether we are behind what peers told us (by more than a slot) or catching up right now. */
  isSyncing(): boolean {
    return this.running || this.waiting.size > 0 || this.bestPeerHead > this.node.chain.forkChoice.getHead().slot + 1;
  }

  /** A peer's head, from its Status. */
  notePeerHead(slot: number): void {
    // Clamp to the wall clock: a peer cannot make us wait for slots that have not come
    this.bestPeerHead = Math.max(this.bestPeerHead, Math.min(slot, this.node.clock.currentSlot));
  }

  constructor(node: BeaconNode, network: Network, log: Logger) {
    this.node = node;
    this.network = network;
    this.log = log;
  }

  requestSync(peer: string): void {
    this.waiting.add(peer);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.size > 0) {
        const peer = this.waiting.values().next().value as string;
        this.waiting.delete(peer);
        await this.syncFrom(peer);
      }
    } finally {
      this.running = false;
    }
  }

  /** Import blocks in order, each followed by its envelope; stops at the first block that does not import. */
  private importBatch(
    blocks: Awaited<ReturnType<Network["request"]["blocksByRange"]>>,
    envelopes: Map<string, SignedExecutionPayloadEnvelope>,
  ): { imported: number; unknownParent: boolean; missingPayload: string | null; failed: boolean } {
    const { chain, ctx } = this.node;
    let imported = 0;
    for (const block of blocks) {
      const root = toHex(ctx.ssz.BeaconBlock.hashTreeRoot(block.message));
      if (!chain.hasBlock(root) && !this.node.importBlock(block)) {
        const code = (this.node.lastError as { code?: string }).code;
        if (code !== ChainErrorCode.ALREADY_KNOWN) {
          const missingPayload =
            code === ChainErrorCode.PARENT_PAYLOAD_UNKNOWN ? toHex(block.message.parent_root) : null;
          return { imported, unknownParent: code === ChainErrorCode.UNKNOWN_PARENT, missingPayload, failed: true };
        }
      }
      const envelope = envelopes.get(root);
      if (envelope && !chain.getEntry(root)?.payloadKnown) this.node.importEnvelope(envelope);
      imported++;
    }
    return { imported, unknownParent: false, missingPayload: null, failed: false };
  }

  private async syncFrom(peer: string): Promise<void> {
    const { chain, ctx } = this.node;
    let status: { head_slot: number };
    try {
      status = await this.network.request.status(peer);
    } catch (e) {
      this.log.debug({ peer, err: (e as Error).message }, "status request failed");
      return;
    }
    this.notePeerHead(status.head_slot);
    let from = chain.forkChoice.getHead().slot + 1;
    const started = from;
    const startedAt = performance.now();
    let imported = 0;
    let restartedFromFinalized = false;
    while (from <= status.head_slot) {
      const count = Math.min(BATCH_SLOTS, status.head_slot - from + 1);
      let blocks: Awaited<ReturnType<Network["request"]["blocksByRange"]>>;
      let envelopes: SignedExecutionPayloadEnvelope[];
      try {
        blocks = await this.network.request.blocksByRange(peer, from, count);
        envelopes = await this.network.request.envelopesByRange(peer, from, count);
      } catch (e) {
        this.log.debug({ peer, from, err: (e as Error).message }, "range request failed");
        return;
      }
      const byRoot = new Map(envelopes.map((e) => [toHex(e.message.beacon_block_root), e]));
      let result = this.importBatch(blocks, byRoot);
      imported += result.imported;
      // The batch builds on a payload we never saw (e.g. we went down before it was revealed): fetch it, retry once
      if (result.missingPayload !== null) {
        try {
          const [envelope] = await this.network.request.envelopesByRoot(peer, [fromHex(result.missingPayload)]);
          if (envelope) this.node.importEnvelope(envelope);
        } catch (e) {
          this.log.debug({ peer, err: (e as Error).message }, "envelope request failed");
        }
        result = this.importBatch(blocks, byRoot);
        imported += result.imported;
      }
      if (result.unknownParent && !restartedFromFinalized) {
        // Our head is on a branch the peer does not have: start again from the finalized slot
        restartedFromFinalized = true;
        from = chain.forkChoice.finalized.epoch * ctx.preset.SLOTS_PER_EPOCH;
        continue;
      }
      if (result.failed) {
        this.log.debug(
          { peer, from, code: (this.node.lastError as { code?: string }).code },
          "range sync batch did not import",
        );
        // Whatever we could not place, we will not place by asking again: forget the peer's head claim
        this.bestPeerHead = chain.forkChoice.getHead().slot;
        return;
      }
      from += count;
      if (status.head_slot - started > BATCH_SLOTS) {
        const seconds = (performance.now() - startedAt) / 1000;
        this.log.info(
          {
            peer,
            slot: from - 1,
            target: status.head_slot,
            blocksPerSecond: Math.round(imported / Math.max(seconds, 0.001)),
          },
          "syncing",
        );
      }
    }
    if (imported > 0)
      this.log.info({ peer, from: started, imported, head: chain.forkChoice.getHead().slot }, "range sync");
  }
}
