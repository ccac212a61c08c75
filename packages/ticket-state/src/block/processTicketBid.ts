import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { TicketError, TicketErrorCode } from "../errors/index.ts";
import { getTicketBidSignatureSet } from "../signatureSets/index.ts";
import { computeOpenAuctionSlot, isAuctionPricing } from "../tickets/auctionSchedule.ts";
import type { SignedTicketBid } from "../types/index.ts";
import { TicketBid } from "../types/sszTypes.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/**
 * `process_ticket_bid`: enter a sealed bid in the open ticket auction. The whole bid,
 * `count × (bid_price + TICKET_COLLATERAL)`, is taken from the buyer's balance into escrow now, so
 * that settlement cannot fail; what the bid does not spend comes back at settlement.
 */
export function processTicketBid(cs: CachedBeaconState, signed: SignedTicketBid, bctx: BlockProcessingContext): void {
  const { state, ctx } = cs;
  const { config, preset } = ctx;
  const bid = signed.message;
  // assert is_auction_pricing()
  if (!isAuctionPricing(config)) {
    throw new TicketError(TicketErrorCode.BID_NO_AUCTION, "tickets are not sold by auction", {
      pricing: config.TICKET_PRICING,
    });
  }
  // assert bid.buyer_index < len(state.buyers)
  if (bid.buyer_index >= state.buyers.length) {
    throw new TicketError(TicketErrorCode.UNKNOWN_BUYER, "unknown buyer account", { buyerIndex: bid.buyer_index });
  }
  const buyer = state.buyers.get(bid.buyer_index);
  // assert bid.nonce == buyer.nonce
  if (bid.nonce !== buyer.nonce) {
    throw new TicketError(TicketErrorCode.WRONG_NONCE, "bid nonce is not the account's next nonce", {
      nonce: bid.nonce,
      expected: buyer.nonce,
    });
  }
  // assert 0 < bid.count <= MAX_TICKETS_PER_PURCHASE
  if (bid.count === 0 || bid.count > preset.MAX_TICKETS_PER_PURCHASE) {
    throw new TicketError(TicketErrorCode.BAD_COUNT, "ticket count out of range", {
      count: bid.count,
      max: preset.MAX_TICKETS_PER_PURCHASE,
    });
  }
  // assert bid.auction_slot > state.slot
  if (bid.auction_slot <= state.slot) {
    throw new TicketError(TicketErrorCode.BID_AUCTION_CLOSED, "the auction has already settled", {
      auctionSlot: bid.auction_slot,
      slot: state.slot,
    });
  }
  // assert bid.auction_slot == compute_open_auction_slot(state.slot)
  const openAuction = computeOpenAuctionSlot(ctx, state.slot);
  if (bid.auction_slot !== openAuction) {
    throw new TicketError(TicketErrorCode.BID_AUCTION_NOT_OPEN, "bid is not for the open auction", {
      auctionSlot: bid.auction_slot,
      openAuction,
    });
  }
  // assert MIN_TICKET_PRICE <= bid.bid_price <= MAX_TICKET_PRICE
  if (bid.bid_price < config.MIN_TICKET_PRICE) {
    throw new TicketError(TicketErrorCode.BID_BELOW_RESERVE, "bid price is below the reserve (MIN_TICKET_PRICE)", {
      bidPrice: bid.bid_price,
      reserve: config.MIN_TICKET_PRICE,
    });
  }
  if (bid.bid_price > config.MAX_TICKET_PRICE) {
    throw new TicketError(TicketErrorCode.BID_ABOVE_MAX_PRICE, "bid price is above MAX_TICKET_PRICE", {
      bidPrice: bid.bid_price,
      max: config.MAX_TICKET_PRICE,
    });
  }
  // assert buyer.balance >= bid.count * (bid.bid_price + TICKET_COLLATERAL)
  const escrow = bid.count * (bid.bid_price + config.TICKET_COLLATERAL);
  if (buyer.balance < escrow) {
    throw new TicketError(TicketErrorCode.INSUFFICIENT_BALANCE, "balance does not cover the bid's escrow", {
      balance: buyer.balance,
      escrow,
    });
  }
  // assert len(state.ticket_bids) < TICKET_BID_BOOK_LIMIT
  if (state.ticket_bids.length >= preset.TICKET_BID_BOOK_LIMIT) {
    throw new TicketError(TicketErrorCode.BID_BOOK_FULL, "the auction's bid book is full", {
      bids: state.ticket_bids.length,
      limit: preset.TICKET_BID_BOOK_LIMIT,
    });
  }
  collectSignatureSet(bctx, () => getTicketBidSignatureSet(cs, signed, buyer.pubkey));

  buyer.balance -= escrow;
  buyer.nonce += 1;
  state.ticket_bids.push(TicketBid.toViewDU(bid));
}
