import { TicketStateError } from "@turnstile/ticket-state";

export const ForkChoiceErrorCode = {
  // on_block
  UNKNOWN_PARENT: "FORKCHOICE_UNKNOWN_PARENT",
  FUTURE_SLOT: "FORKCHOICE_FUTURE_SLOT",
  NOT_AFTER_FINALIZED: "FORKCHOICE_NOT_AFTER_FINALIZED",
  NOT_FINALIZED_DESCENDANT: "FORKCHOICE_NOT_FINALIZED_DESCENDANT",
  PARENT_PAYLOAD_UNKNOWN: "FORKCHOICE_PARENT_PAYLOAD_UNKNOWN",
  /** The block builds on a payload the execution layer found INVALID (or on a block that does). */
  INVALID_EXECUTION_ANCESTOR: "FORKCHOICE_INVALID_EXECUTION_ANCESTOR",
  // on_attestation
  UNKNOWN_BLOCK: "FORKCHOICE_UNKNOWN_BLOCK",
  FUTURE_VOTE: "FORKCHOICE_VOTE_FOR_FUTURE_SLOT",
  BAD_TARGET_EPOCH: "FORKCHOICE_BAD_TARGET_EPOCH",
  TARGET_SLOT_MISMATCH: "FORKCHOICE_TARGET_SLOT_MISMATCH",
  UNKNOWN_TARGET: "FORKCHOICE_UNKNOWN_TARGET",
  WRONG_TARGET: "FORKCHOICE_WRONG_TARGET",
  BLOCK_AFTER_VOTE: "FORKCHOICE_BLOCK_AFTER_VOTE",
  BAD_PAYLOAD_INDEX: "FORKCHOICE_BAD_PAYLOAD_INDEX",
  SAME_SLOT_FULL_VOTE: "FORKCHOICE_SAME_SLOT_FULL_VOTE",
  PAYLOAD_UNKNOWN: "FORKCHOICE_PAYLOAD_UNKNOWN",
  // on_payload_attestation
  NOT_CURRENT_SLOT: "FORKCHOICE_PAYLOAD_VOTE_NOT_CURRENT_SLOT",
  BAD_PTC_INDEX: "FORKCHOICE_BAD_PTC_INDEX",
  // on_invalid_payload
  /** No block commits to the payload the execution layer found INVALID. */
  UNKNOWN_PAYLOAD: "FORKCHOICE_UNKNOWN_PAYLOAD",
} as const;
export type ForkChoiceErrorCode = (typeof ForkChoiceErrorCode)[keyof typeof ForkChoiceErrorCode];

/** A message fork choice cannot take; the store is unchanged when this is thrown. */
export class ForkChoiceError extends TicketStateError<ForkChoiceErrorCode> {}
