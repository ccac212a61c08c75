import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { appendToPool } from "./ticketPool.ts";

/**
 * `mint_ticket`: a new ticket for `owner`, appended to the pool. The caller has already taken
 * `price` (escrowed on the ticket until it is used) and `collateral` (held until its slot is
 * settled) from the owner's balance. Every way a ticket comes to be (purchase, auction, curve,
 * grant) goes through here, so that each one carries the collateral its sale required.
 */
export function mintTicket(cs: CachedBeaconState, owner: number, price: number, collateral: number): void {
  const { state } = cs;
  const ticketId = state.next_ticket_id;
  appendToPool(cs, { ticket_id: ticketId, owner, purchase_slot: state.slot, price, collateral, nonce: 0 });
  state.next_ticket_id = ticketId + 1;
}
