import {
  type BeaconStateView,
  type ChainContext,
  createChainContext,
  getTicketAssignment,
  isSelfBuild,
  processSlotsCopy,
} from "@turnstile/ticket-state";
import { DevChain } from "@turnstile/ticket-state/dev";
import {
  createEntities,
  type Entity,
  type MarketView,
  reservationPrice,
  shouldWithhold,
  validatorAsk,
  validatorEntity,
  wantsToResell,
} from "./agents.ts";
import { type Demand, mechanismAdapter, type SlotContext, type Supply } from "./mechanisms.ts";
import { LabExecutionEngine, mevMean, mevSeries, revealShocks } from "./mevProcess.ts";
import { Rng } from "./random.ts";
import { type LabSetup, labChainConfig } from "./setup.ts";
import { OpSigner } from "./signer.ts";
import { stopSigning } from "./unsignedKeys.ts";

/** Stream of the run's faults (offline proposers, withheld payloads), apart from the MEV's. */
const FAULT_STREAM = 2;

/** Every account's on-chain balance at genesis (10^6 ETH): never the binding limit, the budget is. */
const ACCOUNT_BALANCE = 10 ** 15;

/** Who built a slot: an entity's id, or one of these. */
export const SELF_BUILT = -1;
export const NO_BLOCK = -2;

/** One slot of a run, as the metrics read it. Gwei throughout. */
export interface SlotRecord {
  slot: number;
  /** The price a ticket cost in this slot (see MechanismAdapter.quote). */
  price: number;
  /** Pool size agents saw before the slot's block. */
  pool: number;
  /** MEV available in the slot (the process's value, shock included). */
  mev: number;
  /** The entity whose ticket built the slot, SELF_BUILT, or NO_BLOCK. */
  builder: number;
  /** MEV the builder realised: its skill times the MEV of the payload it revealed. */
  realised: number;
  /** The escrowed price of the ticket used in the slot (0 for self-build or none). */
  ticketPrice: number;
  /** A holder committed but its payload was never revealed. */
  withheld: boolean;
  /**
   * How much the slot's MEV moved between commitment and reveal (Gwei; `mev.revealShockSdGwei`): a
   * revealed payload realises its holder's skill × (mev + revealShock).
   */
  revealShock: number;
  /** The holder withheld by choice (`withholding: strategic`): revealing was worth less than −collateral. */
  withheldByChoice: boolean;
  /** Tickets granted to validators on entering the slot (VALIDATOR_TICKET_GRANTS_PER_EPOCH). */
  granted: number;
  /** Granted tickets validators sold in the slot's block (offer and fill), and what buyers paid for them. */
  grantsSold: number;
  grantSalesGwei: number;
  /** Tickets issued in the slot (purchases, or an auction settled on entering it). */
  sold: number;
  /** Protocol revenue accrued during the slot (ticket prices used or forfeited). */
  revenue: number;
  /** Tickets that left the pool without being drawn (expiry refunds). */
  refunded: number;
  /** Tickets whose slot had no block, by the missed-block rule. */
  missedRefunded: number;
  forfeited: number;
  resold: number;
  /** Tickets sold back to the bonding curve. */
  soldBack: number;
  /** Holder collateral slashed for the slot's withheld payload (burned or paid to a proposer: not revenue). */
  collateralSlashed: number;
}

export interface EntityResult {
  id: number;
  label: string;
  skill: number;
  members: number;
  /** Slots this entity's tickets built. */
  slots: number;
  realised: number;
  /** realised + change of on-chain balance + escrow still held + off-chain net. */
  profit: number;
}

export interface RunResult {
  setup: string;
  mechanism: string;
  seed: number;
  slots: SlotRecord[];
  entities: EntityResult[];
  /** Validators' accounts holding granted tickets, together: MEV realised with them and what their sales fetched. */
  validators: { slots: number; realised: number; salesGwei: number };
  wallMs: number;
}

/**
 * One run of the lab: a DevChain from genesis through `setup.slots` slots of the real state
 * transition (blocks, commitments, envelopes, epochs), agents acting through the mechanism's
 * adapter before every block, and every slot recorded for the metrics.
 */
