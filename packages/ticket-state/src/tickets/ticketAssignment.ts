import type { ChainContext } from "../config/chainContext.ts";
import { TicketStateError } from "../errors/TicketStateError.ts";
import { SELF_BUILD_TICKET_ID } from "../params/constants.ts";
import type { BeaconStateView, ExecutionTicket } from "../types/index.ts";

/** The ring position of `slot` in `state.ticket_assignments`. */
export function ticketAssignmentIndex(ctx: ChainContext, slot: number): number {
  return slot % (ctx.preset.TICKET_LOOKAHEAD_SLOTS + 1);
}

/** The ticket drawn for `slot` (self-build when its ticket_id is SELF_BUILD_TICKET_ID). */
export function getTicketAssignment(ctx: ChainContext, state: BeaconStateView, slot: number): ExecutionTicket {
  const assignment = state.ticket_assignments.getReadonly(ticketAssignmentIndex(ctx, slot));
  if (assignment.slot !== slot) {
    throw new TicketStateError("TICKET_ASSIGNMENT_OUT_OF_WINDOW", `no ticket assignment for slot ${slot}`, {
      slot,
      ringSlot: assignment.slot,
      stateSlot: state.slot,
    });
  }
  return assignment.ticket.toValue();
}

export function isSelfBuild(ticket: ExecutionTicket): boolean {
  return ticket.ticket_id === SELF_BUILD_TICKET_ID;
}

export function selfBuildTicket(): ExecutionTicket {
  return { ticket_id: SELF_BUILD_TICKET_ID, owner: 0, purchase_slot: 0, price: 0, collateral: 0, nonce: 0 };
}
