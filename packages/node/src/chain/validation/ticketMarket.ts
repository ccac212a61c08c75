import {
  type CachedBeaconState,
  computeOpenAuctionSlot,
  findTransferableTicket,
  getTicketBidSignatureSet,
  getTicketOfferSignatureSet,
  getTicketSellBackSignatureSet,
  type HolderSlashing,
  isAuctionPricing,
  isBondingCurve,
  processHolderSlashing,
  processTicketFill,
  type SignedTicketBid,
  type SignedTicketFill,
  type SignedTicketOffer,
  type SignedTicketSellBack,
  TicketErrorCode,
  TicketStateError,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import type { KeyedOpPool } from "../opPools.ts";
import { assertAccountNonce, assertFirstAndRoom, type SeenAndRoom } from "./accountOperation.ts";
import { assertAppliesTo } from "./applyToHead.ts";

/*
 * Gossip checks of the opt-in ticket-market operations: `ticket_bid`, `ticket_sell_back`,
 * `ticket_offer`, `ticket_fill` and `holder_slashing`. Each reads the head state (never changed) and the clock's
 * slot. REJECT is kept for what no honest peer sends (a bad signature, an operation the chain's
 * pricing rule does not have, bounds no state can meet); what depends on our view of the chain
 * (a used nonce, a ticket that moved, a balance, a window) is IGNORE, as for purchases.
 */

/**
 * Run a block rule on a copy of `head` and verify its signatures. The rule's own typed errors in
 * `viewCodes` (they depend on our view of the chain) become IGNORE; the others stay (REJECT).
 */
function assertAppliesIgnoring(
  head: CachedBeaconState,
  viewCodes: ReadonlySet<string>,
  apply: Parameters<typeof assertAppliesTo>[1],
): void {
  try {
    assertAppliesTo(head, apply);
  } catch (e) {
    if (e instanceof TicketStateError && !(e instanceof GossipValidationError) && viewCodes.has(e.code)) {
      throw new GossipValidationError("IGNORE", ChainErrorCode.MARKET_NOT_APPLICABLE, e.message, { cause: e.code });
    }
    throw e;
  }
}

/** Gossip checks of `ticket_bid`. */
export function validateTicketBid(
  head: CachedBeaconState,
  pool: KeyedOpPool<SignedTicketBid>,
  signed: SignedTicketBid,
  currentSlot: number,
): void {
  const { config, preset } = head.ctx;
  const bid = signed.message;
  // [REJECT] the chain sells tickets by auction (is_auction_pricing())
  if (!isAuctionPricing(config)) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_WRONG_PRICING, "tickets are not sold by auction", {
      pricing: config.TICKET_PRICING,
    });
  }
  // [REJECT] 0 < bid.count <= MAX_TICKETS_PER_PURCHASE and MIN_TICKET_PRICE <= bid.bid_price <= MAX_TICKET_PRICE
  if (bid.count === 0 || bid.count > preset.MAX_TICKETS_PER_PURCHASE) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_MALFORMED, "bid count out of range", {
      count: bid.count,
    });
  }
  if (bid.bid_price < config.MIN_TICKET_PRICE || bid.bid_price > config.MAX_TICKET_PRICE) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_MALFORMED, "bid price outside the price bounds", {
      bidPrice: bid.bid_price,
    });
  }
  // [IGNORE] bid.auction_slot is the auction a block of the current or the next slot bids in
  // (compute_open_auction_slot): no later block could carry it
  const open = computeOpenAuctionSlot(head.ctx, currentSlot);
  const next = computeOpenAuctionSlot(head.ctx, currentSlot + 1);
  if (bid.auction_slot !== open && bid.auction_slot !== next) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.BID_OUT_OF_WINDOW, "bid is not for an open auction", {
      auctionSlot: bid.auction_slot,
      openAuction: open,
    });
  }
  // [IGNORE] the first bid for (buyer, nonce), and the pool has room
  assertFirstAndRoom(pool, signed, "bid");
  // [REJECT] the buyer exists; [IGNORE] its nonce is not used, and bid.nonce < buyer.nonce + MAX_TICKET_BIDS
  const pubkey = assertAccountNonce(head, bid.buyer_index, bid.nonce, preset.MAX_TICKET_BIDS);
  // [IGNORE] the balance covers the escrow count * (bid_price + TICKET_COLLATERAL)
  const balance = head.state.buyers.getReadonly(bid.buyer_index).balance;
  const escrow = bid.count * (bid.bid_price + config.TICKET_COLLATERAL);
  if (balance < escrow) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.MARKET_NOT_APPLICABLE, "balance does not cover the bid", {
      balance,
      escrow,
    });
  }
  // [REJECT] signed by the buyer's key
  if (!verifySignatureSet(getTicketBidSignatureSet(head, signed, pubkey))) {
    throw new GossipValidationError("REJECT", ChainErrorCode.BAD_SIGNATURE, "bid not signed by the buyer", {
      account: bid.buyer_index,
    });
  }
}