export function runLab(setup: LabSetup, seed: number, onSlot?: (slot: number) => void): RunResult {
  const started = performance.now();
  const ctx: ChainContext = createChainContext(labChainConfig(setup));
  const entities = createEntities(setup);
  const adapter = mechanismAdapter(setup.mechanism);
  const series = mevSeries(ctx, setup.mev, setup.shock, setup.slots, seed);
  const shocks = revealShocks(setup.mev, setup.slots, seed);
  const strategic = setup.withholding === "strategic";
  const engine = new LabExecutionEngine(ctx, series);
  // Accounts start rich enough for any run: what an agent may spend is the lab's budget below
  const startBalance = ACCOUNT_BALANCE;
  const chain = new DevChain(ctx, {
    validatorCount: setup.validators,
    buyerCount: entities.length,
    buyerBalance: startBalance,
    engine,
    verifySignatures: setup.verifySignatures,
  });
  if (!setup.verifySignatures) stopSigning(chain);
  const signer = new OpSigner(chain, setup.verifySignatures);
  const faults = new Rng(seed, FAULT_STREAM);
  const lookahead = ctx.preset.TICKET_LOOKAHEAD_SLOTS;
  const halfLifeWeight = 1 - 2 ** (-1 / setup.mevHalfLife);
  let meanMev = mevMean(setup.mev);
  const recentPrices: number[] = [];
  const offChain = new Array<number>(entities.length).fill(0);
  const realised = new Array<number>(entities.length).fill(0);
  const slotsBuilt = new Array<number>(entities.length).fill(0);
  const records: SlotRecord[] = [];
  const validators = { slots: 0, realised: 0, salesGwei: 0 };
  const validatorSellers = new Map<number, Entity>();
  let poolIds = new Set<number>();
  let revenueBefore = chain.head.state.ticket_revenue;
  let lastPaid = chain.head.state.ticket_price;

  for (let slot = 1; slot <= setup.slots; slot++) {
    const pre = processSlotsCopy(chain.head, slot).state;
    // A sale settled on entering the slot (an auction) shows in the pre-state's new tickets
    const issued = issuedOnEntry(ctx, pre, chain.head.state.next_ticket_id, entities.length);
    lastPaid = issued.meanPrice ?? lastPaid;
    const price = adapter.priceSeries === "quote" ? adapter.quote(pre) : lastPaid;
    recentPrices.push(price);
    if (recentPrices.length > setup.speculation.window) recentPrices.shift();
    const view: MarketView = {
      price,
      poolSize: pre.ticket_pool.length,
      lookahead,
      meanMev,
      priceAverage: recentPrices.reduce((a, b) => a + b, 0) / recentPrices.length,
      collateral: ctx.config.TICKET_COLLATERAL,
      withholdChance: setup.withholdRate,
      revealShockSd: setup.mev.revealShockSdGwei,
      strategic,
    };
    const held = poolHoldings(pre);
    const nonces = new Map<number, number>();
    const sc: SlotContext = {
      ctx,
      setup,
      slot,
      pre,
      signer,
      takeNonce: (buyer) => {
        const n = nonces.get(buyer) ?? pre.buyers.getReadonly(buyer).nonce;
        nonces.set(buyer, n + 1);
        return n;
      },
      // Capital, less what is spent on-chain, plus off-chain resale net and the MEV realised so far
      // (builders reinvest what they earn: capital bounds what is at stake, not lifetime spend)
      budget: (e) =>
        e.capital - (startBalance - pre.buyers.getReadonly(e.id).balance) + offChain[e.id] + realised[e.id],
      issuedOnEntry: issued.byOwner,
      payOffChain: (from, to, gwei) => {
        offChain[from.id] -= gwei;
        offChain[to.id] += gwei;
      },
    };
    const demands: Demand[] = [];
    const supply: Supply[] = [];
    for (const e of entities) {
      if (wantsToResell(e, view, setup)) {
        for (const t of held.get(e.id) ?? []) {
          supply.push({ entity: e, ...t, ask: price, floor: view.priceAverage, kind: "speculator" });
        }
        continue;
      }
      const reservation = reservationPrice(e, view, setup);
      demands.push({ entity: e, reservation });
      // Every holder would part with a ticket a slot, a margin above its own value of it
      const first = held.get(e.id)?.[0];
      if (first !== undefined) {
        const ask = Math.ceil(reservation * (1 + setup.speculation.margin));
        supply.push({ entity: e, ...first, ask, floor: ask, kind: "holder" });
      }
    }
    // Validators selling their grants offer every granted ticket in the pool, each slot, on-chain
    if (setup.validatorSales.policy === "sell") {
      const ask = validatorAsk(view, setup);
      for (const [owner, tickets] of held) {
        // An account created by this slot's epoch transition signs from the next slot on (the head lacks it)
        if (owner < entities.length || owner >= chain.head.state.buyers.length) continue;
        const seller = validatorSellers.get(owner) ?? validatorEntity(owner, setup);
        validatorSellers.set(owner, seller);
        for (const t of tickets) supply.push({ entity: seller, ...t, ask, floor: ask, kind: "validator" });
      }
    }

    const skipBlock = faults.bernoulli(setup.missRate);
    const byAccident = faults.bernoulli(setup.withholdRate);
    const ops = skipBlock ? {} : adapter.operations(sc, demands, supply);
    const ticket = getTicketAssignment(ctx, pre, slot);
    // The holder built the payload knowing the slot's MEV; by reveal time the slot's MEV has moved by the
    // shock, and the holder realises its skill's share of that
    const holderSkill = ticket.owner < entities.length ? entities[ticket.owner].skill : setup.validatorSkill;
    const revealValue = holderSkill * (series[slot] + shocks[slot]);
    const byChoice = strategic && !isSelfBuild(ticket) && !byAccident && shouldWithhold(revealValue, ticket.collateral);
    const withholdPayload = byAccident || byChoice;
    const issuedBefore = chain.head.state.next_ticket_id;
    const result = chain.advance({ skipBlock, withholdPayload, ...ops, strict: false });
    const post = chain.head.state;
    const body = result.block?.message.body;
    if (body) {
      adapter.included?.(sc, {
        purchases: body.ticket_purchases,
        transfers: body.ticket_transfers,
        bids: body.ticket_bids,
        fills: body.ticket_fills,
        sellBacks: body.ticket_sell_backs,
      });
    }

    // Revenue: what the slot added to ticket_revenue, plus what an epoch transition burned on the way
    const epochBurned = slot % ctx.preset.SLOTS_PER_EPOCH === 0 ? revenueBefore : 0;
    const revenue = post.ticket_revenue - revenueBefore + epochBurned;
    revenueBefore = post.ticket_revenue;

    const selfBuilt = isSelfBuild(ticket);
    let builder = NO_BLOCK;
    let gained = 0;
    if (result.block) builder = selfBuilt ? SELF_BUILT : ticket.owner;
    if (result.envelope && builder >= 0) {
      // A validator's granted ticket (VALIDATOR_TICKET_GRANTS_PER_EPOCH) is held by an account past the agents'
      // The payload's MEV as the chain executed it, moved by the reveal shock (the off-chain leg)
      const agent = builder < entities.length ? entities[builder] : null;
      gained =
        (agent?.skill ?? setup.validatorSkill) *
        (engine.payloadMevValue(result.envelope.message.payload) + shocks[slot]);
      if (agent) {
        realised[builder] += gained;
        slotsBuilt[builder]++;
      } else {
        validators.realised += gained;
        validators.slots++;
      }
    }
    let grantsSold = 0;
    let grantSales = 0;
    for (const f of body?.ticket_fills ?? []) {
      if (f.message.offer.message.seller < entities.length) continue;
      grantsSold++;
      grantSales += f.message.offer.message.price;
    }
    validators.salesGwei += grantSales;
    const missedRule = ctx.config.TICKET_ON_MISSED_BLOCK;
    const missedTicket = !result.block && !selfBuilt;

    // Tickets that left the pool other than by the draw (for `slot + lookahead`) were refunded at expiry
    const drawn = getTicketAssignment(ctx, post, slot + lookahead).ticket_id;
    const nowIds = new Set<number>();
    for (let i = 0; i < post.ticket_pool.length; i++) nowIds.add(post.ticket_pool.getReadonly(i).ticket_id);
    // ... or sold back to the bonding curve
    const soldBack = body?.ticket_sell_backs.length ?? 0;
    let refunded = -soldBack;
    for (const id of poolIds) if (!nowIds.has(id) && id !== drawn) refunded++;
    poolIds = nowIds;

    const withheld = builder >= 0 && !result.envelope && body !== undefined && !isEmptyHash(body);
    const forfeited = missedTicket && missedRule === "forfeit" ? 1 : 0;
    records.push({
      slot,
      price,
      pool: view.poolSize,
      mev: series[slot],
      builder,
      realised: gained,
      ticketPrice: builder >= 0 ? ticket.price : 0,
      withheld,
      revealShock: shocks[slot],
      withheldByChoice: withheld && byChoice,
      granted: issued.granted,
      grantsSold,
      grantSalesGwei: grantSales,
      // Tickets issued, whether bought at a price or won at an auction's settlement
      sold: post.next_ticket_id - issuedBefore,
      revenue,
      refunded,
      missedRefunded: missedTicket && missedRule === "refund" ? 1 : 0,
      forfeited,
      resold: (body?.ticket_transfers.length ?? 0) + (body?.ticket_fills.length ?? 0),
      soldBack,
      collateralSlashed: withheld ? ticket.collateral : 0,
    });
    // Agents learn the slot's MEV once it is public (the payload, or the searchers' view of a missed slot)
    meanMev += halfLifeWeight * (series[slot] - meanMev);
    onSlot?.(slot);
  }

  const final = chain.head.state;
  const escrow = escrowByOwner(ctx, final);
  return {
    setup: setup.name,
    mechanism: setup.mechanism,
    seed,
    slots: records,
    validators: { ...validators, realised: Math.round(validators.realised) },
    entities: entities.map((e) => ({
      id: e.id,
      label: e.label,
      skill: e.skill,
      members: e.members,
      slots: slotsBuilt[e.id],
      realised: Math.round(realised[e.id]),
      profit: Math.round(
        realised[e.id] +
          (final.buyers.getReadonly(e.id).balance - startBalance) +
          (escrow.get(e.id) ?? 0) +
          offChain[e.id],
      ),
    })),
    wallMs: Math.round(performance.now() - started),
  };
}

