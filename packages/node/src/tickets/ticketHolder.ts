import type { SecretKey } from "@chainsafe/blst";
import {
  computeCurvePrice,
  computeEpochAtSlot,
  computeOpenAuctionSlot,
  computeSellBackFee,
  DOMAIN_TICKET_PURCHASE,
  type ExecutionPayload,
  isAuctionPricing,
  isBondingCurve,
  processSlotsCopy,
  type SignedTicketBid,
  type SignedTicketFill,
  type SignedTicketPurchase,
  type SignedTicketSellBack,
  signObject,
  signTicketBid,
  signTicketFill,
  signTicketSellBack,
  sszTypes,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { InclusionListPool } from "../chain/inclusionLists.ts";
import { MARKET_POOL_EPOCHS } from "../chain/opPools.ts";
import { EngineApiExecutionEngine } from "../execution/engineApiEngine.ts";
import type { HolderSigningGuard } from "../validator/signingGuard.ts";
import type { OfferBook } from "./offerBook.ts";
import { type HolderMisbehaviour, PayloadDuty, type PayloadDutyOutput } from "./payloadDuty.ts";
import {
  auctionBidPrice,
  PRIOR_MEV_GWEI,
  sellBackPayout,
  ticketValuation,
  updateMevEstimate,
  waitingAdjustedValue,
  wantsTicket,
} from "./valuation.ts";

export interface HolderOutput extends PayloadDutyOutput {
  purchase(purchase: SignedTicketPurchase): void;
  /** A sealed bid in the open ticket auction (auction pricing rules). */
  bid?(bid: SignedTicketBid): void;
  /** A pooled ticket sold back to the bonding curve. */
  sellBack?(sellBack: SignedTicketSellBack): void;
  /** A fill of a secondary-market offer from the node's offer book. */
  fill?(fill: SignedTicketFill): void;
  /**
   * A payload of ours was revealed: what its arbitrage realised (Gwei at the reference price), when
   * the EL reports it, and the holder's ticket valuation after it.
   */
  realisedMev?(slot: number, buyerIndex: number, gwei: number, valuation: number): void;
}

/**
 * A ticket-holder agent for one buyer account, under the chain's pricing rule:
 * - posted prices (`pool_target`, `sales_target`, `fixed`, `pi_pool_target`, `bonding_curve`): buys
 *   one ticket when the price plus the cost of waiting is below its valuation of the slots'
 *   synthetic MEV (at the start of a slot);
 * - `bonding_curve`: also sells a pooled ticket back when the curve pays more than it is worth to it;
 * - any rule: at the start of a slot, fills the cheapest offer in the node's offer book (validators'
 *   granted tickets, see grantSeller.ts) priced at most its value and no dearer than the primary
 *   market (the posted price, or the bid it would make in an auction), one fill per slot;
 * - `first_price_auction` / `second_price_auction`: one sealed bid per auction, at 1/4 of the slot
 *   before the block that may carry it (valuation.ts: shaded in a first-price auction, the value in
 *   a second-price one), re-sent with the same nonce if its auction closed without it;
 * the collateral a chain asks (TICKET_COLLATERAL) is posted with each purchase or bid, so it is
 * budgeted too. It commits before each slot its ticket won (at 3/4 of the previous slot, on its own
 * head), and reveals the payload at 2/4 of the slot once the block carries its commitment (payloadDuty.ts).
 */
export class TicketHolder {
  readonly buyerIndex: number;
  private readonly chain: Chain;
  private readonly key: SecretKey;
  private valuation: number;
  private readonly appetite: number;
  /** Running estimate of a slot's MEV (Gwei): the prior, moved by what our payloads realised. */
  mevEstimateGwei = PRIOR_MEV_GWEI;
  private readonly output: HolderOutput;
  /**
   * Nonce of a purchase or sell-back sent but not yet included, and the slot it was sent: one in
   * flight at a time, until its nonce is used or the pools have dropped it (MARKET_POOL_EPOCHS).
   */
  private pendingNonce: number | null = null;
  private pendingSince = 0;
  /** The bid sent and not yet included: its nonce and auction (resent once that auction closed without it). */
  private pendingBid: { nonce: number; auctionSlot: number } | null = null;
  /** The last auction a bid of ours entered (one bid per auction). */
  private lastAuctionBid = -1;
  /** Commit and reveal for the slots our tickets won. */
  private readonly payloads: PayloadDuty;
  private readonly offers: OfferBook | null;

  constructor(
    chain: Chain,
    buyerIndex: number,
    key: SecretKey,
    appetite: number,
    misbehaviour: HolderMisbehaviour,
    output: HolderOutput,
    random: () => number = Math.random,
    inclusionLists: InclusionListPool | null = null,
    offers: OfferBook | null = null,
    guard: HolderSigningGuard | null = null,
  ) {
    this.offers = offers;
    this.chain = chain;
    this.buyerIndex = buyerIndex;
    this.key = key;
    this.appetite = appetite;
    this.valuation = ticketValuation(appetite);
    this.output = output;
    this.payloads = new PayloadDuty(
      chain,
      (_, owner) => (owner === buyerIndex ? key : null),
      output,
      misbehaviour,
      random,
      inclusionLists,
      guard,
    );
  }

  onInterval(slot: number, interval: number): void {
    const { config } = this.chain.ctx;
    const auction = isAuctionPricing(config);
    if (interval === 0) this.maybeFill();
    if (interval === 0 && !auction) this.maybeBuy(slot);
    else if (interval === 1 && auction) this.maybeBid(slot);
    else if (interval === 2) this.reveal(slot);
    else if (interval === 3) this.payloads.commit(slot + 1);
  }

  private maybeBuy(slot: number): void {
    const head = this.chain.head();
    const state = head.state.state.slot < slot ? processSlotsCopy(head.state, slot).state : head.state.state;
    const nonce = state.buyers.getReadonly(this.buyerIndex).nonce;
    // A pool drops an operation its nonce left unused for MARKET_POOL_EPOCHS (counted from the
    // prune after it arrived): past that, and a slot's margin, ours is gone and another may go out
    const dropped = slot - this.pendingSince > MARKET_POOL_EPOCHS * this.chain.ctx.preset.SLOTS_PER_EPOCH + 2;
    if (this.pendingNonce !== null && this.pendingNonce >= nonce && !dropped) return;
    this.pendingNonce = null;
    const { config } = this.chain.ctx;
    if (isBondingCurve(config) && this.maybeSellBack(slot, state, nonce)) return;
    if (!wantsTicket(state, this.buyerIndex, this.valuation, config.TICKET_COLLATERAL)) return;
    const message = { buyer_index: this.buyerIndex, nonce, count: 1, max_price: this.valuation };
    const epoch = computeEpochAtSlot(this.chain.ctx, slot);
    const signature = signObject(head.state, this.key, sszTypes.TicketPurchase, message, DOMAIN_TICKET_PURCHASE, epoch);
    this.pendingNonce = nonce;
    this.pendingSince = slot;
    this.output.purchase({ message, signature });
  }

  /**
   * Under `bonding_curve`: sell back our first pooled ticket when the curve's payout (its top
   * point less the fee) beats our value of it. Returns whether a sell-back was sent.
   */
  private maybeSellBack(slot: number, state: ReturnType<typeof processSlotsCopy>["state"], nonce: number): boolean {
    if (!this.output.sellBack || state.ticket_curve_supply === 0) return false;
    const { config } = this.chain.ctx;
    let ticketId = -1;
    for (let i = 0; i < state.ticket_pool.length && ticketId < 0; i++) {
      const t = state.ticket_pool.getReadonly(i);
      if (t.owner === this.buyerIndex) ticketId = t.ticket_id;
    }
    if (ticketId < 0) return false;
    const value = computeCurvePrice(config, state.ticket_curve_supply - 1);
    const payout = sellBackPayout(
      value - computeSellBackFee(value, config.TICKET_SELL_BACK_FEE_QUOTIENT),
      state,
      this.valuation,
    );
    if (payout === null) return false;
    const message = { ticket_id: ticketId, owner: this.buyerIndex, nonce, min_price: payout };
    const epoch = computeEpochAtSlot(this.chain.ctx, slot);
    this.pendingNonce = nonce;
    this.pendingSince = slot;
    this.output.sellBack(signTicketSellBack(this.chain.head().state, this.key, message, epoch));
    return true;
  }

  /** Take the cheapest offer in the node's book worth it to us (see the class comment). */
  private maybeFill(): void {
    if (!this.offers || !this.output.fill) return;
    const head = this.chain.head();
    const state = head.state.state;
    const { config } = this.chain.ctx;
    const reference = isAuctionPricing(config)
      ? (auctionBidPrice(state, config, this.buyerIndex, this.valuation) ?? 0)
      : state.ticket_price;
    const balance = state.buyers.getReadonly(this.buyerIndex).balance;
    const maxPrice = Math.min(waitingAdjustedValue(state, this.valuation), reference, balance);
    const offer = this.offers.take(this.buyerIndex, maxPrice);
    if (offer === null) return;
    this.output.fill(signTicketFill(head.state, this.key, { offer, buyer: this.buyerIndex }));
  }

  /**
   * Under auction pricing, at 1/4 of `slot`: a sealed bid for the auction the next block bids in
   * (compute_open_auction_slot(slot + 1)), one per auction and one in flight at a time.
   */
  private maybeBid(slot: number): void {
    if (!this.output.bid) return;
    const { ctx } = this.chain;
    const head = this.chain.head();
    const state = head.state.state;
    const nonce = state.buyers.getReadonly(this.buyerIndex).nonce;
    const auctionSlot = computeOpenAuctionSlot(ctx, slot + 1);
    if (this.pendingBid !== null) {
      // Included (its nonce is used), or its auction closes before a block could still carry it
      if (this.pendingBid.nonce < nonce) this.pendingBid = null;
      else if (this.pendingBid.auctionSlot === auctionSlot) return;
    }
    if (this.pendingBid === null && this.lastAuctionBid === auctionSlot) return;
    const price = auctionBidPrice(state, ctx.config, this.buyerIndex, this.valuation);
    if (price === null) return;
    const bid = signTicketBid(head.state, this.key, {
      buyer_index: this.buyerIndex,
      nonce,
      count: 1,
      bid_price: price,
      auction_slot: auctionSlot,
    });
    this.pendingBid = { nonce, auctionSlot };
    this.lastAuctionBid = auctionSlot;
    this.output.bid(bid);
  }

  /** At the reveal interval: our payload, if the slot's block carries our commitment; then what it realised. */
  private reveal(slot: number): void {
    const payload = this.payloads.reveal(slot, (recorded) => this.realise(slot, recorded));
    if (payload !== null) this.realise(slot, payload);
  }

  /**
   * A revealed payload's MEV (its own arbitrage, on an EVM whose EL reports it) moves the holder's
   * estimate of a slot's MEV, and so its valuation of the next tickets.
   */
  private realise(slot: number, payload: ExecutionPayload): void {
    const engine = this.chain.engine;
    if (!(engine instanceof EngineApiExecutionEngine)) return;
    const gwei = engine.realisedMevGwei(payload.block_hash);
    if (gwei === undefined) return;
    this.mevEstimateGwei = updateMevEstimate(this.mevEstimateGwei, gwei);
    this.valuation = ticketValuation(this.appetite, this.mevEstimateGwei);
    this.output.realisedMev?.(slot, this.buyerIndex, gwei, this.valuation);
  }
}
