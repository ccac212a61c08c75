import type { BeaconStateView, SignedTicketPurchase } from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { appetiteOf, ticketValuation, wantsTicket } from "../tickets/valuation.ts";

/** A simulated buyer: one ticket per slot while `wantsTicket` says the price is right. */
export class TicketHolderAgent {
  readonly buyerIndex: number;
  readonly valuation: number;

  constructor(buyerIndex: number, appetite: number) {
    this.buyerIndex = buyerIndex;
    this.valuation = ticketValuation(appetite);
  }

  /** The purchase this agent makes for the next block, if any. */
  decide(chain: DevChain, state: BeaconStateView): SignedTicketPurchase | null {
    if (!wantsTicket(state, this.buyerIndex, this.valuation)) return null;
    return chain.signPurchase(this.buyerIndex, 1, this.valuation);
  }
}

export function createAgents(buyerCount: number): TicketHolderAgent[] {
  return Array.from({ length: buyerCount }, (_, i) => new TicketHolderAgent(i, appetiteOf(i, buyerCount)));
}
