import type { PeerId } from "@libp2p/interface";
import { MAX_REQUEST_BLOCKS, MAX_REQUEST_PAYLOADS } from "../constants.ts";
import { ReqRespError, ReqRespErrorCode } from "../errors.ts";
import * as p2pSsz from "../sszTypes.ts";
import type { Protocols } from "./protocols.ts";
import type { ReqResp, ResponsePayloads } from "./reqResp.ts";

/**
 * What the node serves to peers. Each returns serialized SSZ (`SignedBeaconBlock` /
 * `SignedExecutionPayloadEnvelope` bytes, as stored), in slot order for ranges; slots without a block
 * are skipped. Throw `new ReqRespError(ReqRespErrorCode.RESOURCE_UNAVAILABLE, …)` for history the node
 * does not have. A missing handler answers RESOURCE_UNAVAILABLE.
 */
export interface ReqRespHandlers {
  /** The node's current Status; default: our fork digest, zero roots, epoch and slot 0. */
  getStatus?(): p2pSsz.Status;
  getBlocksByRange?(startSlot: number, count: number, peer: PeerId): Promise<ResponsePayloads> | ResponsePayloads;
  getBlocksByRoot?(roots: Uint8Array[], peer: PeerId): Promise<ResponsePayloads> | ResponsePayloads;
  getEnvelopesByRange?(startSlot: number, count: number, peer: PeerId): Promise<ResponsePayloads> | ResponsePayloads;
  getEnvelopesByRoot?(beaconBlockRoots: Uint8Array[], peer: PeerId): Promise<ResponsePayloads> | ResponsePayloads;
}

/** What the responders need of the network around them. */
export interface ResponderContext {
  /** The node's handlers as they are now (they may be replaced after registration). */
  handlers(): ReqRespHandlers;
  localStatus(): p2pSsz.Status;
  localMetadata(): p2pSsz.Metadata;
  /** A peer sent its Status in a request. */
  onStatus(peer: PeerId, status: p2pSsz.Status): void;
  /** A peer said goodbye. */
  onGoodbye(peer: PeerId, reason: number): void;
}

/** Register the responders of every protocol: Status, Goodbye, Ping, MetaData and the by-range/by-root methods. */
export async function registerResponders(rr: ReqResp, p: Protocols, ctx: ResponderContext): Promise<void> {
  const one = () => 1;
  await rr.register(
    p.status,
    (status, peer) => {
      ctx.onStatus(peer, status);
      return [p2pSsz.Status.serialize(ctx.localStatus())];
    },
    one,
    one,
  );
  await rr.register(
    p.goodbye,
    (reason, peer) => {
      ctx.onGoodbye(peer, reason);
      return [p2pSsz.Goodbye.serialize(0)];
    },
    one,
    one,
  );
  await rr.register(p.ping, () => [p2pSsz.Ping.serialize(ctx.localMetadata().seq_number)], one, one);
  await rr.register(p.metadata, () => [p2pSsz.Metadata.serialize(ctx.localMetadata())], one, one);

  await rr.register(
    p.blocksByRange,
    (req, peer) => {
      const count = rangeCount(req, MAX_REQUEST_BLOCKS);
      checkStart(req.start_slot);
      if (count === 0) return [];
      const h = ctx.handlers().getBlocksByRange;
      return h ? h(req.start_slot, count, peer) : unavailable();
    },
    (req) => Math.max(1, Math.min(req.count, MAX_REQUEST_BLOCKS)),
    (req) => Math.min(req.count, MAX_REQUEST_BLOCKS),
  );
  await rr.register(
    p.blocksByRoot,
    (roots, peer) => {
      if (roots.length === 0) return [];
      const h = ctx.handlers().getBlocksByRoot;
      return h ? h(roots, peer) : unavailable();
    },
    (roots) => Math.max(1, roots.length),
    (roots) => roots.length,
  );
  await rr.register(
    p.envelopesByRange,
    (req, peer) => {
      const count = rangeCount(req, MAX_REQUEST_PAYLOADS);
      checkStart(req.start_slot);
      if (count === 0) return [];
      const h = ctx.handlers().getEnvelopesByRange;
      return h ? h(req.start_slot, count, peer) : unavailable();
    },
    (req) => Math.max(1, Math.min(req.count, MAX_REQUEST_PAYLOADS)),
    (req) => Math.min(req.count, MAX_REQUEST_PAYLOADS),
  );
  await rr.register(
    p.envelopesByRoot,
    (roots, peer) => {
      if (roots.length === 0) return [];
      const h = ctx.handlers().getEnvelopesByRoot;
      return h ? h(roots, peer) : unavailable();
    },
    (roots) => Math.max(1, roots.length),
    (roots) => roots.length,
  );
}

/** How many items a by-range request gets: at most `max`, one for a (deprecated) step above 1. */
function rangeCount(req: { count: number; step?: number }, max: number): number {
  if (!Number.isFinite(req.count) || req.count > max) {
    throw new ReqRespError(ReqRespErrorCode.INVALID_REQUEST, `count above ${max}`, { reason: "COUNT_TOO_LARGE" });
  }
  if (req.step !== undefined && req.step === 0) {
    throw new ReqRespError(ReqRespErrorCode.INVALID_REQUEST, "step 0", { reason: "BAD_STEP" });
  }
  // step is deprecated and must be 1; for a larger step the spec lets us answer with one block
  return req.step !== undefined && req.step > 1 ? Math.min(1, req.count) : req.count;
}

function checkStart(startSlot: number): void {
  if (!Number.isSafeInteger(startSlot)) {
    throw new ReqRespError(ReqRespErrorCode.INVALID_REQUEST, "start slot out of range", {
      reason: "BAD_START_SLOT",
    });
  }
}

function unavailable(): never {
  throw new ReqRespError(ReqRespErrorCode.RESOURCE_UNAVAILABLE, "not served", { reason: "NO_HANDLER" });
}
