import type { CachedBeaconState, SignedTicketOffer } from "@turnstile/ticket-state";
import { validateTicketOffer } from "../chain/validation/ticketMarket.ts";

/** How many ownerships the book remembers (offers taken or dropped, until they expire), per offer it can hold. */
const SEEN_PER_OFFER = 4;

/**
 * Secondary-market offers this node knows: its validators' (granted tickets for sale, see
 * grantSeller.ts), those posted to its REST API, and its peers' from the `ticket_offer` gossip
 * topic. Offers are not consensus (a block carries an offer only inside the fill that takes it,
 * `ticket_fill`); the book is the node's order book, one offer per ticket ownership (ticket id,
 * ticket nonce), the first one seen until it expires. The node's holders take from it.
 */
export class OfferBook {
  private readonly byKey = new Map<string, SignedTicketOffer>();
  /** Ownerships an offer was admitted for, with that offer's expiry slot: a later offer for one is IGNOREd. */
  private readonly seenUntil = new Map<string, number>();
  /** At most this many offers wait (an offer arriving when full is refused). */
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  private static key(offer: SignedTicketOffer): string {
    return `${offer.message.ticket_id}:${offer.message.ticket_nonce}`;
  }

  /** An offer for this ownership was admitted and has not expired (it may have been taken since). */
  has(ticketId: number, ticketNonce: number): boolean {
    return this.seenUntil.has(`${ticketId}:${ticketNonce}`);
  }

  hasSeen(offer: SignedTicketOffer): boolean {
    return this.seenUntil.has(OfferBook.key(offer));
  }

  isFull(): boolean {
    return this.byKey.size >= this.limit || this.seenUntil.size >= this.limit * SEEN_PER_OFFER;
  }

  /**
   * Admit an offer after the `ticket_offer` gossip checks against `head` at `currentSlot`
   * (validation/ticketMarket.ts). Throws the typed error (with its gossip verdict) and keeps nothing
   * when refused.
   */
  add(head: CachedBeaconState, offer: SignedTicketOffer, currentSlot: number): void {
    validateTicketOffer(head, this, offer, currentSlot);
    const key = OfferBook.key(offer);
    this.byKey.set(key, offer);
    this.seenUntil.set(key, offer.message.expiry_slot);
  }

  /** An offer a fill took (ours or a peer's): out of the book, still seen. */
  remove(offer: SignedTicketOffer): void {
    this.byKey.delete(OfferBook.key(offer));
  }

  getAll(): SignedTicketOffer[] {
    return [...this.byKey.values()];
  }

  /**
   * The cheapest offer not from `buyer` at most `maxPrice`, removed from the book (its taker fills
   * it), or null. Equal prices go to the oldest ticket (lowest id), not to the order offers reached
   * us, which would favour our own validators' offers over the peers'.
   */
  take(buyer: number, maxPrice: number): SignedTicketOffer | null {
    let best: SignedTicketOffer | null = null;
    for (const offer of this.byKey.values()) {
      const o = offer.message;
      if (o.seller === buyer || o.price > maxPrice) continue;
      if (
        best === null ||
        o.price < best.message.price ||
        (o.price === best.message.price && o.ticket_id < best.message.ticket_id)
      )
        best = offer;
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
    for (const [key, expiry] of this.seenUntil) if (expiry < currentSlot) this.seenUntil.delete(key);
  }
}
