import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { expirePooledTicket } from "../tickets/expirePooledTicket.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";

/**
 * `process_ticket_expiry`: with TICKET_EXPIRY_EPOCHS > 0, a pooled ticket bought that many
 * epochs ago leaves the pool and its price (still in escrow) goes back to its owner.
 * Walks the pool from the end so that swap-removal never skips an entry.
 */
export function processTicketExpiry(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  const expiryEpochs = ctx.config.TICKET_EXPIRY_EPOCHS;
  if (expiryEpochs === 0) return;
  const currentEpoch = computeEpochAtSlot(ctx, state.slot);
  for (let i = state.ticket_pool.length - 1; i >= 0; i--) {
    const ticket = state.ticket_pool.getReadonly(i);
    if (computeEpochAtSlot(ctx, ticket.purchase_slot) + expiryEpochs <= currentEpoch) {
      expirePooledTicket(cs, i);
    }
  }
}
