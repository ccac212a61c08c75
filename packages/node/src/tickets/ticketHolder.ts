import type { SecretKey } from "@chainsafe/blst";
import {
  buildCommitment,
  computeCurvePrice,
  computeEpochAtSlot,
  computeOpenAuctionSlot,
  computeSellBackFee,
  DOMAIN_TICKET_PURCHASE,
  type ExecutionPayload,
  getTicketAssignment,
  isAuctionPricing,
  isBondingCurve,
  isSelfBuild,
  processSlotsCopy,
  type SignedExecutionPayloadCommitment,
  type SignedExecutionPayloadEnvelope,
  type SignedTicketBid,
  type SignedTicketFill,
  type SignedTicketPurchase,
  type SignedTicketSellBack,
  signObject,
  signTicketBid,
  signTicketFill,
  signTicketSellBack,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { InclusionListPool } from "../chain/inclusionLists.ts";
import { EngineApiExecutionEngine, withPreparedPayload } from "../execution/engineApiEngine.ts";
import { payloadArgsFor } from "../execution/payloadArgs.ts";
import { buildEnvelope } from "../validator/validatorClient.ts";
import type { OfferBook } from "./offerBook.ts";
import {
  auctionBidPrice,
  PRIOR_MEV_GWEI,
  sellBackPayout,
  ticketValuation,
  updateMevEstimate,
  waitingAdjustedValue,
  wantsTicket,
} from "./valuation.ts";

/** Ways a holder can misbehave, so that the empty-payload paths run in a devnet too. */
export interface HolderMisbehaviour {
  /** Chance, per won slot, to send no commitment (the proposer puts an empty one). */
  withholdCommitment: number;
  /** Chance, per committed slot, to never reveal the payload. */
  withholdPayload: number;
  /** Build payloads without the slot's inclusion-list transactions (a censoring holder). */
  censorInclusionLists?: boolean;
}

export interface HolderOutput {
  purchase(purchase: SignedTicketPurchase): void;
  /** A sealed bid in the open ticket auction (auction pricing rules). */
  bid?(bid: SignedTicketBid): void;
  /** A pooled ticket sold back to the bonding curve. */
  sellBack?(sellBack: SignedTicketSellBack): void;
  /** A fill of a secondary-market offer from the node's offer book. */
  fill?(fill: SignedTicketFill): void;
  commitment(commitment: SignedExecutionPayloadCommitment): void;
  envelope(envelope: SignedExecutionPayloadEnvelope): void;
  /** A duty that could not be done (e.g. the execution layer could not build the payload). */
  failed?(duty: string, error: unknown): void;
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
 * head), and reveals the payload at 2/4 of the slot once the block carries its commitment.
 */
export class TicketHolder {
  readonly buyerIndex: number;
  private readonly chain: Chain;
  private readonly key: SecretKey;
  private valuation: number;
  private readonly appetite: number;
  /** Running estimate of a slot's MEV (Gwei): the prior, moved by what our payloads realised. */
  mevEstimateGwei = PRIOR_MEV_GWEI;
  private readonly misbehaviour: HolderMisbehaviour;
  private readonly output: HolderOutput;
  private readonly random: () => number;
  /** Nonce of a purchase or sell-back sent but not yet included: one in flight at a time. */
  private pendingNonce: number | null = null;
  /** The bid sent and not yet included: its nonce and auction (resent once that auction closed without it). */
  private pendingBid: { nonce: number; auctionSlot: number } | null = null;
  /** The last auction a bid of ours entered (one bid per auction). */
  private lastAuctionBid = -1;
  private readonly committed = new Map<number, ExecutionPayload>();
  private readonly inclusionLists: InclusionListPool | null;
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
  ) {
    this.inclusionLists = inclusionLists;
    this.offers = offers;
    this.chain = chain;
    this.buyerIndex = buyerIndex;
    this.key = key;
    this.appetite = appetite;
    this.valuation = ticketValuation(appetite);
    this.misbehaviour = misbehaviour;
    this.output = output;
    this.random = random;
  }

  onInterval(slot: number, interval: number): void {
    const { config } = this.chain.ctx;
    const auction = isAuctionPricing(config);
    if (interval === 0) this.maybeFill();
    if (interval === 0 && !auction) this.maybeBuy(slot);
    else if (interval === 1 && auction) this.maybeBid(slot);
    else if (interval === 2) this.reveal(slot);
    else if (interval === 3) this.commit(slot + 1);
  }

  private maybeBuy(slot: number): void {
    const head = this.chain.head();
    const state = head.state.state.slot < slot ? processSlotsCopy(head.state, slot).state : head.state.state;
    const nonce = state.buyers.getReadonly(this.buyerIndex).nonce;
    if (this.pendingNonce !== null && this.pendingNonce >= nonce) return;
    this.pendingNonce = null;
    const { config } = this.chain.ctx;
    if (isBondingCurve(config) && this.maybeSellBack(slot, state, nonce)) return;
    if (!wantsTicket(state, this.buyerIndex, this.valuation, config.TICKET_COLLATERAL)) return;
    const message = { buyer_index: this.buyerIndex, nonce, count: 1, max_price: this.valuation };
    const epoch = computeEpochAtSlot(this.chain.ctx, slot);
    const signature = signObject(head.state, this.key, sszTypes.TicketPurchase, message, DOMAIN_TICKET_PURCHASE, epoch);
    this.pendingNonce = nonce;
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

  /** Before `slot`: if our ticket is assigned to it, build the payload and send the commitment. */
  private commit(slot: number): void {
    // Inclusion lists: a payload that fails its slot's list is not built on
    const head = this.inclusionLists ? this.inclusionLists.headForDuties() : this.chain.head();
    const pre = processSlotsCopy(head.state, slot);
    const ticket = getTicketAssignment(this.chain.ctx, pre.state, slot);
    if (isSelfBuild(ticket) || ticket.owner !== this.buyerIndex) return;
    if (this.random() < this.misbehaviour.withholdCommitment) return;
    // The slot's inclusion list, frozen now: an honest holder's engine appends what is valid and fits
    const listed =
      this.misbehaviour.censorInclusionLists || !this.inclusionLists ? [] : this.inclusionLists.transactionsFor(slot);
    // An Engine API engine builds asynchronously: the commitment leaves once the EL returned the payload
    withPreparedPayload(
      this.chain.engine,
      () => payloadArgsFor(pre, slot, listed),
      () => {
        const built = buildCommitment(pre, slot, this.key, this.chain.engine, { inclusionListTransactions: listed });
        this.committed.set(slot, built.payload);
        this.output.commitment(built.commitment);
      },
      (e) => this.output.failed?.("commitment", e),
    );
  }

  /** At the reveal interval: if the slot's block carries our commitment, send the payload. */
  private reveal(slot: number): void {
    const payload = this.committed.get(slot);
    this.committed.delete(slot);
    for (const old of this.committed.keys()) if (old < slot) this.committed.delete(old);
    if (!payload) return;
    const head = this.chain.head();
    if (head.slot !== slot) return;
    const entry = this.chain.getEntry(head.root)!;
    const commitment = entry.block.message.body.signed_payload_commitment.message;
    if (toHex(commitment.block_hash) !== toHex(payload.block_hash)) return;
    if (this.random() < this.misbehaviour.withholdPayload) return;
    this.output.envelope(buildEnvelope(this.chain.regen.getPostState(entry.root, false), head.root, payload, this.key));
    this.realise(slot, payload);
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
