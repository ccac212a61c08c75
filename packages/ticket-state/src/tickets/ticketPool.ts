import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { ExecutionTicket } from "../types/index.ts";
import { ExecutionTicket as ExecutionTicketType } from "../types/sszTypes.ts";

/**
 * Remove pool entry `index` in O(1): the last ticket takes its place and the list shrinks by one.
 * Order in the pool carries no meaning; the lottery draws by index.
 */
export function swapRemoveFromPool(cs: CachedBeaconState, index: number): ExecutionTicket {
  const { state } = cs;
  const pool = state.ticket_pool;
  const removed = pool.getReadonly(index).toValue();
  const lastIndex = pool.length - 1;
  if (index !== lastIndex) {
    const last = pool.getReadonly(lastIndex).toValue();
    pool.set(index, ExecutionTicketType.toViewDU(last));
    cs.caches.tickets.note(last.ticket_id, index);
  }
  state.ticket_pool =
    lastIndex === 0 ? cs.ctx.ssz.BeaconState.fields.ticket_pool.defaultViewDU() : pool.sliceTo(lastIndex - 1);
  cs.caches.tickets.forget(removed.ticket_id);
  return removed;
}

export function appendToPool(cs: CachedBeaconState, ticket: ExecutionTicket): void {
  const pool = cs.state.ticket_pool;
  cs.caches.tickets.note(ticket.ticket_id, pool.length);
  pool.push(ExecutionTicketType.toViewDU(ticket));
}
