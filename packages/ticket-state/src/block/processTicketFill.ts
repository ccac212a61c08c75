import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { TicketError, TicketErrorCode } from "../errors/index.ts";
import { getTicketFillSignatureSet, getTicketOfferSignatureSet } from "../signatureSets/holderMarket.ts";
import type { SignedTicketFill } from "../types/index.ts";
import { findTransferableTicket, isTicketInUse } from "./processTicketTransfer.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/**
 * `process_ticket_fill`: a buyer takes a seller's signed offer. The ticket, its price in Gwei and
 * its collateral change hands atomically: the buyer pays `offer.price + ticket.collateral`, the
 * seller receives both (its collateral is now the buyer's to lose). The ticket's `nonce` moves
 * on, so the offer can be filled only once, and never again once the ticket comes back.
 */
export function processTicketFill(cs: CachedBeaconState, signed: SignedTicketFill, bctx: BlockProcessingContext): void {
  const { state } = cs;
  const fill = signed.message;
  const offer = fill.offer.message;
  // assert offer.seller < len(state.buyers) and fill.buyer < len(state.buyers)
  for (const index of [offer.seller, fill.buyer]) {
    if (index >= state.buyers.length) {
      throw new TicketError(TicketErrorCode.UNKNOWN_BUYER, "unknown buyer account", { buyerIndex: index });
    }
  }
  // assert fill.buyer != offer.seller
  if (fill.buyer === offer.seller) {
    throw new TicketError(TicketErrorCode.SELF_FILL, "a seller cannot fill its own offer", { buyerIndex: fill.buyer });
  }
  // assert state.slot <= offer.expiry_slot
  if (state.slot > offer.expiry_slot) {
    throw new TicketError(TicketErrorCode.OFFER_EXPIRED, "offer has expired", {
      expirySlot: offer.expiry_slot,
      slot: state.slot,
    });
  }
  // The ticket is pooled or assigned to a future slot (as for a transfer)
  const ticket = findTransferableTicket(cs, offer.ticket_id);
  if (ticket === null) {
    const inUse = isTicketInUse(cs, offer.ticket_id);
    throw new TicketError(
      inUse ? TicketErrorCode.NOT_TRANSFERABLE : TicketErrorCode.UNKNOWN_TICKET,
      inUse ? "ticket is assigned to the current slot" : "ticket is neither pooled nor assigned to a future slot",
      { ticketId: offer.ticket_id },
    );
  }
  // assert ticket.owner == offer.seller: only the owner may sell
  if (ticket.owner !== offer.seller) {
    throw new TicketError(TicketErrorCode.NOT_OWNER, "only the ticket's owner may sell it", {
      ticketId: offer.ticket_id,
      owner: ticket.owner,
      seller: offer.seller,
    });
  }
  // assert ticket.nonce == offer.ticket_nonce: the offer was signed for this very ownership
  if (ticket.nonce !== offer.ticket_nonce) {
    throw new TicketError(TicketErrorCode.OFFER_STALE, "offer was signed for an earlier ownership of the ticket", {
      ticketId: offer.ticket_id,
      ticketNonce: ticket.nonce,
      offerNonce: offer.ticket_nonce,
    });
  }
  const buyer = state.buyers.get(fill.buyer);
  const cost = offer.price + ticket.collateral;
  // assert buyer.balance >= offer.price + ticket.collateral
  if (buyer.balance < cost) {
    throw new TicketError(TicketErrorCode.INSUFFICIENT_BALANCE, "balance does not cover the offer", {
      balance: buyer.balance,
      cost,
    });
  }
  const seller = state.buyers.get(offer.seller);
  // The offer is signed by the seller (the owner), the fill by the buyer
  collectSignatureSet(bctx, () => getTicketOfferSignatureSet(cs, fill.offer, seller.pubkey));
  collectSignatureSet(bctx, () => getTicketFillSignatureSet(cs, signed, buyer.pubkey));

  buyer.balance -= cost;
  seller.balance += cost;
  ticket.owner = fill.buyer;
  ticket.nonce += 1;
}
