import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { TicketError, TicketErrorCode } from "../errors/index.ts";
import { getTicketPurchaseSignatureSet } from "../signatureSets/index.ts";
import { isAuctionPricing } from "../tickets/auctionSchedule.ts";
import { computePurchasePrices, isBondingCurve, mintOnCurve } from "../tickets/bondingCurve.ts";
import { mintTicket } from "../tickets/mintTicket.ts";
import type { SignedTicketPurchase } from "../types/index.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/**
 * `process_ticket_purchase`: buy `count` tickets at the current price. The price is held in
 * escrow with the ticket (`ticket.price`) and becomes revenue when the ticket is used or forfeited.
 */
export function processTicketPurchase(
  cs: CachedBeaconState,
  signed: SignedTicketPurchase,
  bctx: BlockProcessingContext,
): void {
  const { state, ctx } = cs;
  const purchase = signed.message;
  // assert not is_auction_pricing(): under auction pricing tickets are sold only by bid
  if (isAuctionPricing(ctx.config)) {
    throw new TicketError(TicketErrorCode.PURCHASE_UNDER_AUCTION, "tickets are sold by auction only", {
      pricing: ctx.config.TICKET_PRICING,
    });
  }
  if (purchase.buyer_index >= state.buyers.length) {
    throw new TicketError(TicketErrorCode.UNKNOWN_BUYER, "unknown buyer account", { buyerIndex: purchase.buyer_index });
  }
  const buyer = state.buyers.get(purchase.buyer_index);
  if (purchase.nonce !== buyer.nonce) {
    throw new TicketError(TicketErrorCode.WRONG_NONCE, "purchase nonce is not the account's next nonce", {
      nonce: purchase.nonce,
      expected: buyer.nonce,
    });
  }
  if (purchase.count === 0 || purchase.count > ctx.preset.MAX_TICKETS_PER_PURCHASE) {
    throw new TicketError(TicketErrorCode.BAD_COUNT, "ticket count out of range", {
      count: purchase.count,
      max: ctx.preset.MAX_TICKETS_PER_PURCHASE,
    });
  }
  // The tickets' prices in order (all ticket_price, or along the bonding curve); max_price bounds the highest
  const prices = computePurchasePrices(cs, purchase.count);
  const price = prices[prices.length - 1];
  if (price > purchase.max_price) {
    throw new TicketError(TicketErrorCode.PRICE_ABOVE_MAX, "ticket price is above the buyer's maximum", {
      price,
      maxPrice: purchase.max_price,
    });
  }
  // Each ticket costs its price plus the holder collateral (TICKET_COLLATERAL, 0 when off)
  const collateral = ctx.config.TICKET_COLLATERAL;
  const priceTotal = prices.reduce((sum, p) => sum + p, 0);
  const cost = priceTotal + purchase.count * collateral;
  if (buyer.balance < cost) {
    throw new TicketError(TicketErrorCode.INSUFFICIENT_BALANCE, "balance does not cover the purchase", {
      balance: buyer.balance,
      cost,
    });
  }
  const pool = state.ticket_pool;
  if (pool.length + purchase.count > ctx.preset.TICKET_POOL_LIMIT) {
    throw new TicketError(TicketErrorCode.POOL_FULL, "ticket pool has no room", {
      poolSize: pool.length,
      count: purchase.count,
    });
  }
  collectSignatureSet(bctx, () => getTicketPurchaseSignatureSet(cs, signed, buyer.pubkey));

  buyer.balance -= cost;
  buyer.nonce += 1;
  for (let i = 0; i < purchase.count; i++) {
    mintTicket(cs, purchase.buyer_index, prices[i], collateral);
  }
  if (isBondingCurve(ctx.config)) mintOnCurve(cs, purchase.count, priceTotal);
  state.tickets_sold_in_slot += purchase.count;
}
