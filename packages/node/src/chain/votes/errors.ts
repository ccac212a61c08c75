import { TicketStateError } from "@turnstile/ticket-state";

/** Why a vote (a SingleAttestation or a PayloadAttestationMessage) was not admitted from gossip. */
export const VoteErrorCode = {
  // beacon_attestation
  FUTURE_SLOT: "VOTE_FUTURE_SLOT",
  TOO_OLD: "VOTE_TOO_OLD",
  TARGET_EPOCH_MISMATCH: "VOTE_TARGET_EPOCH_MISMATCH",
  BAD_PAYLOAD_INDEX: "VOTE_BAD_PAYLOAD_INDEX",
  BAD_COMMITTEE_INDEX: "VOTE_BAD_COMMITTEE_INDEX",
  UNKNOWN_BLOCK: "VOTE_UNKNOWN_BLOCK",
  BLOCK_AFTER_VOTE: "VOTE_BLOCK_AFTER_VOTE",
  SAME_SLOT_FULL: "VOTE_SAME_SLOT_FULL",
  NOT_FINALIZED_DESCENDANT: "VOTE_NOT_FINALIZED_DESCENDANT",
  WRONG_TARGET: "VOTE_WRONG_TARGET",
  UNKNOWN_TARGET: "VOTE_UNKNOWN_TARGET",
  NOT_IN_COMMITTEE: "VOTE_NOT_IN_COMMITTEE",
  ALREADY_SEEN: "VOTE_ALREADY_SEEN",
  BAD_SIGNATURE: "VOTE_BAD_SIGNATURE",
  PAYLOAD_UNKNOWN: "VOTE_PAYLOAD_UNKNOWN",
  // payload_attestation_message
  PTC_NOT_CURRENT_SLOT: "PTC_VOTE_NOT_CURRENT_SLOT",
  PTC_UNKNOWN_BLOCK: "PTC_VOTE_UNKNOWN_BLOCK",
  PTC_BLOCK_SLOT_MISMATCH: "PTC_VOTE_BLOCK_SLOT_MISMATCH",
  PTC_INCONSISTENT_DATA: "PTC_VOTE_INCONSISTENT_DATA",
  PTC_NOT_MEMBER: "PTC_VOTE_NOT_MEMBER",
  PTC_ALREADY_SEEN: "PTC_VOTE_ALREADY_SEEN",
  PTC_BAD_SIGNATURE: "PTC_VOTE_BAD_SIGNATURE",
  // either: fork choice would not take the vote (its own code is in `data.forkChoiceCode`)
  FORK_CHOICE_REFUSED: "VOTE_FORK_CHOICE_REFUSED",
} as const;
export type VoteErrorCode = (typeof VoteErrorCode)[keyof typeof VoteErrorCode];

/** IGNORE drops the message; REJECT also penalises the peer that sent it. */
export type VoteVerdict = "IGNORE" | "REJECT";

/**
 * A vote refused at the gossip door: `action` tells the network whether to drop it or also
 * penalise its sender (network/verdict.ts honours both fields), `code` is what metrics count.
 */
export class VoteRejection extends TicketStateError<VoteErrorCode> {
  readonly action: VoteVerdict;

  constructor(action: VoteVerdict, code: VoteErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.action = action;
  }
}