function isEmptyHash(body: { signed_payload_commitment: { message: { block_hash: Uint8Array } } }): boolean {
  return body.signed_payload_commitment.message.block_hash.every((b) => b === 0);
}

/**
 * The tickets issued on entering a slot, from `firstId` on: they are in the pool, or one was drawn at
 * once for `slot + lookahead` (a one-ticket auction settles just before the draw). `meanPrice`: the
 * mean price of those sold to agents (null if none); `byOwner`: how many each agent got; `granted`:
 * how many went to validators (owners past the agents, price 0: not sales).
 */
function issuedOnEntry(
  ctx: ChainContext,
  state: BeaconStateView,
  firstId: number,
  agents: number,
): { meanPrice: number | null; byOwner: Map<number, number>; granted: number } {
  const byOwner = new Map<number, number>();
  if (state.next_ticket_id === firstId) return { meanPrice: null, byOwner, granted: 0 };
  let sum = 0;
  let n = 0;
  let granted = 0;
  const count = (t: { ticket_id: number; owner: number; price: number }) => {
    if (t.ticket_id < firstId) return;
    if (t.owner >= agents) {
      granted++;
      return;
    }
    sum += t.price;
    n++;
    byOwner.set(t.owner, (byOwner.get(t.owner) ?? 0) + 1);
  };
  for (let i = 0; i < state.ticket_pool.length; i++) count(state.ticket_pool.getReadonly(i));
  const drawn = getTicketAssignment(ctx, state, state.slot + ctx.preset.TICKET_LOOKAHEAD_SLOTS);
  if (!isSelfBuild(drawn)) count(drawn);
  return { meanPrice: n > 0 ? sum / n : null, byOwner, granted };
}

