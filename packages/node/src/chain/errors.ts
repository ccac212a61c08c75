import { TicketStateError } from "@turnstile/ticket-state";

export const ChainErrorCode = {
  ALREADY_KNOWN: "CHAIN_ALREADY_KNOWN",
  UNKNOWN_PARENT: "CHAIN_UNKNOWN_PARENT",
  PARENT_PAYLOAD_UNKNOWN: "CHAIN_PARENT_PAYLOAD_UNKNOWN",
  UNKNOWN_BLOCK: "CHAIN_UNKNOWN_BLOCK",
  PRUNED: "CHAIN_PRUNED",
  COMMITMENT_OUT_OF_WINDOW: "CHAIN_COMMITMENT_OUT_OF_WINDOW",
  COMMITMENT_WRONG_TICKET: "CHAIN_COMMITMENT_WRONG_TICKET",
  COMMITMENT_BAD_SIGNATURE: "CHAIN_COMMITMENT_BAD_SIGNATURE",
  OUT_OF_WINDOW: "CHAIN_OUT_OF_WINDOW",
  BAD_TARGET: "CHAIN_BAD_TARGET",
  BAD_COMMITTEE: "CHAIN_BAD_COMMITTEE",
  BAD_SIGNATURE: "CHAIN_BAD_SIGNATURE",
  UNKNOWN_ACCOUNT: "CHAIN_UNKNOWN_ACCOUNT",
  STALE_NONCE: "CHAIN_STALE_NONCE",
} as const;
export type ChainErrorCode = (typeof ChainErrorCode)[keyof typeof ChainErrorCode];

/** Why the chain did not import an object (beyond the state transition's own typed errors). */
export class ChainError extends TicketStateError<ChainErrorCode> {}
