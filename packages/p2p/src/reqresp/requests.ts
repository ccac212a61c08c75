import type { Type } from "@chainsafe/ssz";
import type { PeerId } from "@libp2p/interface";
import type { SignedBeaconBlock, SignedExecutionPayloadEnvelope, SszTypes } from "@turnstile/ticket-state";
import { MAX_REQUEST_BLOCKS, MAX_REQUEST_PAYLOADS } from "../constants.ts";
import { ReqRespError, ReqRespErrorCode } from "../errors.ts";
import { toPeerId } from "../peers/peerManager.ts";
import * as p2pSsz from "../sszTypes.ts";
import type { Protocols } from "./protocols.ts";
import { decodeOrThrow, type ReqResp } from "./reqResp.ts";

/** Typed req/resp requests to a peer. Every failure rejects with a ReqRespError. */
export interface NetworkRequests {
  status(peer: PeerId | string): Promise<p2pSsz.Status>;
  goodbye(peer: PeerId | string, reason: number): Promise<void>;
  /** Returns the peer's MetaData.seq_number. */
  ping(peer: PeerId | string): Promise<number>;
  metadata(peer: PeerId | string): Promise<p2pSsz.Metadata>;
  blocksByRange(peer: PeerId | string, startSlot: number, count: number): Promise<SignedBeaconBlock[]>;
  blocksByRoot(peer: PeerId | string, roots: Uint8Array[]): Promise<SignedBeaconBlock[]>;
  envelopesByRange(peer: PeerId | string, startSlot: number, count: number): Promise<SignedExecutionPayloadEnvelope[]>;
  envelopesByRoot(peer: PeerId | string, beaconBlockRoots: Uint8Array[]): Promise<SignedExecutionPayloadEnvelope[]>;
}

/** What the requests send about us. */
export interface RequesterContext {
  localStatus(): p2pSsz.Status;
  localMetadata(): p2pSsz.Metadata;
}

/**
 * The typed requests: each checks its own arguments, sends, decodes every chunk and checks the
 * answer against the request (slots inside the range and increasing, only requested roots, no
 * duplicates); an answer that breaks these rejects with INVALID_RESPONSE.
 */
export function createRequests(rr: ReqResp, p: Protocols, ssz: SszTypes, ctx: RequesterContext): NetworkRequests {
  const decodeAll = <T>(type: Type<T>, name: string, chunks: Uint8Array[]): T[] =>
    chunks.map((c) => decodeOrThrow(type, c, name, ReqRespErrorCode.INVALID_RESPONSE));

  return {
    status: (peer) =>
      rr.sendRequest(toPeerId(peer), p.status, ctx.localStatus(), 1, (chunks) =>
        decodeOrThrow(p2pSsz.Status, chunks[0], "Status", ReqRespErrorCode.INVALID_RESPONSE),
      ),
    goodbye: (peer, reason) => rr.sendRequest(toPeerId(peer), p.goodbye, reason, 1, () => undefined),
    ping: (peer) =>
      rr.sendRequest(toPeerId(peer), p.ping, ctx.localMetadata().seq_number, 1, (chunks) =>
        decodeOrThrow(p2pSsz.Ping, chunks[0], "Ping", ReqRespErrorCode.INVALID_RESPONSE),
      ),
    metadata: (peer) =>
      rr.sendRequest(toPeerId(peer), p.metadata, null, 1, (chunks) =>
        decodeOrThrow(p2pSsz.Metadata, chunks[0], "Metadata", ReqRespErrorCode.INVALID_RESPONSE),
      ),
    blocksByRange: async (peer, startSlot, count) => {
      checkCount(count, MAX_REQUEST_BLOCKS);
      return rr.sendRequest(
        toPeerId(peer),
        p.blocksByRange,
        { start_slot: startSlot, count, step: 1 },
        count,
        (chunks) => {
          const blocks = decodeAll(ssz.SignedBeaconBlock, "SignedBeaconBlock", chunks);
          checkRange(
            blocks.map((b) => b.message.slot),
            startSlot,
            count,
          );
          return blocks;
        },
      );
    },
    blocksByRoot: async (peer, roots) => {
      checkCount(roots.length, MAX_REQUEST_BLOCKS);
      return rr.sendRequest(toPeerId(peer), p.blocksByRoot, roots, roots.length, (chunks) => {
        const blocks = decodeAll(ssz.SignedBeaconBlock, "SignedBeaconBlock", chunks);
        checkRoots(
          blocks.map((b) => ssz.BeaconBlock.hashTreeRoot(b.message)),
          roots,
        );
        return blocks;
      });
    },
    envelopesByRange: async (peer, startSlot, count) => {
      checkCount(count, MAX_REQUEST_PAYLOADS);
      return rr.sendRequest(toPeerId(peer), p.envelopesByRange, { start_slot: startSlot, count }, count, (chunks) => {
        const envelopes = decodeAll(ssz.SignedExecutionPayloadEnvelope, "SignedExecutionPayloadEnvelope", chunks);
        checkRange(
          envelopes.map((e) => e.message.slot),
          startSlot,
          count,
        );
        return envelopes;
      });
    },
    envelopesByRoot: async (peer, roots) => {
      checkCount(roots.length, MAX_REQUEST_PAYLOADS);
      return rr.sendRequest(toPeerId(peer), p.envelopesByRoot, roots, roots.length, (chunks) => {
        const envelopes = decodeAll(ssz.SignedExecutionPayloadEnvelope, "SignedExecutionPayloadEnvelope", chunks);
        checkRoots(
          envelopes.map((e) => e.message.beacon_block_root),
          roots,
        );
        return envelopes;
      });
    },
  };
}

function invalid(message: string, reason: string, data: Record<string, unknown> = {}): ReqRespError {
  return new ReqRespError(ReqRespErrorCode.INVALID_RESPONSE, message, { reason, ...data });
}

/** Slots of a by-range answer: inside the requested range, strictly increasing. */
function checkRange(slots: number[], startSlot: number, count: number): void {
  let previous = -1;
  for (const slot of slots) {
    if (slot < startSlot || slot >= startSlot + count)
      throw invalid("slot outside the range", "SLOT_OUT_OF_RANGE", { slot });
    if (slot <= previous) throw invalid("slots not increasing", "SLOTS_NOT_INCREASING", { slot });
    previous = slot;
  }
}

/** Roots of a by-root answer: each one requested, none twice. */
function checkRoots(got: Uint8Array[], wanted: Uint8Array[]): void {
  const want = new Set(wanted.map((r) => Buffer.from(r).toString("hex")));
  const seen = new Set<string>();
  for (const root of got) {
    const hex = Buffer.from(root).toString("hex");
    if (!want.has(hex)) throw invalid("unrequested root", "UNREQUESTED_ROOT", { root: hex });
    if (seen.has(hex)) throw invalid("duplicate root", "DUPLICATE_ROOT", { root: hex });
    seen.add(hex);
  }
}

function checkCount(count: number, max: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > max) {
    throw new ReqRespError(ReqRespErrorCode.INVALID_REQUEST, `count must be 1..${max}`, {
      reason: "LOCAL_BAD_REQUEST",
    });
  }
}