/** A pooled ticket as a seller offers it: id, ownership nonce, and the collateral a fill's buyer pays on top. */
type Holding = { ticketId: number; ticketNonce: number; collateral: number };

/** Pooled tickets by owner: what holders (and validators with grants) can resell. */
function poolHoldings(state: BeaconStateView): Map<number, Holding[]> {
  const out = new Map<number, Holding[]>();
  for (let i = 0; i < state.ticket_pool.length; i++) {
    const t = state.ticket_pool.getReadonly(i);
    const entry = { ticketId: t.ticket_id, ticketNonce: t.nonce, collateral: t.collateral };
    const list = out.get(t.owner);
    if (list) list.push(entry);
    else out.set(t.owner, [entry]);
  }
  return out;
}

/** What the chain still holds for each owner at the end: escrowed prices and collateral of pooled and assigned tickets, collateral awaiting release, and bids. */
function escrowByOwner(ctx: ChainContext, state: BeaconStateView): Map<number, number> {
  const out = new Map<number, number>();
  const add = (owner: number, price: number) => out.set(owner, (out.get(owner) ?? 0) + price);
  // Under bonding_curve the prices paid sit in the curve's reserve, which pays the top point for
  // whichever ticket leaves first: each outstanding ticket is worth an equal share of it
  const curve = ctx.config.TICKET_PRICING === "bonding_curve";
  const share = curve && state.ticket_curve_supply > 0 ? state.ticket_curve_reserve / state.ticket_curve_supply : 0;
  const valueOf = (t: { price: number; collateral: number }) => (curve ? share : t.price) + t.collateral;
  for (let i = 0; i < state.ticket_pool.length; i++) {
    const t = state.ticket_pool.getReadonly(i);
    add(t.owner, valueOf(t));
  }
  // Bids in an auction's book hold count × (bid_price + collateral) until settlement
  const bidCollateral = ctx.config.TICKET_COLLATERAL;
  for (let i = 0; i < state.ticket_bids.length; i++) {
    const b = state.ticket_bids.getReadonly(i);
    add(b.buyer_index, b.count * (b.bid_price + bidCollateral));
  }
  // Collateral of settled tickets waits COLLATERAL_RELEASE_DELAY_SLOTS before it is paid back
  for (let i = 0; i < state.pending_collateral.length; i++) {
    const c = state.pending_collateral.getReadonly(i);
    add(c.owner, c.amount);
  }
  // The current slot's ticket is settled on entering the next slot, so it is still escrow too
  for (let slot = state.slot; slot <= state.slot + ctx.preset.TICKET_LOOKAHEAD_SLOTS; slot++) {
    const t = getTicketAssignment(ctx, state, slot);
    if (!isSelfBuild(t)) add(t.owner, valueOf(t));
  }
  return out;
}
