import type { Type } from "@chainsafe/ssz";
import type { SignedBeaconBlock, SignedExecutionPayloadEnvelope, SszTypes } from "@turnstile/ticket-state";
import { MAX_REQUEST_BLOCKS, MAX_REQUEST_PAYLOADS, PROTOCOL_PREFIX } from "../constants.ts";
import * as p2pSsz from "../sszTypes.ts";

/** The req/resp methods of DESIGN.md §7. */
export const ReqRespMethod = {
  STATUS: "status",
  GOODBYE: "goodbye",
  PING: "ping",
  METADATA: "metadata",
  BEACON_BLOCKS_BY_RANGE: "beacon_blocks_by_range",
  BEACON_BLOCKS_BY_ROOT: "beacon_blocks_by_root",
  EXECUTION_PAYLOAD_ENVELOPES_BY_RANGE: "execution_payload_envelopes_by_range",
  EXECUTION_PAYLOAD_ENVELOPES_BY_ROOT: "execution_payload_envelopes_by_root",
} as const;
export type ReqRespMethod = (typeof ReqRespMethod)[keyof typeof ReqRespMethod];

/**
 * One req/resp protocol: its request and response types, whether response chunks carry 4 context
 * bytes (the fork digest, as blocks do from altair's v2 and envelopes in Gloas) and how many chunks a
 * response may have at most (`single` protocols answer with exactly one).
 */
export interface ProtocolDefinition<Req = unknown, Resp = unknown> {
  method: ReqRespMethod;
  version: number;
  /** null: the request has no body (metadata). */
  requestType: Type<Req> | null;
  responseType: Type<Resp>;
  contextBytes: boolean;
  single: boolean;
  /** Upper bound on the response chunks of a (valid) request. */
  maxResponseChunks: number;
}

export function protocolId(def: Pick<ProtocolDefinition, "method" | "version">): string {
  return `${PROTOCOL_PREFIX}/${def.method}/${def.version}/ssz_snappy`;
}

export interface Protocols {
  status: ProtocolDefinition<p2pSsz.Status, p2pSsz.Status>;
  goodbye: ProtocolDefinition<number, number>;
  ping: ProtocolDefinition<number, number>;
  metadata: ProtocolDefinition<null, p2pSsz.Metadata>;
  blocksByRange: ProtocolDefinition<p2pSsz.BeaconBlocksByRangeRequest, SignedBeaconBlock>;
  blocksByRoot: ProtocolDefinition<Uint8Array[], SignedBeaconBlock>;
  envelopesByRange: ProtocolDefinition<p2pSsz.ExecutionPayloadEnvelopesByRangeRequest, SignedExecutionPayloadEnvelope>;
  envelopesByRoot: ProtocolDefinition<Uint8Array[], SignedExecutionPayloadEnvelope>;
}

export function getProtocols(ssz: SszTypes): Protocols {
  return {
    status: {
      method: "status",
      version: 1,
      requestType: p2pSsz.Status,
      responseType: p2pSsz.Status,
      contextBytes: false,
      single: true,
      maxResponseChunks: 1,
    },
    goodbye: {
      method: "goodbye",
      version: 1,
      requestType: p2pSsz.Goodbye,
      responseType: p2pSsz.Goodbye,
      contextBytes: false,
      single: false,
      maxResponseChunks: 1,
    },
    ping: {
      method: "ping",
      version: 1,
      requestType: p2pSsz.Ping,
      responseType: p2pSsz.Ping,
      contextBytes: false,
      single: true,
      maxResponseChunks: 1,
    },
    metadata: {
      method: "metadata",
      version: 1,
      requestType: null,
      responseType: p2pSsz.Metadata,
      contextBytes: false,
      single: true,
      maxResponseChunks: 1,
    },
    blocksByRange: {
      method: "beacon_blocks_by_range",
      version: 2,
      requestType: p2pSsz.BeaconBlocksByRangeRequest,
      responseType: ssz.SignedBeaconBlock,
      contextBytes: true,
      single: false,
      maxResponseChunks: MAX_REQUEST_BLOCKS,
    },
    blocksByRoot: {
      method: "beacon_blocks_by_root",
      version: 2,
      requestType: p2pSsz.BeaconBlocksByRootRequest,
      responseType: ssz.SignedBeaconBlock,
      contextBytes: true,
      single: false,
      maxResponseChunks: MAX_REQUEST_BLOCKS,
    },
    envelopesByRange: {
      method: "execution_payload_envelopes_by_range",
      version: 1,
      requestType: p2pSsz.ExecutionPayloadEnvelopesByRangeRequest,
      responseType: ssz.SignedExecutionPayloadEnvelope,
      contextBytes: true,
      single: false,
      maxResponseChunks: MAX_REQUEST_PAYLOADS,
    },
    envelopesByRoot: {
      method: "execution_payload_envelopes_by_root",
      version: 1,
      requestType: p2pSsz.ExecutionPayloadEnvelopesByRootRequest,
      responseType: ssz.SignedExecutionPayloadEnvelope,
      contextBytes: true,
      single: false,
      maxResponseChunks: MAX_REQUEST_PAYLOADS,
    },
  };
}
