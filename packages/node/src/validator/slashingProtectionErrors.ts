import { TicketStateError } from "@turnstile/ticket-state";

/** Why slashing protection refused to sign, or refused an interchange file or a database. */
export const SlashingProtectionErrorCode = {
  // Refusals to sign (EIP-3076 conditions)
  DOUBLE_BLOCK_PROPOSAL: "SLASHING_PROTECTION_DOUBLE_BLOCK_PROPOSAL",
  BLOCK_SLOT_BELOW_WATERMARK: "SLASHING_PROTECTION_BLOCK_SLOT_BELOW_WATERMARK",
  DOUBLE_VOTE: "SLASHING_PROTECTION_DOUBLE_VOTE",
  SURROUNDING_VOTE: "SLASHING_PROTECTION_SURROUNDING_VOTE",
  SURROUNDED_VOTE: "SLASHING_PROTECTION_SURROUNDED_VOTE",
  SOURCE_BELOW_WATERMARK: "SLASHING_PROTECTION_SOURCE_BELOW_WATERMARK",
  TARGET_BELOW_WATERMARK: "SLASHING_PROTECTION_TARGET_BELOW_WATERMARK",
  SOURCE_AFTER_TARGET: "SLASHING_PROTECTION_SOURCE_AFTER_TARGET",
  /** A ticket holder's key already committed to another payload for this slot (a holder slashing). */
  DOUBLE_PAYLOAD_COMMITMENT: "SLASHING_PROTECTION_DOUBLE_PAYLOAD_COMMITMENT",
  /** A commitment for a slot whose records were pruned: it cannot be checked, so it is not signed. */
  COMMITMENT_SLOT_PRUNED: "SLASHING_PROTECTION_COMMITMENT_SLOT_PRUNED",
  /** The database could not be read or written: nothing is signed (fail closed). */
  DATABASE_FAILURE: "SLASHING_PROTECTION_DATABASE_FAILURE",
  // Databases and interchange files
  GENESIS_VALIDATORS_ROOT_MISMATCH: "SLASHING_PROTECTION_GENESIS_VALIDATORS_ROOT_MISMATCH",
  UNSUPPORTED_INTERCHANGE_VERSION: "SLASHING_PROTECTION_UNSUPPORTED_INTERCHANGE_VERSION",
  INVALID_INTERCHANGE: "SLASHING_PROTECTION_INVALID_INTERCHANGE",
  NO_DATABASE: "SLASHING_PROTECTION_NO_DATABASE",
  /** The database could not be opened: typically a running node holds it. */
  DATABASE_UNAVAILABLE: "SLASHING_PROTECTION_DATABASE_UNAVAILABLE",
} as const;
export type SlashingProtectionErrorCode =
  (typeof SlashingProtectionErrorCode)[keyof typeof SlashingProtectionErrorCode];

export class SlashingProtectionError extends TicketStateError<SlashingProtectionErrorCode> {}
