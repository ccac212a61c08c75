import { TicketStateError } from "@turnstile/ticket-state";

export const ChainErrorCode = {
  ALREADY_KNOWN: "CHAIN_ALREADY_KNOWN",
  UNKNOWN_PARENT: "CHAIN_UNKNOWN_PARENT",
  PARENT_PAYLOAD_UNKNOWN: "CHAIN_PARENT_PAYLOAD_UNKNOWN",
  UNKNOWN_BLOCK: "CHAIN_UNKNOWN_BLOCK",
  PAYLOAD_UNKNOWN: "CHAIN_PAYLOAD_UNKNOWN",
  PRUNED: "CHAIN_PRUNED",
  FUTURE_SLOT: "CHAIN_FUTURE_SLOT",
  NOT_AFTER_FINALIZED: "CHAIN_NOT_AFTER_FINALIZED",
  REPEAT_PROPOSAL: "CHAIN_REPEAT_PROPOSAL",
  UNKNOWN_PROPOSER: "CHAIN_UNKNOWN_PROPOSER",
  BAD_PROPOSER_SIGNATURE: "CHAIN_BAD_PROPOSER_SIGNATURE",
  NOT_AFTER_PARENT: "CHAIN_NOT_AFTER_PARENT",
  NOT_FINALIZED_DESCENDANT: "CHAIN_NOT_FINALIZED_DESCENDANT",
  WRONG_PROPOSER: "CHAIN_WRONG_PROPOSER",
  ENVELOPE_WRONG_SLOT: "CHAIN_ENVELOPE_WRONG_SLOT",
  ENVELOPE_NO_PAYLOAD_COMMITTED: "CHAIN_ENVELOPE_NO_PAYLOAD_COMMITTED",
  ENVELOPE_WRONG_TICKET: "CHAIN_ENVELOPE_WRONG_TICKET",
  ENVELOPE_BLOCK_HASH_MISMATCH: "CHAIN_ENVELOPE_BLOCK_HASH_MISMATCH",
  ENVELOPE_BAD_SIGNATURE: "CHAIN_ENVELOPE_BAD_SIGNATURE",
  COMMITMENT_HEAD_BEHIND: "CHAIN_COMMITMENT_HEAD_BEHIND",
  COMMITMENT_OUT_OF_WINDOW: "CHAIN_COMMITMENT_OUT_OF_WINDOW",
  COMMITMENT_WRONG_TICKET: "CHAIN_COMMITMENT_WRONG_TICKET",
  COMMITMENT_BAD_SIGNATURE: "CHAIN_COMMITMENT_BAD_SIGNATURE",
  OUT_OF_WINDOW: "CHAIN_OUT_OF_WINDOW",
  BAD_TARGET: "CHAIN_BAD_TARGET",
  BAD_COMMITTEE: "CHAIN_BAD_COMMITTEE",
  BAD_SIGNATURE: "CHAIN_BAD_SIGNATURE",
  UNKNOWN_ACCOUNT: "CHAIN_UNKNOWN_ACCOUNT",
  STALE_NONCE: "CHAIN_STALE_NONCE",
  EXIT_ALREADY_SEEN: "CHAIN_EXIT_ALREADY_SEEN",
  PROPOSER_SLASHING_ALREADY_SEEN: "CHAIN_PROPOSER_SLASHING_ALREADY_SEEN",
  ATTESTER_SLASHING_NO_NEW_INDEX: "CHAIN_ATTESTER_SLASHING_NO_NEW_INDEX",
  /** Ticket market: the chain's pricing rule has no such operation (a bid without auctions, a sell-back without a curve). */
  MARKET_WRONG_PRICING: "CHAIN_MARKET_WRONG_PRICING",
  /** Ticket market: an operation for the same account nonce, offer or slot's ticket was seen first. */
  MARKET_ALREADY_SEEN: "CHAIN_MARKET_ALREADY_SEEN",
  /** Ticket market: a nonce further ahead of the account's than one block could catch up (see MAX_*): it could sit pooled for good. */
  NONCE_TOO_FAR: "CHAIN_NONCE_TOO_FAR",
  /** Ticket market: a bid for an auction that is not open now (settled, or not yet open). */
  BID_OUT_OF_WINDOW: "CHAIN_BID_OUT_OF_WINDOW",
  /** Ticket market: an offer (or a fill of one) past its expiry slot. */
  OFFER_EXPIRED: "CHAIN_OFFER_EXPIRED",
  /** Ticket market: an offer whose expiry is further ahead than an offer may live (MAX_OFFER_LIFETIME_SLOTS). */
  OFFER_OUT_OF_WINDOW: "CHAIN_OFFER_OUT_OF_WINDOW",
  /** Ticket market: an offer for a ticket our head does not know, or not transferable (used, settled, in use now). */
  OFFER_UNKNOWN_TICKET: "CHAIN_OFFER_UNKNOWN_TICKET",
  /** Ticket market: an offer whose seller does not own the ticket, or not as of the ownership it names (ticket nonce). */
  OFFER_NOT_OWNER: "CHAIN_OFFER_NOT_OWNER",
  /** Ticket market: the operation does not apply to our head now (ticket moved, balance, collateral gone...). */
  MARKET_NOT_APPLICABLE: "CHAIN_MARKET_NOT_APPLICABLE",
  /** Ticket market: the operation breaks a rule no chain state can satisfy (a bid's count or price out of bounds). */
  MARKET_MALFORMED: "CHAIN_MARKET_MALFORMED",
} as const;
export type ChainErrorCode = (typeof ChainErrorCode)[keyof typeof ChainErrorCode];

/** Why the chain did not import an object (beyond the state transition's own typed errors). */
export class ChainError extends TicketStateError<ChainErrorCode> {}

/** The code given to an untyped error: a bug, or input no check foresaw. */
export const UNEXPECTED_ERROR_CODE = "UNEXPECTED";

/** The code of a typed error, or UNEXPECTED_ERROR_CODE for anything else. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : UNEXPECTED_ERROR_CODE;
}

/** What a gossip verdict does with a message: drop it (IGNORE), or drop it and penalise the sender (REJECT). */
export type GossipRejectAction = "IGNORE" | "REJECT";

/**
 * A gossip message that may not enter the node, with the verdict for the network: the p2p layer
 * reads `action` and `code` (IGNORE drops, REJECT also lowers the sender's score).
 */
export class GossipValidationError extends ChainError {
  readonly action: GossipRejectAction;

  constructor(action: GossipRejectAction, code: ChainErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.action = action;
  }
}
