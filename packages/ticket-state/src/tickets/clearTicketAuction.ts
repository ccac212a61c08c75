import type { AuctionPricing } from "./auctionSchedule.ts";

/** One bid of the book, as clearing sees it (escrow = count × bidPrice). */
export interface AuctionBid {
  count: number;
  bidPrice: number;
}

/** What one bid gets: `won` tickets at `pricePerTicket` each, and `refund` of its escrow back. */
export interface AuctionFill {
  won: number;
  pricePerTicket: number;
  refund: number;
}

export interface AuctionOutcome {
  /** Per bid, in the book's (inclusion) order. */
  fills: AuctionFill[];
  /** Bid indices by rank: price descending, ties by inclusion order. Tickets are issued in this order. */
  ranking: number[];
  /** Tickets sold: min(supply, tickets bid for). */
  sold: number;
  /** The price `ticket_price` shows: second-price, the uniform price; first-price, the lowest winning bid; reserve if none sold. */
  clearingPrice: number;
}

/**
 * `clear_ticket_auction`: a multi-unit sealed-bid auction over `supply` identical tickets.
 * Each bid is `count` units at `bidPrice` each; units are ranked by price (descending), ties by
 * inclusion order, and the first `supply` units win, so at most one bid (the marginal one) is
 * partially filled. First-price: a winner pays its bid per ticket. Second-price: every winner
 * pays the uniform price `max(reserve, price of the highest losing unit)`: the (supply+1)-th
 * highest unit price, or the reserve when demand does not exceed supply. Pure; integer arithmetic.
 */
export function clearTicketAuction(
  bids: readonly AuctionBid[],
  supply: number,
  reserve: number,
  rule: AuctionPricing,
): AuctionOutcome {
  const ranking = bids.map((_, i) => i).sort((a, b) => bids[b].bidPrice - bids[a].bidPrice || a - b);
  const won = new Array<number>(bids.length).fill(0);
  let remaining = supply;
  let highestLosing = -1;
  let lowestWinning = -1;
  for (const i of ranking) {
    const { count, bidPrice } = bids[i];
    won[i] = Math.min(count, remaining);
    remaining -= won[i];
    if (won[i] > 0) lowestWinning = bidPrice;
    if (won[i] < count && highestLosing < 0) highestLosing = bidPrice;
  }
  const uniformPrice = Math.max(reserve, highestLosing);
  const fills = bids.map(({ count, bidPrice }, i) => {
    const pricePerTicket = rule === "second_price_auction" ? uniformPrice : bidPrice;
    return { won: won[i], pricePerTicket, refund: count * bidPrice - won[i] * pricePerTicket };
  });
  const sold = supply - remaining;
  let clearingPrice = reserve;
  if (rule === "second_price_auction") clearingPrice = uniformPrice;
  else if (sold > 0) clearingPrice = lowestWinning;
  return { fills, ranking, sold, clearingPrice };
}
