import { type BeaconStateView, MAX_SYNTHETIC_MEV_GWEI } from "@turnstile/ticket-state";

/** What waiting costs a holder per slot, as a fraction of the price it has escrowed (capital is locked). */
export const HOLDING_COST_PER_SLOT = 0.01;

/** A holder's valuation of one ticket: the mean synthetic MEV of a slot times its appetite. */
export function ticketValuation(appetite: number): number {
  return Math.floor((MAX_SYNTHETIC_MEV_GWEI / 2) * appetite);
}

/**
 * Buy while the price plus the cost of waiting in the pool (one ticket is drawn per slot, so a
 * new ticket waits about `pool size` slots) is below the valuation, and the balance covers it.
 */
export function wantsTicket(state: BeaconStateView, buyerIndex: number, valuation: number): boolean {
  const price = state.ticket_price;
  const balance = state.buyers.getReadonly(buyerIndex).balance;
  const waitingCost = price * HOLDING_COST_PER_SLOT * state.ticket_pool.length;
  return price + waitingCost <= valuation && balance >= price;
}

/** Appetites from 0.2 to 1.2 of the mean MEV, evenly spread over `count` holders. */
export function appetiteOf(index: number, count: number): number {
  return 0.2 + (count > 1 ? index / (count - 1) : 1);
}
