import type { GossipAction } from "@turnstile/p2p";
import { TicketStateError } from "@turnstile/ticket-state";
import { ChainErrorCode } from "../chain/errors.ts";

/** Errors that say "not now" (a duplicate, a parent still missing) rather than "invalid". */
const IGNORE_CODES = new Set<string>([
  ChainErrorCode.ALREADY_KNOWN,
  ChainErrorCode.UNKNOWN_PARENT,
  ChainErrorCode.PARENT_PAYLOAD_UNKNOWN,
  ChainErrorCode.UNKNOWN_BLOCK,
  ChainErrorCode.PRUNED,
  "FORKCHOICE_FUTURE_SLOT",
  "FORKCHOICE_NOT_AFTER_FINALIZED",
  "BLOCK_SLOT_NOT_IN_FUTURE",
]);

/** The gossip verdict for what `node.import*` refused. */
export function verdictOf(error: unknown): { action: GossipAction; code: string } {
  const e = error as { action?: GossipAction; code?: string } | null;
  if (e?.action === "IGNORE" || e?.action === "REJECT") return { action: e.action, code: e.code ?? "UNSPECIFIED" };
  if (error instanceof TicketStateError) {
    return { action: IGNORE_CODES.has(error.code) ? "IGNORE" : "REJECT", code: error.code };
  }
  return { action: "IGNORE", code: "INTERNAL" };
}
