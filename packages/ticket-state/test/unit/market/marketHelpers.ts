import {
  type CachedBeaconState,
  type ExecutionTicket,
  getTicketAssignment,
  isSelfBuild,
  type TicketAssignment,
} from "@turnstile/ticket-state";

/** The pooled tickets, in pool order. */
export function poolTickets(cs: CachedBeaconState): ExecutionTicket[] {
  const pool = cs.state.ticket_pool;
  return Array.from({ length: pool.length }, (_, i) => pool.getReadonly(i).toValue());
}

export function poolIds(cs: CachedBeaconState): number[] {
  return poolTickets(cs).map((t) => t.ticket_id);
}

/** The assignment ring, by ring position. */
export function ringEntries(cs: CachedBeaconState): TicketAssignment[] {
  const ring = cs.state.ticket_assignments;
  return Array.from({ length: ring.length }, (_, i) => ring.getReadonly(i).toValue());
}

/** The ticket assigned to `slot` (which must be in the ring's window). */
export function assigned(cs: CachedBeaconState, slot: number): ExecutionTicket {
  return getTicketAssignment(cs.ctx, cs.state, slot);
}

/** Tickets drawn for slots >= `fromSlot` and not yet settled: their price is still in escrow. */
export function unsettledAssigned(cs: CachedBeaconState, fromSlot: number): ExecutionTicket[] {
  return ringEntries(cs)
    .filter((a) => a.slot >= fromSlot && !isSelfBuild(a.ticket))
    .map((a) => a.ticket);
}

export function buyerBalances(cs: CachedBeaconState): number[] {
  const buyers = cs.state.buyers;
  return Array.from({ length: buyers.length }, (_, i) => buyers.getReadonly(i).balance);
}

export function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function sortedNumbers(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Tickets whose price is still escrowed in `cs`: pooled, or assigned to the current or a later slot. */
export function escrowedTickets(cs: CachedBeaconState): ExecutionTicket[] {
  return [...poolTickets(cs), ...unsettledAssigned(cs, cs.state.slot)];
}