/** Gossip checks of `ticket_sell_back`. */
export function validateTicketSellBack(
  head: CachedBeaconState,
  pool: KeyedOpPool<SignedTicketSellBack>,
  signed: SignedTicketSellBack,
): void {
  const sellBack = signed.message;
  // [REJECT] TICKET_PRICING == "bonding_curve"
  if (!isBondingCurve(head.ctx.config)) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_WRONG_PRICING, "no bonding curve to sell back to", {
      pricing: head.ctx.config.TICKET_PRICING,
    });
  }
  // [IGNORE] the first sell-back for (owner, nonce), and the pool has room
  assertFirstAndRoom(pool, signed, "sell-back");
  // [REJECT] the owner exists; [IGNORE] its nonce is not used, and sell_back.nonce < owner.nonce + MAX_TICKET_SELL_BACKS
  const pubkey = assertAccountNonce(head, sellBack.owner, sellBack.nonce, head.ctx.preset.MAX_TICKET_SELL_BACKS);
  // [IGNORE] the ticket is pooled and the seller owns it (it may have moved on another branch)
  const { state } = head;
  const index =
    sellBack.ticket_id < state.next_ticket_id ? head.caches.tickets.findInPool(state, sellBack.ticket_id) : -1;
  if (index < 0 || state.ticket_pool.getReadonly(index).owner !== sellBack.owner) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.MARKET_NOT_APPLICABLE,
      "not a pooled ticket of the seller",
      {
        ticketId: sellBack.ticket_id,
      },
    );
  }
  // [REJECT] signed by the owner's key
  if (!verifySignatureSet(getTicketSellBackSignatureSet(head, signed, pubkey))) {
    throw new GossipValidationError("REJECT", ChainErrorCode.BAD_SIGNATURE, "sell-back not signed by the owner", {
      account: sellBack.owner,
    });
  }
}

/**
 * How far ahead an offer's expiry may lie: an offer is not consensus, and each node keeps the first
 * one per ticket ownership until it expires, so a seller re-prices by letting it lapse — at most this long.
 */
export const MAX_OFFER_LIFETIME_EPOCHS = 2;

/**
 * Gossip checks of `ticket_offer`: the checks `process_ticket_fill` makes of an offer, against our
 * head, so that every node's book holds offers a fill could take now. Offers are not carried by
 * blocks (a fill carries the one it takes): `book` is the node's offer book.
 */
