import { type GossipAction, GossipValidationError, PeerAction } from "@turnstile/p2p";
import { TicketStateError } from "@turnstile/ticket-state";
import { ChainErrorCode, errorCode } from "../chain/errors.ts";

/** Errors that say "not now" (a duplicate, a parent still missing) rather than "invalid". */
const IGNORE_CODES = new Set<string>([
  ChainErrorCode.ALREADY_KNOWN,
  ChainErrorCode.UNKNOWN_PARENT,
  ChainErrorCode.PARENT_PAYLOAD_UNKNOWN,
  ChainErrorCode.UNKNOWN_BLOCK,
  ChainErrorCode.PAYLOAD_UNKNOWN,
  ChainErrorCode.PRUNED,
  ChainErrorCode.FUTURE_SLOT,
  ChainErrorCode.NOT_AFTER_FINALIZED,
  "FORKCHOICE_FUTURE_SLOT",
  "FORKCHOICE_NOT_AFTER_FINALIZED",
  "BLOCK_SLOT_NOT_IN_FUTURE",
]);

/** What the network does with a peer's message, and why (the error code, for counters and logs). */
export interface Verdict {
  action: GossipAction;
  code: string;
}

/**
 * The gossip verdict for what `node.import*` refused: the error's own action when it has one, IGNORE
 * or REJECT by code for the state transition's typed errors, and REJECT for anything untyped. An
 * untyped error is something a peer's message made us throw that no check foresaw: it counts against
 * that peer (the gossip score), rather than being free to repeat.
 */
export function verdictOf(error: unknown): Verdict {
  const e = error as { action?: GossipAction; code?: string } | null;
  if (e?.action === "IGNORE" || e?.action === "REJECT") return { action: e.action, code: e.code ?? "UNSPECIFIED" };
  if (error instanceof TicketStateError) {
    return { action: IGNORE_CODES.has(error.code) ? "IGNORE" : "REJECT", code: error.code };
  }
  return { action: "REJECT", code: errorCode(error) };
}

/**
 * A penalty beyond the verdict, for IGNOREd messages no honest peer sends: the spec IGNOREs a block
 * from a future slot (clocks disagree a little), but one more than an epoch ahead of our clock is
 * no clock disparity, and a flood of them would otherwise cost its sender nothing.
 */
export function peerPenaltyOf(error: unknown, slotsPerEpoch: number): PeerAction | null {
  if (errorCode(error) !== ChainErrorCode.FUTURE_SLOT) return null;
  const data = (error as { data?: { slot?: number; latestSlot?: number } }).data;
  if (data?.slot === undefined || data.latestSlot === undefined) return null;
  return data.slot > data.latestSlot + slotsPerEpoch ? PeerAction.MID_TOLERANCE : null;
}

/** Told of every gossip message's verdict (metrics, logs); `error` is null for ACCEPT. */
export type VerdictListener = (topic: string, verdict: Verdict, error: unknown, peer: string) => void;

/**
 * A p2p gossip validator from a node import function: ACCEPT once the import returns, otherwise
 * the thrown error's verdict, thrown as a GossipValidationError that the p2p layer reports to
 * gossipsub (REJECT lowers the sender's score) and counts by code.
 */
export function gossipValidator<T>(
  topic: string,
  importIt: (value: T) => unknown,
  onVerdict: VerdictListener,
): (value: T, from: { toString(): string }) => Promise<GossipAction> {
  return async (value, from) => {
    try {
      await importIt(value);
    } catch (e) {
      const verdict = verdictOf(e);
      onVerdict(topic, verdict, e, from.toString());
      throw new GossipValidationError(verdict.action as "IGNORE" | "REJECT", verdict.code, (e as Error)?.message);
    }
    onVerdict(topic, { action: "ACCEPT", code: "OK" }, null, from.toString());
    return "ACCEPT";
  };
}
