import type { ChainConfig } from "../config/chainConfig.ts";
import type { ChainContext } from "../config/chainContext.ts";

/** The pricing rules under which tickets are sold by sealed-bid auction, not at a posted price. */
export const AUCTION_PRICING_RULES = ["first_price_auction", "second_price_auction"] as const;
export type AuctionPricing = (typeof AUCTION_PRICING_RULES)[number];

/** `is_auction_pricing` */
export function isAuctionPricing(config: ChainConfig): boolean {
  return (AUCTION_PRICING_RULES as readonly string[]).includes(config.TICKET_PRICING);
}

/**
 * `compute_open_auction_slot`: the slot on whose entry the auction open during `slot` settles,
 * the first multiple of TICKET_AUCTION_PERIOD_SLOTS after `slot`. A block of slot `s` bids in it.
 */
export function computeOpenAuctionSlot(ctx: ChainContext, slot: number): number {
  const period = ctx.config.TICKET_AUCTION_PERIOD_SLOTS;
  return (Math.floor(slot / period) + 1) * period;
}

/** `is_auction_settlement_slot`: entering `slot` closes an auction (never at genesis). */
export function isAuctionSettlementSlot(ctx: ChainContext, slot: number): boolean {
  return slot > 0 && slot % ctx.config.TICKET_AUCTION_PERIOD_SLOTS === 0;
}
