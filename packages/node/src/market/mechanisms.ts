import {
  type BeaconStateView,
  type ChainContext,
  computeCurvePrice,
  computeOpenAuctionSlot,
  computeSellBackFee,
  type TicketPricing,
} from "@turnstile/ticket-state";
import type { SlotPlan } from "@turnstile/ticket-state/dev";
import type { Entity } from "./agents.ts";
import { MarketError, MarketErrorCode } from "./errors.ts";
import type { LabSetup } from "./setup.ts";
import type { OpSigner } from "./signer.ts";

/** An agent's wish for this slot: tickets at up to `reservation` Gwei each. */
export interface Demand {
  entity: Entity;
  reservation: number;
}

/**
 * A holder willing to part with one of its pooled tickets for `ask` Gwei: a speculator cashing in
 * (to anyone, at the current price), or any holder a margin above its own value of the ticket
 * (to other agents only on a secondary market; to the protocol wherever it buys tickets back).
 */
export interface Supply {
  entity: Entity;
  ticketId: number;
  /** The ticket's ownership nonce, which an on-chain offer names. */
  ticketNonce: number;
  ask: number;
  /** The least the holder takes from the protocol (a sell-back): its ask, or a speculator's price average. */
  floor: number;
  /** The ticket's collateral, which a fill's buyer pays the seller beside the ask (0 for a granted ticket). */
  collateral: number;
  /** `validator`: a granted ticket its validator sells (validatorSales: sell), always by the chain's offer and fill. */
  kind: "speculator" | "holder" | "validator";
}

/** What an adapter may read and do for one slot's block. */
export interface SlotContext {
  ctx: ChainContext;
  setup: LabSetup;
  slot: number;
  /** The state the block will meet: the head advanced to the slot. */
  pre: BeaconStateView;
  signer: OpSigner;
  /** The next nonce of a buyer, counting operations already planned this slot. */
  takeNonce(buyer: number): number;
  /** What an entity may still spend (its capital less what it has spent), in Gwei. */
  budget(e: Entity): number;
  /** Off-chain payment `from` → `to` (a resale outside the chain's own market). */
  payOffChain(from: Entity, to: Entity, gwei: number): void;
  /** Tickets each agent got on entering the slot (an auction's settlement), by buyer index. */
  issuedOnEntry: Map<number, number>;
}

/** The block operations an adapter produces from the agents' wishes. */
export type SlotOperations = Pick<SlotPlan, "purchases" | "transfers" | "bids" | "fills" | "sellBacks">;
/** The operations the block actually included (others were dropped by the proposer). */
export type IncludedOperations = { [K in keyof SlotOperations]-?: NonNullable<SlotOperations[K]> };

/**
 * How agents act under one `TICKET_PRICING` rule: what price they compare their valuation with,
 * and which signed operations their wishes become (buy at a posted price, bid, sell back, offer
 * and fill). One small adapter per rule; the run loop, agents and metrics are shared.
 */
export interface MechanismAdapter {
  readonly name: TicketPricing;
  /**
   * What the price series records: the posted `quote`, or (auctions, where the state shows the
   * marginal bid) the mean price paid per ticket at the latest sale.
   */
  readonly priceSeries: "quote" | "paid";
  /** The price a ticket costs this slot, as agents see it. */
  quote(pre: BeaconStateView): number;
  operations(sc: SlotContext, demands: Demand[], supply: Supply[]): SlotOperations;
  /** Told what the block included, e.g. to know which bids are in the book. */
  included?(sc: SlotContext, ops: IncludedOperations): void;
}

function byReservation(a: Demand, b: Demand): number {
  return b.reservation - a.reservation || a.entity.id - b.entity.id;
}

/**
 * Resales between agents: each offer goes to the keenest buyer whose reservation covers the ask
 * (and, under a posted price, who would not get it cheaper from the protocol), at the ask. With
 * `secondaryMarket` the trade is the chain's own: the seller's signed offer and the buyer's fill,
 * settled atomically (ask plus the ticket's collateral). Without it only speculators resell, by a
 * signed transfer paid off-chain (the lab keeps those books). Validators selling granted tickets
 * always trade on-chain (offer and fill), whether or not holders do. Returns the operations and the
 * tickets each buyer got.
 */
