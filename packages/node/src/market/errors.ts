import { TicketStateError } from "@turnstile/ticket-state";

export const MarketErrorCode = {
  /** The sweep or setup file is not YAML, or not a mapping. */
  INVALID_YAML: "MARKET_INVALID_YAML",
  /** A key the lab does not know: a typo must never silently keep a default. */
  UNKNOWN_KEY: "MARKET_UNKNOWN_KEY",
  /** A value of the wrong type or out of range. */
  INVALID_VALUE: "MARKET_INVALID_VALUE",
  /** A mechanism the chain config does not offer (or the lab has no adapter for yet). */
  UNKNOWN_MECHANISM: "MARKET_UNKNOWN_MECHANISM",
} as const;
export type MarketErrorCode = (typeof MarketErrorCode)[keyof typeof MarketErrorCode];

/** Why the market lab refused a setup. */
export class MarketError extends TicketStateError<MarketErrorCode> {}
