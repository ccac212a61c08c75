import { type BeaconStateView, MAX_SYNTHETIC_MEV_GWEI, type SignedTicketPurchase } from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";

/** What waiting costs a holder per slot, as a fraction of the price it has escrowed (capital is locked). */
export const HOLDING_COST_PER_SLOT = 0.01;

/**
 * A ticket buyer that values a ticket at the mean synthetic MEV of a slot times its own
 * appetite, less the cost of the escrowed price while the ticket waits in the pool (one ticket is
 * drawn per slot, so a new ticket waits about `pool size` slots), and buys one ticket per slot
 * while the price is below that. Different appetites spread the demand curve.
 */
export class TicketHolderAgent {
  readonly buyerIndex: number;
  readonly valuation: number;

  constructor(buyerIndex: number, appetite: number) {
    this.buyerIndex = buyerIndex;
    this.valuation = Math.floor((MAX_SYNTHETIC_MEV_GWEI / 2) * appetite);
  }

  /** The purchase this agent makes for the next block, if any. */
  decide(chain: DevChain, state: BeaconStateView): SignedTicketPurchase | null {
    const price = state.ticket_price;
    const balance = state.buyers.getReadonly(this.buyerIndex).balance;
    const waitingCost = price * HOLDING_COST_PER_SLOT * state.ticket_pool.length;
    if (price + waitingCost > this.valuation || balance < price) return null;
    return chain.signPurchase(this.buyerIndex, 1, this.valuation);
  }
}

/** Appetites from 0.2 to 1.2 of the mean MEV, evenly spread over the agents. */
export function createAgents(buyerCount: number): TicketHolderAgent[] {
  return Array.from(
    { length: buyerCount },
    (_, i) => new TicketHolderAgent(i, 0.2 + (buyerCount > 1 ? i / (buyerCount - 1) : 1)),
  );
}
