import type { SecretKey } from "@chainsafe/blst";
import { type SignedTicketOffer, signTicketOffer } from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { OfferBook } from "./offerBook.ts";

/** The ask for a granted ticket: this share below the primary market's price (`ticket_price`). */
export const GRANT_SALE_DISCOUNT = 0.1;

/**
 * Validators compensated in tickets (VALIDATOR_TICKET_GRANTS_PER_EPOCH) selling them rather than
 * using them (by default the node builds the payloads of its validators' granted tickets itself,
 * see payloadDuty.ts). With `--sell-grants`, at 2/4 of the first slot of each epoch
 * (grants are minted entering it), each of our validators offers every pooled ticket its buyer
 * account holds at `(1 - GRANT_SALE_DISCOUNT) × ticket_price` (at least MIN_TICKET_PRICE), valid
 * for one epoch: into the node's offer book and out on `ticket_offer` to the peers' books; a holder
 * on any node fills what is worth it to it (ticketHolder.ts) and the fill goes out on
 * `ticket_fill`. An offer left unfilled is renewed at the next epoch's price; a granted ticket still
 * unsold when drawn is used by its validator.
 */
export class GrantSeller {
  private readonly chain: Chain;
  private readonly keys: Map<number, SecretKey>;
  private readonly book: OfferBook;
  /** Admits an offer to the book and publishes it; throws the typed error that refused it. */
  private readonly submit: (offer: SignedTicketOffer) => void;

  constructor(
    chain: Chain,
    validatorKeys: Map<number, SecretKey>,
    book: OfferBook,
    submit: (offer: SignedTicketOffer) => void,
  ) {
    this.chain = chain;
    this.keys = validatorKeys;
    this.book = book;
    this.submit = submit;
  }

  onInterval(slot: number, interval: number): void {
    const { SLOTS_PER_EPOCH } = this.chain.ctx.preset;
    if (interval !== 2 || slot % SLOTS_PER_EPOCH !== 1 % SLOTS_PER_EPOCH) return;
    this.offerGrants(slot);
  }

  /** Offer every pooled ticket our validators' buyer accounts hold and have not offered for this ownership. */
  offerGrants(slot: number): number {
    const head = this.chain.head().state;
    const { state, ctx } = head;
    if (ctx.config.VALIDATOR_TICKET_GRANTS_PER_EPOCH === 0) return 0;
    const ours = new Map<number, SecretKey>();
    const batch = { scanned: false };
    for (const [validatorIndex, key] of this.keys) {
      if (validatorIndex >= state.validators.length) continue;
      const buyer = head.caches.buyers.find(state, state.validators.getReadonly(validatorIndex).pubkey, batch);
      if (buyer >= 0) ours.set(buyer, key);
    }
    if (ours.size === 0) return 0;
    const price = Math.max(ctx.config.MIN_TICKET_PRICE, Math.floor(state.ticket_price * (1 - GRANT_SALE_DISCOUNT)));
    let offered = 0;
    for (let i = 0; i < state.ticket_pool.length; i++) {
      const ticket = state.ticket_pool.getReadonly(i);
      const key = ours.get(ticket.owner);
      if (key === undefined || this.book.has(ticket.ticket_id, ticket.nonce)) continue;
      const offer = signTicketOffer(head, key, {
        ticket_id: ticket.ticket_id,
        ticket_nonce: ticket.nonce,
        seller: ticket.owner,
        price,
        expiry_slot: slot + ctx.preset.SLOTS_PER_EPOCH - 1,
      });
      try {
        this.submit(offer);
        offered++;
      } catch {
        // the book is full, or the ticket moved meanwhile: offered again next epoch
      }
    }
    return offered;
  }
}
