import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { readAllValues } from "../util/readAll.ts";
import type { AuctionPricing } from "./auctionSchedule.ts";
import { type AuctionOutcome, clearTicketAuction } from "./clearTicketAuction.ts";
import { mintTicket } from "./mintTicket.ts";

/**
 * `settle_ticket_auction`: close the open auction. Winners' tickets enter the pool with `price` =
 * what they paid (held in escrow as for a purchase) and TICKET_COLLATERAL each; each bid's unspent
 * escrow (overpayment, and price and collateral of units not won) goes back to its buyer; the book
 * empties and `ticket_price` shows the clearing price. Cannot fail: every bid's escrow was taken
 * at inclusion, and supply is capped by the pool's room.
 */
export function settleTicketAuction(cs: CachedBeaconState): AuctionOutcome {
  const { state, ctx } = cs;
  const bids = readAllValues(state.ticket_bids);
  const room = ctx.preset.TICKET_POOL_LIMIT - state.ticket_pool.length;
  const supply = Math.min(ctx.config.TICKETS_PER_AUCTION, room);
  const outcome = clearTicketAuction(
    bids.map((b) => ({ count: b.count, bidPrice: b.bid_price })),
    supply,
    ctx.config.MIN_TICKET_PRICE,
    ctx.config.TICKET_PRICING as AuctionPricing,
  );
  const collateral = ctx.config.TICKET_COLLATERAL;
  for (const i of outcome.ranking) {
    const bid = bids[i];
    const fill = outcome.fills[i];
    for (let k = 0; k < fill.won; k++) mintTicket(cs, bid.buyer_index, fill.pricePerTicket, collateral);
    const refund = fill.refund + (bid.count - fill.won) * collateral;
    if (refund > 0) state.buyers.get(bid.buyer_index).balance += refund;
  }
  state.ticket_price = outcome.clearingPrice;
  if (bids.length > 0) state.ticket_bids = ctx.ssz.BeaconState.fields.ticket_bids.defaultViewDU();
  return outcome;
}
