import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { expirePooledTicket } from "./expirePooledTicket.ts";

/**
 * `process_ticket_slot_expiry`: with TICKET_EXPIRY_SLOTS > 0, on entering slot `s` every pooled
 * ticket with `purchase_slot + TICKET_EXPIRY_SLOTS <= s` leaves the pool before the slot's draw,
 * and its escrowed value and collateral go back to its owner (as with TICKET_EXPIRY_EPOCHS). A
 * ticket is thus drawable on entering `purchase_slot .. purchase_slot + TICKET_EXPIRY_SLOTS - 1`.
 * O(pool) per slot when enabled: walks from the end so that swap-removal never skips an entry.
 */
export function processTicketSlotExpiry(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  const expirySlots = ctx.config.TICKET_EXPIRY_SLOTS;
  if (expirySlots === 0) return;
  for (let i = state.ticket_pool.length - 1; i >= 0; i--) {
    if (state.ticket_pool.getReadonly(i).purchase_slot + expirySlots <= state.slot) expirePooledTicket(cs, i);
  }
}
