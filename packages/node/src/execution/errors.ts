import { TicketStateError } from "@turnstile/ticket-state";

export const EngineClientErrorCode = {
  /** A payload was asked for before `preparePayload` built it (the EL is reached asynchronously). */
  PAYLOAD_NOT_PREPARED: "ENGINE_PAYLOAD_NOT_PREPARED",
  /** The EL could not build on the parent (it answered SYNCING or INVALID for it). */
  BUILD_REFUSED: "ENGINE_BUILD_REFUSED",
  /** A payload imported optimistically turned out INVALID when the EL answered. */
  INVALID_AFTER_IMPORT: "ENGINE_INVALID_AFTER_IMPORT",
  /** The EL did not answer (unreachable, timed out, or a JSON-RPC error). */
  UNAVAILABLE: "ENGINE_UNAVAILABLE",
} as const;
export type EngineClientErrorCode = (typeof EngineClientErrorCode)[keyof typeof EngineClientErrorCode];

export class EngineClientError extends TicketStateError<EngineClientErrorCode> {}
