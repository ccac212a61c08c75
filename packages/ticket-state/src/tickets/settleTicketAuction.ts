import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { ExecutionTicket } from "../types/sszTypes.ts";
import { readAllValues } from "../util/readAll.ts";
import type { AuctionPricing } from "./auctionSchedule.ts";
import { type AuctionOutcome, clearTicketAuction } from "./clearTicketAuction.ts";
import { appendToPool } from "./ticketPool.ts";

/**
 * `settle_ticket_auction`: close the open auction. Winners' tickets enter the pool with `price` =
 * what they paid (held in escrow as for a purchase); each bid's unspent escrow goes back to its
 * buyer; the book empties and `ticket_price` shows the clearing price. Cannot fail: every bid's
 * escrow was taken at inclusion, and supply is capped by the pool's room.
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
  for (const i of outcome.ranking) {
    const bid = bids[i];
    const fill = outcome.fills[i];
    for (let k = 0; k < fill.won; k++) {
      const ticketId = state.next_ticket_id;
      appendToPool(cs, {
        ...ExecutionTicket.defaultValue(),
        ticket_id: ticketId,
        owner: bid.buyer_index,
        purchase_slot: state.slot,
        price: fill.pricePerTicket,
      });
      state.next_ticket_id = ticketId + 1;
    }
    if (fill.refund > 0) state.buyers.get(bid.buyer_index).balance += fill.refund;
  }
  state.ticket_price = outcome.clearingPrice;
  if (bids.length > 0) state.ticket_bids = ctx.ssz.BeaconState.fields.ticket_bids.defaultViewDU();
  return outcome;
}