function resales(sc: SlotContext, demands: Demand[], supply: Supply[], protocolPrice: number | null) {
  const { MAX_TICKET_TRANSFERS, MAX_TICKET_FILLS } = sc.ctx.preset;
  const transfers: NonNullable<SlotOperations["transfers"]> = [];
  const fills: NonNullable<SlotOperations["fills"]> = [];
  const got = new Map<number, number>();
  const keen = [...demands].sort(byReservation);
  for (const offer of supply) {
    if (transfers.length >= MAX_TICKET_TRANSFERS || fills.length >= MAX_TICKET_FILLS) break;
    const onChain = sc.setup.secondaryMarket || offer.kind === "validator";
    if (offer.kind === "holder" && !onChain) continue;
    if (protocolPrice !== null && offer.ask > protocolPrice) continue;
    const cost = offer.ask + (onChain ? offer.collateral : 0);
    const buyer = keen.find(
      (d) =>
        d.entity.id !== offer.entity.id &&
        d.reservation >= offer.ask &&
        (got.get(d.entity.id) ?? 0) < d.entity.members &&
        sc.budget(d.entity) >= cost,
    );
    if (!buyer) continue;
    if (onChain) {
      const signed = sc.signer.offer(offer.ticketId, offer.ticketNonce, offer.entity.id, offer.ask, sc.slot);
      fills.push(sc.signer.fill(signed, buyer.entity.id));
    } else {
      const nonce = sc.takeNonce(offer.entity.id);
      transfers.push(sc.signer.transfer(offer.ticketId, offer.entity.id, buyer.entity.id, nonce));
      sc.payOffChain(buyer.entity, offer.entity, offer.ask);
    }
    got.set(buyer.entity.id, (got.get(buyer.entity.id) ?? 0) + 1);
  }
  return { transfers, fills, got };
}

/**
 * Posted price (`pool_target`, `sales_target`, `fixed`, `pi_pool_target`): each member of an
 * entity buys up to one ticket a slot while the state's `ticket_price` is at most its reservation,
 * signing a purchase with `max_price` = the reservation.
 */
export class PostedPriceAdapter implements MechanismAdapter {
  readonly name: TicketPricing;
  readonly priceSeries = "quote";

  constructor(name: TicketPricing) {
    this.name = name;
  }

  quote(pre: BeaconStateView): number {
    return pre.ticket_price;
  }

  operations(sc: SlotContext, demands: Demand[], supply: Supply[]): SlotOperations {
    const price = this.quote(sc.pre);
    const { transfers, fills, got } = resales(sc, demands, supply, price);
    const keen = demands.filter((d) => d.reservation >= price).sort(byReservation);
    const purchases: NonNullable<SlotOperations["purchases"]> = [];
    for (const d of keen) {
      const want = d.entity.members - (got.get(d.entity.id) ?? 0);
      // A purchase posts TICKET_COLLATERAL per ticket beside the price
      const affordable = Math.floor(sc.budget(d.entity) / Math.max(1, price + sc.ctx.config.TICKET_COLLATERAL));
      const count = Math.min(want, affordable, sc.ctx.preset.MAX_TICKETS_PER_PURCHASE);
      if (count <= 0) continue;
      purchases.push(sc.signer.purchase(d.entity.id, sc.takeNonce(d.entity.id), count, Math.floor(d.reservation)));
    }
    return { purchases, transfers, fills };
  }
}

/**
 * Sealed-bid auctions (`first_price_auction`, `second_price_auction`): once per auction each
 * entity bids for up to `auctionUnits` tickets per member, at its reservation (second price:
 * truthful is dominant) or shaded by `bidShading` (first price). The bid's escrow must fit the
 * budget; a bid the block did not include is made again in the next slot. `quote` is the last
 * clearing price, which the state shows as `ticket_price`.
 */
export class AuctionAdapter implements MechanismAdapter {
  readonly name: TicketPricing;
  readonly priceSeries = "paid";
  /** The auction (its settlement slot) each entity's bid is in. */
  private readonly bidIn = new Map<number, number>();
  /** Tickets each entity asked for in the auction its bid is in. */
  private readonly asked = new Map<number, number>();
  /** Each entity's current shading under `shadingRule: learning` (from `bidShading`). */
  private readonly shading = new Map<number, number>();

  constructor(name: TicketPricing) {
    this.name = name;
  }

  quote(pre: BeaconStateView): number {
    return pre.ticket_price;
  }

  operations(sc: SlotContext, demands: Demand[], supply: Supply[]): SlotOperations {
    const auction = computeOpenAuctionSlot(sc.ctx, sc.slot);
    const firstPrice = this.name === "first_price_auction";
    if (firstPrice && sc.setup.shadingRule.rule === "learning") this.learn(sc);
    const { MIN_TICKET_PRICE, MAX_TICKET_PRICE } = sc.ctx.config;
    const { transfers, fills } = resales(sc, demands, supply, null);
    const bids: NonNullable<SlotOperations["bids"]> = [];
    for (const d of [...demands].sort(byReservation)) {
      if (bids.length >= sc.ctx.preset.MAX_TICKET_BIDS) break;
      if (this.bidIn.get(d.entity.id) === auction) continue;
      const shading = firstPrice ? (this.shading.get(d.entity.id) ?? sc.setup.bidShading) : 0;
      const bidPrice = Math.min(Math.floor(d.reservation * (1 - shading)), MAX_TICKET_PRICE);
      if (bidPrice < MIN_TICKET_PRICE) continue;
      const units = sc.setup.auctionUnits * d.entity.members;
      // A bid escrows its price and TICKET_COLLATERAL per ticket asked for
      const perTicket = bidPrice + sc.ctx.config.TICKET_COLLATERAL;
      const count = Math.min(
        units,
        Math.floor(sc.budget(d.entity) / perTicket),
        sc.ctx.preset.MAX_TICKETS_PER_PURCHASE,
      );
      if (count <= 0) continue;
      bids.push(sc.signer.bid(d.entity.id, sc.takeNonce(d.entity.id), count, bidPrice, auction));
    }
    return { bids, transfers, fills };
  }

