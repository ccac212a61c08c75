import type { CompositeViewDU } from "@chainsafe/ssz";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { TicketError, TicketErrorCode } from "../errors/index.ts";
import { getTicketTransferSignatureSet } from "../signatureSets/index.ts";
import { ticketAssignmentIndex } from "../tickets/ticketAssignment.ts";
import type { SignedTicketTransfer } from "../types/index.ts";
import type { ExecutionTicket } from "../types/sszTypes.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/**
 * Where a transferable ticket is: in the pool, or assigned to a slot after the current one.
 * A ticket assigned to the current (or a past) slot is in use and can no longer change hands.
 */
export function findTransferableTicket(
  cs: CachedBeaconState,
  ticketId: number,
): CompositeViewDU<typeof ExecutionTicket> | null {
  const { state, ctx } = cs;
  if (ticketId >= state.next_ticket_id) return null;
  // The ring first: it is O(lookahead), while a pool miss costs a scan
  for (let slot = state.slot + 1; slot <= state.slot + ctx.preset.TICKET_LOOKAHEAD_SLOTS; slot++) {
    const assignment = state.ticket_assignments.get(ticketAssignmentIndex(ctx, slot));
    if (assignment.slot === slot && assignment.ticket.ticket_id === ticketId) return assignment.ticket;
  }
  const poolIndex = cs.caches.tickets.findInPool(state, ticketId);
  return poolIndex >= 0 ? state.ticket_pool.get(poolIndex) : null;
}

/** Whether ticket `id` is assigned to the current slot: in use, hence not transferable. */
export function isTicketInUse(cs: CachedBeaconState, ticketId: number): boolean {
  const assignment = cs.state.ticket_assignments.getReadonly(ticketAssignmentIndex(cs.ctx, cs.state.slot));
  return assignment.slot === cs.state.slot && assignment.ticket.ticket_id === ticketId;
}

/** `process_ticket_transfer`: the current owner hands a pooled or future-assigned ticket to another account. */
export function processTicketTransfer(
  cs: CachedBeaconState,
  signed: SignedTicketTransfer,
  bctx: BlockProcessingContext,
): void {
  const { state } = cs;
  const transfer = signed.message;
  for (const index of [transfer.from, transfer.to]) {
    if (index >= state.buyers.length) {
      throw new TicketError(TicketErrorCode.UNKNOWN_BUYER, "unknown buyer account", { buyerIndex: index });
    }
  }
  if (transfer.from === transfer.to) {
    throw new TicketError(TicketErrorCode.SELF_TRANSFER, "transfer to the same account", { buyerIndex: transfer.from });
  }
  const from = state.buyers.get(transfer.from);
  if (transfer.nonce !== from.nonce) {
    throw new TicketError(TicketErrorCode.WRONG_NONCE, "transfer nonce is not the account's next nonce", {
      nonce: transfer.nonce,
      expected: from.nonce,
    });
  }
  const ticket = findTransferableTicket(cs, transfer.ticket_id);
  if (ticket === null) {
    const inUse = isTicketInUse(cs, transfer.ticket_id);
    throw new TicketError(
      inUse ? TicketErrorCode.NOT_TRANSFERABLE : TicketErrorCode.UNKNOWN_TICKET,
      inUse ? "ticket is assigned to the current slot" : "ticket is neither pooled nor assigned to a future slot",
      { ticketId: transfer.ticket_id },
    );
  }
  if (ticket.owner !== transfer.from) {
    throw new TicketError(TicketErrorCode.NOT_OWNER, "only the ticket's owner may transfer it", {
      ticketId: transfer.ticket_id,
      owner: ticket.owner,
      from: transfer.from,
    });
  }
  collectSignatureSet(bctx, () => getTicketTransferSignatureSet(cs, signed, from.pubkey));
  ticket.owner = transfer.to;
  // A new ownership: offers the previous owner signed no longer apply
  ticket.nonce += 1;
  from.nonce += 1;
}
