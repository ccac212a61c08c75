import type { BeaconStateView } from "../types/index.ts";

/**
 * Ticket id → index in `state.ticket_pool`, as a hint: every answer is checked against the
 * state before use, and a wrong or missing hint falls back to one scan that refreshes all hints.
 * So one locator can serve every state of a chain (forks included) without ever being trusted.
 */
export class TicketLocator {
  private readonly hints = new Map<number, number>();

  /** Index of ticket `id` in the pool, or -1. */
  findInPool(state: BeaconStateView, id: number): number {
    const pool = state.ticket_pool;
    const hint = this.hints.get(id);
    if (hint !== undefined && hint < pool.length && pool.getReadonly(hint).ticket_id === id) return hint;
    let found = -1;
    const length = pool.length;
    for (let i = 0; i < length; i++) {
      const ticketId = pool.getReadonly(i).ticket_id;
      this.hints.set(ticketId, i);
      if (ticketId === id) found = i;
    }
    return found;
  }

  /** Record where a ticket now is (after an append or a swap-remove). */
  note(id: number, index: number): void {
    this.hints.set(id, index);
  }

  forget(id: number): void {
    this.hints.delete(id);
  }
}