export function validateTicketOffer(
  head: CachedBeaconState,
  book: SeenAndRoom<SignedTicketOffer>,
  signed: SignedTicketOffer,
  currentSlot: number,
): void {
  const offer = signed.message;
  const { preset } = head.ctx;
  // [IGNORE] current_slot <= offer.expiry_slot
  if (offer.expiry_slot < currentSlot) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.OFFER_EXPIRED, "offer has expired", {
      expirySlot: offer.expiry_slot,
      currentSlot,
    });
  }
  // [IGNORE] offer.expiry_slot <= current_slot + MAX_OFFER_LIFETIME_EPOCHS * SLOTS_PER_EPOCH
  const latest = currentSlot + MAX_OFFER_LIFETIME_EPOCHS * preset.SLOTS_PER_EPOCH;
  if (offer.expiry_slot > latest) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.OFFER_OUT_OF_WINDOW, "offer lives too long", {
      expirySlot: offer.expiry_slot,
      latest,
    });
  }
  // [IGNORE] the first offer for (ticket_id, ticket_nonce) until it expires, and the book has room
  assertFirstAndRoom(book, signed, "offer");
  // [IGNORE] the seller's account exists on our head (a grant creates a validator's account at an
  // epoch transition, which a peer may have reached before us)
  const { state } = head;
  if (!(offer.seller < state.buyers.length)) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.UNKNOWN_ACCOUNT, "unknown seller account", {
      seller: offer.seller,
    });
  }
  // [IGNORE] the ticket is pooled or assigned to a later slot (find_transferable_ticket)
  const ticket = findTransferableTicket(head, offer.ticket_id);
  if (ticket === null) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.OFFER_UNKNOWN_TICKET, "no transferable ticket", {
      ticketId: offer.ticket_id,
    });
  }
  // [IGNORE] the seller owns it, as of the ownership the offer names
  if (ticket.owner !== offer.seller || ticket.nonce !== offer.ticket_nonce) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.OFFER_NOT_OWNER,
      "not the seller's ticket, as of this ownership",
      {
        ticketId: offer.ticket_id,
        owner: ticket.owner,
        ticketNonce: ticket.nonce,
      },
    );
  }
  // [REJECT] signed by the seller's key
  const pubkey = state.buyers.getReadonly(offer.seller).pubkey;
  if (!verifySignatureSet(getTicketOfferSignatureSet(head, signed, pubkey))) {
    throw new GossipValidationError("REJECT", ChainErrorCode.BAD_SIGNATURE, "offer not signed by the seller", {
      seller: offer.seller,
    });
  }
}

/** `process_ticket_fill`'s checks that depend on the chain's view (ownership, balance), not on the fill itself. */
const FILL_VIEW_CODES: ReadonlySet<string> = new Set([
  TicketErrorCode.UNKNOWN_TICKET,
  TicketErrorCode.NOT_TRANSFERABLE,
  TicketErrorCode.NOT_OWNER,
  TicketErrorCode.OFFER_STALE,
  TicketErrorCode.OFFER_EXPIRED,
  TicketErrorCode.INSUFFICIENT_BALANCE,
  TicketErrorCode.UNKNOWN_BUYER,
]);

/** Gossip checks of `ticket_fill`. */
export function validateTicketFill(
  head: CachedBeaconState,
  pool: KeyedOpPool<SignedTicketFill>,
  signed: SignedTicketFill,
  currentSlot: number,
): void {
  const offer = signed.message.offer.message;
  // [REJECT] fill.buyer != offer.seller
  if (signed.message.buyer === offer.seller) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_MALFORMED, "a seller cannot fill its own offer", {
      buyer: signed.message.buyer,
    });
  }
  // [IGNORE] current_slot <= offer.expiry_slot
  if (offer.expiry_slot < currentSlot) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.OFFER_EXPIRED, "offer has expired", {
      expirySlot: offer.expiry_slot,
      currentSlot,
    });
  }
  // [IGNORE] the first fill of this offer's ownership (ticket_id, ticket_nonce), and the pool has room
  assertFirstAndRoom(pool, signed, "fill");
  // [IGNORE] process_ticket_fill's view-dependent conditions pass on the head; [REJECT] the others,
  // and the offer's (seller) and the fill's (buyer) signatures
  assertAppliesIgnoring(head, FILL_VIEW_CODES, (scratch, bctx) => processTicketFill(scratch, signed, bctx));
}

/** `process_holder_slashing`'s checks that depend on the chain's view (the slot's ticket and collateral). */
const HOLDER_SLASHING_VIEW_CODES: ReadonlySet<string> = new Set([TicketErrorCode.HOLDER_SLASHING_NOT_SLASHABLE]);

/** Gossip checks of `holder_slashing`. */
export function validateHolderSlashing(
  head: CachedBeaconState,
  pool: KeyedOpPool<HolderSlashing>,
  slashing: HolderSlashing,
): void {
  // [IGNORE] the first slashing for (slot, ticket_id) of commitment_1, and the pool has room
  assertFirstAndRoom(pool, slashing, "holder slashing");
  // [IGNORE] the slot's ticket still holds collateral on our head; [REJECT] the other conditions of
  // process_holder_slashing, and both commitments' signatures by the holder
  assertAppliesIgnoring(head, HOLDER_SLASHING_VIEW_CODES, (scratch, bctx) =>
    processHolderSlashing(scratch, slashing, bctx),
  );
}
