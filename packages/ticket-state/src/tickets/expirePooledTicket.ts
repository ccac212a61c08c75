import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { releaseTicketValue } from "./bondingCurve.ts";
import { swapRemoveFromPool } from "./ticketPool.ts";

/**
 * `expire_pooled_ticket`: pool entry `index` leaves the pool; its escrowed value (the price, or
 * under `bonding_curve` the curve's top point) and its collateral go back to its current owner.
 * An expired ticket never had a slot, so nothing of it is revenue. Shared by the epoch
 * (TICKET_EXPIRY_EPOCHS) and slot (TICKET_EXPIRY_SLOTS) expiry rules.
 */
export function expirePooledTicket(cs: CachedBeaconState, index: number): void {
  const removed = swapRemoveFromPool(cs, index);
  const owner = cs.state.buyers.get(removed.owner);
  owner.balance += releaseTicketValue(cs, removed) + removed.collateral;
}
