import type { ExecutionPayload } from "../types/index.ts";
import type { BuildPayloadArgs } from "./deterministicEngine.ts";

export const PayloadStatus = { VALID: "VALID", INVALID: "INVALID", SYNCING: "SYNCING" } as const;
export type PayloadStatus = (typeof PayloadStatus)[keyof typeof PayloadStatus];

/**
 * What the state transition asks of an execution layer. `SYNCING` (parent unknown to the engine)
 * is accepted optimistically, as consensus clients do; only `INVALID` rejects an envelope.
 */
export interface ExecutionEngine {
  /** Judge a payload. Must not remember it: the envelope carrying it may still fail a later check. */
  notifyNewPayload(payload: ExecutionPayload): PayloadStatus;
  /** Remember a payload whose envelope passed every check, so that its descendants are judged against it. */
  recordPayload?(payload: ExecutionPayload): void;
  /**
   * Whether `payload` satisfies an inclusion list (inclusion lists): each listed transaction is in
   * the payload, or would be invalid appended at its end, or does not fit in the gas it leaves.
   * Engines without this check cannot be used to vote on inclusion lists.
   */
  isInclusionListSatisfied?(payload: ExecutionPayload, inclusionListTransactions: readonly Uint8Array[]): boolean;
}

/**
 * An engine that also builds payloads: what block production needs. The deterministic engine
 * builds synchronously; an Engine API client (packages/node) answers `buildPayload` with a payload
 * it prepared asynchronously beforehand. Block production still names the deterministic class;
 * it should take this interface instead.
 */
export interface PayloadBuildingEngine extends ExecutionEngine {
  buildPayload(args: BuildPayloadArgs): ExecutionPayload;
}
