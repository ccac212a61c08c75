import {
  type CachedBeaconState,
  findTransferableTicket,
  getTicketOfferSignatureSet,
  type SignedTicketOffer,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "../chain/errors.ts";

/**
 * Secondary-market offers this node knows: its validators' (granted tickets for sale, see
 * grantSeller.ts) and those posted to its REST API. Offers are not consensus and not gossiped: an
 * offer travels inside the fill that takes it (`ticket_fill`), so the book is this node's order
 * book, one offer per ticket ownership (ticket id, ticket nonce). The node's holders take from it.
 */
export class OfferBook {
  private readonly byKey = new Map<string, SignedTicketOffer>();
  /** At most this many offers wait (an offer arriving when full is refused). */
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  private static key(offer: SignedTicketOffer): string {
    return `${offer.message.ticket_id}:${offer.message.ticket_nonce}`;
  }

  has(ticketId: number, ticketNonce: number): boolean {
    return this.byKey.has(`${ticketId}:${ticketNonce}`);
  }

  /**
   * Admit an offer after the checks `process_ticket_fill` makes of it against `head` (the ticket is
   * transferable and the seller's, the offer names its current ownership and is signed by the
   * seller, not expired at `currentSlot`). Throws a typed error and keeps nothing when refused.
   */
  add(head: CachedBeaconState, offer: SignedTicketOffer, currentSlot: number): void {
    const o = offer.message;
    if (o.expiry_slot < currentSlot) {
      throw new GossipValidationError("IGNORE", ChainErrorCode.OFFER_EXPIRED, "offer has expired", {
        expirySlot: o.expiry_slot,
      });
    }
    if (this.byKey.size >= this.limit) {
      throw new GossipValidationError("IGNORE", ChainErrorCode.MARKET_NOT_APPLICABLE, "the offer book is full", {
        limit: this.limit,
      });
    }
    const ticket = findTransferableTicket(head, o.ticket_id);
    if (ticket === null || ticket.owner !== o.seller || ticket.nonce !== o.ticket_nonce) {
      throw new GossipValidationError(
        "IGNORE",
        ChainErrorCode.MARKET_NOT_APPLICABLE,
        "not a transferable ticket of the seller, as of this ownership",
        { ticketId: o.ticket_id },
      );
    }
    const pubkey = head.state.buyers.getReadonly(o.seller).pubkey;
    if (!verifySignatureSet(getTicketOfferSignatureSet(head, offer, pubkey))) {
      throw new GossipValidationError("REJECT", ChainErrorCode.BAD_SIGNATURE, "offer not signed by the seller", {
        seller: o.seller,
      });
    }
    this.byKey.set(OfferBook.key(offer), offer);
  }

  getAll(): SignedTicketOffer[] {
    return [...this.byKey.values()];
  }

  /** The cheapest offer not from `buyer` at most `maxPrice`, removed from the book (its taker fills it), or null. */
  take(buyer: number, maxPrice: number): SignedTicketOffer | null {
    let best: SignedTicketOffer | null = null;
    for (const offer of this.byKey.values()) {
      if (offer.message.seller === buyer || offer.message.price > maxPrice) continue;
      if (best === null || offer.message.price < best.message.price) best = offer;
    }
    if (best !== null) this.byKey.delete(OfferBook.key(best));
    return best;
  }

  /** Drop offers that expired before `currentSlot`, or whose ticket changed hands or is in use. */
  prune(currentSlot: number, ticketNonceOf: (ticketId: number) => number | null): void {
    for (const [key, offer] of this.byKey) {
      const o = offer.message;
      if (o.expiry_slot < currentSlot || ticketNonceOf(o.ticket_id) !== o.ticket_nonce) this.byKey.delete(key);
    }
  }
}