  included(_sc: SlotContext, ops: IncludedOperations): void {
    for (const b of ops.bids) {
      this.bidIn.set(b.message.buyer_index, b.message.auction_slot);
      this.asked.set(b.message.buyer_index, b.message.count);
    }
  }

  /**
   * The learning rule (`shadingRule: learning`), on entering the slot an auction settles in: each
   * bidder in it shades `step` more next time if it won every ticket it asked for (it paid more
   * than it had to), `step` less if it won none (it bid too low), and keeps its shading if it won
   * some; within [0, max]. Ticket counts are the chain's: what the settlement issued to each.
   */
  private learn(sc: SlotContext): void {
    const { step, max } = sc.setup.shadingRule;
    for (const [id, auction] of this.bidIn) {
      if (auction !== sc.slot) continue;
      const won = sc.issuedOnEntry.get(id) ?? 0;
      const asked = this.asked.get(id) ?? 0;
      const now = this.shading.get(id) ?? sc.setup.bidShading;
      if (won >= asked) this.shading.set(id, Math.min(max, now + step));
      else if (won === 0) this.shading.set(id, Math.max(0, now - step));
    }
  }

  /** A bidder's current shading (learning rule), or null before its first auction settled. */
  shadingOf(entityId: number): number | null {
    return this.shading.get(entityId) ?? null;
  }
}

/**
 * Bonding curve (`bonding_curve`): purchases as at a posted price (the state's `ticket_price` is
 * the curve's next point; `max_price` bounds the highest ticket of a purchase), and every offer
 * not resold to an agent is sold back to the protocol when the curve pays at least the holder's
 * floor: the top point's price less the fee, each sell-back lowering the curve for the next.
 */
export class BondingCurveAdapter extends PostedPriceAdapter {
  constructor() {
    super("bonding_curve");
  }

  override operations(sc: SlotContext, demands: Demand[], supply: Supply[]): SlotOperations {
    const ops = super.operations(sc, demands, supply);
    const resold = new Set([
      ...(ops.transfers ?? []).map((t) => t.message.ticket_id),
      ...(ops.fills ?? []).map((f) => f.message.offer.message.ticket_id),
    ]);
    const { config, preset } = sc.ctx;
    const sellBacks: NonNullable<SlotOperations["sellBacks"]> = [];
    let curveSupply = sc.pre.ticket_curve_supply;
    for (const offer of [...supply].sort((a, b) => a.floor - b.floor)) {
      if (sellBacks.length >= preset.MAX_TICKET_SELL_BACKS || curveSupply === 0) break;
      if (resold.has(offer.ticketId)) continue;
      const value = computeCurvePrice(config, curveSupply - 1);
      const payout = value - computeSellBackFee(value, config.TICKET_SELL_BACK_FEE_QUOTIENT);
      if (payout < offer.floor) continue;
      sellBacks.push(sc.signer.sellBack(offer.ticketId, offer.entity.id, payout, sc.takeNonce(offer.entity.id)));
      curveSupply--;
    }
    return { ...ops, sellBacks };
  }
}

/** Rules whose purchases pay the posted `ticket_price`. */
const POSTED: readonly string[] = ["pool_target", "sales_target", "fixed", "pi_pool_target"];
const AUCTIONS: readonly string[] = ["first_price_auction", "second_price_auction"];

/** The adapter for a mechanism; a rule the chain offers but the lab cannot yet drive is refused. */
export function mechanismAdapter(name: TicketPricing): MechanismAdapter {
  if (POSTED.includes(name)) return new PostedPriceAdapter(name);
  if (AUCTIONS.includes(name)) return new AuctionAdapter(name);
  if (name === "bonding_curve") return new BondingCurveAdapter();
  throw new MarketError(MarketErrorCode.UNKNOWN_MECHANISM, `the lab has no adapter for ${name} yet`, {
    mechanism: name,
  });
}

/** The mechanisms the lab can drive among those the chain offers. */
export function supportedMechanisms(rules: readonly string[]): string[] {
  return rules.filter((r) => POSTED.includes(r) || AUCTIONS.includes(r) || r === "bonding_curve");
}
