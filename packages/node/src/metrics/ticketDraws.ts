import { type BeaconStateView, type ChainContext, getTicketAssignment, isSelfBuild } from "@turnstile/ticket-state";

/**
 * Tickets drawn from the pool while processing the slots after `parentSlot` up to the block's
 * slot, read from the block's post-state: `process_ticket_slot` draws for `slot + TICKET_LOOKAHEAD_SLOTS`
 * on entering each slot, and a self-build assignment (empty pool) is no draw. Only the assignment
 * ring's TICKET_LOOKAHEAD_SLOTS + 1 latest slots are kept, so draws of a longer run of empty slots
 * before the block are not seen.
 */
export function ticketsDrawn(ctx: ChainContext, postState: BeaconStateView, parentSlot: number): number {
  const lookahead = ctx.preset.TICKET_LOOKAHEAD_SLOTS;
  const slot = postState.slot;
  let drawn = 0;
  for (let s = Math.max(parentSlot + 1, slot - lookahead) + lookahead; s <= slot + lookahead; s++)
    if (!isSelfBuild(getTicketAssignment(ctx, postState, s))) drawn++;
  return drawn;
}
