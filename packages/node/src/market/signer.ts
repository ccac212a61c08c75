import {
  G2_POINT_AT_INFINITY,
  type SignedTicketBid,
  type SignedTicketFill,
  type SignedTicketOffer,
  type SignedTicketPurchase,
  type SignedTicketSellBack,
  type SignedTicketTransfer,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";

/**
 * Signs the agents' operations with their interop keys, or, when the lab skips verification
 * (`--no-signatures`), leaves them unsigned: a signature nobody checks is pure cost, and signing
 * is a third of a millisecond an operation.
 */
export class OpSigner {
  private readonly chain: DevChain;
  readonly sign: boolean;

  constructor(chain: DevChain, sign: boolean) {
    this.chain = chain;
    this.sign = sign;
  }

  purchase(buyer: number, nonce: number, count: number, maxPrice: number): SignedTicketPurchase {
    if (this.sign) return this.chain.signPurchase(buyer, count, maxPrice, nonce);
    return { message: { buyer_index: buyer, nonce, count, max_price: maxPrice }, signature: G2_POINT_AT_INFINITY };
  }

  transfer(ticketId: number, from: number, to: number, nonce: number): SignedTicketTransfer {
    if (this.sign) return this.chain.signTransfer(ticketId, from, to, nonce);
    return { message: { ticket_id: ticketId, from, to, nonce }, signature: G2_POINT_AT_INFINITY };
  }

  bid(buyer: number, nonce: number, count: number, bidPrice: number, auctionSlot: number): SignedTicketBid {
    if (this.sign) return this.chain.signBid(buyer, count, bidPrice, auctionSlot, nonce);
    const message = { buyer_index: buyer, nonce, count, bid_price: bidPrice, auction_slot: auctionSlot };
    return { message, signature: G2_POINT_AT_INFINITY };
  }

  /** The seller's offer of a ticket (as of its ownership `ticketNonce`) for `price` Gwei, good until `expirySlot`. */
  offer(ticketId: number, ticketNonce: number, seller: number, price: number, expirySlot: number): SignedTicketOffer {
    if (this.sign) return this.chain.signOffer(ticketId, price, expirySlot, { seller, ticketNonce });
    const message = { ticket_id: ticketId, ticket_nonce: ticketNonce, seller, price, expiry_slot: expirySlot };
    return { message, signature: G2_POINT_AT_INFINITY };
  }

  fill(offer: SignedTicketOffer, buyer: number): SignedTicketFill {
    if (this.sign) return this.chain.signFill(offer, buyer);
    return { message: { offer, buyer }, signature: G2_POINT_AT_INFINITY };
  }

  /** `owner` sells pooled ticket `ticketId` back to the bonding curve for at least `minPrice`. */
  sellBack(ticketId: number, owner: number, minPrice: number, nonce: number): SignedTicketSellBack {
    if (this.sign) return this.chain.signSellBack(ticketId, owner, minPrice, nonce);
    return { message: { ticket_id: ticketId, owner, nonce, min_price: minPrice }, signature: G2_POINT_AT_INFINITY };
  }
}
