import { TicketStateError } from "@turnstile/ticket-state";

/**
 * Typed errors of the network: the same base as the state transition's (a stable `code` for
 * programs and counters, the offending values in `data`). Every failure a peer can cause surfaces
 * as one of these, never as a crash.
 */
export class P2pError<Code extends string = string> extends TicketStateError<Code> {}

/** Why bytes are not a valid ssz_snappy payload (req/resp) or snappy block (gossip). */
export const SszSnappyErrorCode = {
  INVALID_VARINT: "SSZ_SNAPPY_INVALID_VARINT",
  LENGTH_OUT_OF_BOUNDS: "SSZ_SNAPPY_LENGTH_OUT_OF_BOUNDS",
  MISSING_STREAM_IDENTIFIER: "SSZ_SNAPPY_MISSING_STREAM_IDENTIFIER",
  RESERVED_FRAME_TYPE: "SSZ_SNAPPY_RESERVED_FRAME_TYPE",
  FRAME_TOO_LARGE: "SSZ_SNAPPY_FRAME_TOO_LARGE",
  INVALID_CHECKSUM: "SSZ_SNAPPY_INVALID_CHECKSUM",
  INVALID_SNAPPY: "SSZ_SNAPPY_INVALID_SNAPPY",
  TOO_MANY_ENCODED_BYTES: "SSZ_SNAPPY_TOO_MANY_ENCODED_BYTES",
  TOO_MANY_DECODED_BYTES: "SSZ_SNAPPY_TOO_MANY_DECODED_BYTES",
  UNEXPECTED_EOF: "SSZ_SNAPPY_UNEXPECTED_EOF",
  TRAILING_BYTES: "SSZ_SNAPPY_TRAILING_BYTES",
} as const;
export type SszSnappyErrorCode = (typeof SszSnappyErrorCode)[keyof typeof SszSnappyErrorCode];
export class SszSnappyError extends P2pError<SszSnappyErrorCode> {}

/** Why a req/resp interaction failed, on either side. */
export const ReqRespErrorCode = {
  // requesting side
  DIAL_FAILED: "REQRESP_DIAL_FAILED",
  TTFB_TIMEOUT: "REQRESP_TTFB_TIMEOUT",
  RESP_TIMEOUT: "REQRESP_RESP_TIMEOUT",
  ERROR_RESPONSE: "REQRESP_ERROR_RESPONSE",
  INVALID_RESPONSE: "REQRESP_INVALID_RESPONSE",
  WRONG_CONTEXT_BYTES: "REQRESP_WRONG_CONTEXT_BYTES",
  TOO_MANY_CHUNKS: "REQRESP_TOO_MANY_CHUNKS",
  EMPTY_RESPONSE: "REQRESP_EMPTY_RESPONSE",
  STREAM_ERROR: "REQRESP_STREAM_ERROR",
  PEER_BANNED: "REQRESP_PEER_BANNED",
  NOT_STARTED: "REQRESP_NOT_STARTED",
  // responding side
  REQUEST_TIMEOUT: "REQRESP_REQUEST_TIMEOUT",
  INVALID_REQUEST: "REQRESP_INVALID_REQUEST",
  RATE_LIMITED: "REQRESP_RATE_LIMITED",
  SERVER_ERROR: "REQRESP_SERVER_ERROR",
  RESOURCE_UNAVAILABLE: "REQRESP_RESOURCE_UNAVAILABLE",
} as const;
export type ReqRespErrorCode = (typeof ReqRespErrorCode)[keyof typeof ReqRespErrorCode];
export class ReqRespError extends P2pError<ReqRespErrorCode> {}

/** Misuse of the gossip API by the local node (not peer faults). */
export const GossipErrorCode = {
  UNKNOWN_TOPIC: "GOSSIP_UNKNOWN_TOPIC",
  ALREADY_SUBSCRIBED: "GOSSIP_ALREADY_SUBSCRIBED",
  MESSAGE_TOO_LARGE: "GOSSIP_MESSAGE_TOO_LARGE",
  NOT_STARTED: "GOSSIP_NOT_STARTED",
} as const;
export type GossipErrorCode = (typeof GossipErrorCode)[keyof typeof GossipErrorCode];
export class GossipError extends P2pError<GossipErrorCode> {}

/** What a gossip validator decided. ACCEPT forwards and delivers; IGNORE drops; REJECT drops and penalises. */
export type GossipAction = "ACCEPT" | "IGNORE" | "REJECT";

/**
 * Thrown by a gossip validator to IGNORE or REJECT with a reason code that the counters record
 * (`[REJECT] the commitment is signed by the ticket's owner` → `throw new GossipValidationError("REJECT",
 * "COMMITMENT_BAD_SIGNATURE")`). Any object with `action: "IGNORE" | "REJECT"` is understood the same way,
 * so the node may throw its own error classes.
 */
export class GossipValidationError extends P2pError {
  readonly action: "IGNORE" | "REJECT";

  constructor(action: "IGNORE" | "REJECT", code: string, message = code, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.action = action;
  }
}
