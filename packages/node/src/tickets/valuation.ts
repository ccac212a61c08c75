import { type BeaconStateView, type ChainConfig, MAX_SYNTHETIC_MEV_GWEI } from "@turnstile/ticket-state";

/** What waiting costs a holder per slot, as a fraction of the price it has escrowed (capital is locked). */
export const HOLDING_COST_PER_SLOT = 0.01;

/** What a holder expects a slot's MEV to be before it has realised any: the synthetic MEV's mean (Gwei). */
export const PRIOR_MEV_GWEI = MAX_SYNTHETIC_MEV_GWEI / 2;
/** Weight of the latest realised MEV in a holder's running estimate (an exponential moving average). */
export const REALISED_MEV_WEIGHT = 0.2;

/** A holder's valuation of one ticket: its estimate of a slot's MEV (the prior until it realised some) times its appetite. */
export function ticketValuation(appetite: number, meanMevGwei: number = PRIOR_MEV_GWEI): number {
  return Math.floor(meanMevGwei * appetite);
}

/**
 * The holder's estimate of a slot's MEV after a payload of its own realised `realisedGwei` (its
 * arbitrage's profit at the reference price, on a real EVM): an exponential moving average.
 */
export function updateMevEstimate(estimate: number, realisedGwei: number, weight = REALISED_MEV_WEIGHT): number {
  return (1 - weight) * estimate + weight * Math.max(0, realisedGwei);
}

/**
 * Buy while the price plus the cost of waiting in the pool (one ticket is drawn per slot, so a
 * new ticket waits about `pool size` slots) is below the valuation, and the balance covers it and
 * the holder collateral posted with it (TICKET_COLLATERAL).
 */
export function wantsTicket(state: BeaconStateView, buyerIndex: number, valuation: number, collateral = 0): boolean {
  const price = state.ticket_price;
  const balance = state.buyers.getReadonly(buyerIndex).balance;
  const waitingCost = price * HOLDING_COST_PER_SLOT * state.ticket_pool.length;
  return price + waitingCost <= valuation && balance >= price + collateral;
}

/** Appetites from 0.2 to 1.2 of the mean MEV, evenly spread over `count` holders. */
export function appetiteOf(index: number, count: number): number {
  return 0.2 + (count > 1 ? index / (count - 1) : 1);
}

/**
 * First-price auctions: a holder bids this share of its value. With n bidders whose values are
 * uniform, the symmetric equilibrium bid is (n - 1) / n of the value; 3/4 is that for the devnet's
 * four holders. A second-price auction needs no shading: bidding the value is the dominant strategy.
 */
export const FIRST_PRICE_BID_SHARE = 0.75;

/**
 * What a ticket is worth to a holder now: its valuation less the cost of waiting in the pool for a
 * draw (about `pool size` slots at HOLDING_COST_PER_SLOT of the value per slot).
 */
export function waitingAdjustedValue(state: BeaconStateView, valuation: number): number {
  return Math.floor(valuation / (1 + HOLDING_COST_PER_SLOT * state.ticket_pool.length));
}

/**
 * The sealed bid for one ticket under the chain's auction (`first_price_auction` shades, the
 * second-price one bids the value), or null when the holder should not bid: the bid would be below
 * the reserve (MIN_TICKET_PRICE), or the balance does not cover the escrow (bid plus TICKET_COLLATERAL).
 */
export function auctionBidPrice(
  state: BeaconStateView,
  config: Pick<ChainConfig, "TICKET_PRICING" | "MIN_TICKET_PRICE" | "MAX_TICKET_PRICE" | "TICKET_COLLATERAL">,
  buyerIndex: number,
  valuation: number,
): number | null {
  const value = waitingAdjustedValue(state, valuation);
  const shaded = config.TICKET_PRICING === "first_price_auction" ? Math.floor(value * FIRST_PRICE_BID_SHARE) : value;
  const bid = Math.min(shaded, config.MAX_TICKET_PRICE);
  if (bid < config.MIN_TICKET_PRICE) return null;
  if (state.buyers.getReadonly(buyerIndex).balance < bid + config.TICKET_COLLATERAL) return null;
  return bid;
}

/**
 * Under `bonding_curve`: sell a pooled ticket back when the curve pays (its top point, less the
 * fee) more than the ticket is worth to the holder. Returns the payout to ask for, or null.
 */
export function sellBackPayout(payout: number, state: BeaconStateView, valuation: number): number | null {
  return payout > waitingAdjustedValue(state, valuation) ? payout : null;
}
