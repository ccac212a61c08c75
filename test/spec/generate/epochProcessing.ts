/**
 * `epoch_processing`: each sub-step of `process_epoch`, and the ticket market's per-slot sub-steps
 * (settlement, lottery, pricing), as pre → post pairs. A fixture state is walked through all
 * sub-steps in order, each step's post being the next one's pre; the end of the walk is checked
 * against the one-pass `processEpoch` / `processSlots` the chain uses.
 */
import {
  CachedBeaconState,
  type ChainConfig,
  type ChainContext,
  getTicketAssignment,
  isSelfBuild,
  processEpoch,
  processSlot,
  processSlotsCopy,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { configWith, contextFor } from "../lib/context.ts";
import { EPOCH_PROCESSING_HANDLERS, EPOCH_STEPS, TICKET_SLOT_STEPS } from "../lib/epochSteps.ts";
import { CaseFiles } from "../lib/files.ts";
import type { PresetName } from "../lib/paths.ts";
import { addConfig, ETH, mutated, reload, SUITE, serializeState } from "./common.ts";
import { expiryChain, healthyChain, marketChain, recordAt, type SlotRecord } from "./fixtures.ts";
import type { Output } from "./output.ts";
import { curveChain } from "./pricing.ts";
import { Rng } from "./random.ts";

/** Source-level inconsistencies found while generating (reported, not thrown). */
export const findings: string[] = [];

class StepCases {
  private readonly out: Output;
  private readonly preset: PresetName;

  constructor(out: Output, preset: PresetName) {
    this.out = out;
    this.preset = preset;
  }

  /** One case: `pre` as given, `post` = the handler's step applied to `pre` loaded from its bytes. */
  write(handler: string, name: string, description: string, pre: CachedBeaconState): CachedBeaconState {
    const preBytes = serializeState(pre);
    const cs = reload(pre);
    EPOCH_PROCESSING_HANDLERS[handler](cs);
    const files = new CaseFiles().yaml("meta", { description });
    addConfig(files, this.preset, pre.ctx.config);
    files.sszBytes("pre", preBytes).sszBytes("post", serializeState(cs));
    this.out.add(this.preset, "epoch_processing", handler, SUITE, name, files);
    return cs;
  }

  /**
   * Walk `cs` (a state at an epoch's last slot, before `process_slot`) through every epoch sub-step,
   * writing a case named `name` for each handler in `handlers` (default all).
   */
  epoch(name: string, description: string, cs: CachedBeaconState, handlers?: string[]): void {
    let state = cs.clone();
    if ((state.state.slot + 1) % state.ctx.preset.SLOTS_PER_EPOCH !== 0) {
      throw new Error(`${name}: slot ${state.state.slot} is not an epoch's last slot`);
    }
    processSlot(state);
    state = reload(state);
    const combined = state.clone();
    processEpoch(combined);
    for (const [handler, step] of EPOCH_STEPS) {
      if (handlers === undefined || handlers.includes(handler)) {
        state = this.write(handler, name, description, state);
      } else {
        state = reload(state);
        step(state);
      }
    }
    compare(`epoch walk ${this.preset}/${name}`, state, combined);
  }

  /**
   * Walk the ticket market's slot step: `cs` is at slot `s - 1` (after any block); it moves into
   * slot `s` (process_slot, process_epoch at an epoch end, slot += 1), then settle, draw, price.
   */
  ticketSlot(name: string, description: string, cs: CachedBeaconState, handlers?: string[]): CachedBeaconState {
    let state = enterSlot(cs);
    const combined = processSlotsCopy(cs, cs.state.slot + 1);
    let beforePricing = state;
    for (const [handler, step] of TICKET_SLOT_STEPS) {
      if (handler === "ticket_pricing") beforePricing = state;
      if (handlers === undefined || handlers.includes(handler)) {
        state = this.write(handler, name, description, state);
      } else {
        state = reload(state);
        step(state);
      }
    }
    compare(`ticket slot walk ${this.preset}/${name}`, state, combined);
    return beforePricing;
  }
}

function compare(label: string, a: CachedBeaconState, b: CachedBeaconState): void {
  const ra = toHex(a.hashTreeRoot());
  const rb = toHex(b.hashTreeRoot());
  if (ra !== rb) findings.push(`${label}: step-by-step post-state ${ra} differs from the one-pass transition's ${rb}`);
}

/** Move a state into its next slot without the ticket market's step: what `process_ticket_slot` starts from. */
export function enterSlot(cs: CachedBeaconState): CachedBeaconState {
  const state = cs.clone();
  processSlot(state);
  const isEpochEnd = (state.state.slot + 1) % state.ctx.preset.SLOTS_PER_EPOCH === 0;
  if (isEpochEnd) processEpoch(state);
  state.state.slot += 1;
  if (isEpochEnd) state.epochCtx.afterProcessEpoch(state.state);
  return reload(state);
}

/** The same state bytes under another chain config. */
function underConfig(cs: CachedBeaconState, config: ChainConfig): CachedBeaconState {
  const ctx: ChainContext = contextFor(config);
  return CachedBeaconState.fromBytes(ctx, serializeState(cs));
}

/** Add pooled tickets (owner 0, bought now, at the current price) until the pool has `size`. */
function fillPool(cs: CachedBeaconState, size: number): void {
  const pool = cs.state.ticket_pool;
  while (pool.length < size) {
    const id = cs.state.next_ticket_id;
    pool.push(
      sszTypes.ExecutionTicket.toViewDU({
        ticket_id: id,
        owner: 0,
        purchase_slot: cs.state.slot,
        price: cs.state.ticket_price,
        collateral: 0,
        nonce: 0,
      }),
    );
    cs.state.next_ticket_id = id + 1;
  }
}

function epochFixtures(w: StepCases, preset: PresetName): void {
  const spe = contextFor(configWith(preset)).preset.SLOTS_PER_EPOCH;
  // A healthy chain: every validator attests, every payload revealed, a few purchases.
  const healthy = healthyChain(preset);
  const endOf = (epoch: number) => recordAt(healthy, (epoch + 1) * spe - 1).head;
  const mainnet = preset === "mainnet";
  w.epoch(
    "genesis_epoch",
    "end of epoch 0: no rewards, no justification yet; revenue burned",
    endOf(0),
    mainnet ? ["ticket_revenue", "participation_flag_updates"] : undefined,
  );
  if (mainnet) return;
  w.epoch(
    "full_participation_epoch_1",
    "end of epoch 1, every validator attested: still one of the first two epochs, nothing is justified",
    endOf(1),
  );
  w.epoch("full_participation_epoch_2", "end of epoch 2: epoch 1 justified", endOf(2));
  w.epoch("full_participation_epoch_3", "end of epoch 3: finalization", endOf(3));

  // Mixed participation, balances around the hysteresis thresholds, an ejection, a slashing due
  const rng = new Rng("epoch_processing/mixed");
  const mixed = mutated(endOf(2), (cs) => {
    const n = cs.state.validators.length;
    for (let i = 0; i < n; i++) {
      cs.state.previous_epoch_participation.set(i, rng.int(8));
      cs.state.current_epoch_participation.set(i, rng.int(8));
      cs.state.inactivity_scores.set(i, rng.int(3) === 0 ? rng.int(100) : 0);
    }
    cs.state.balances.set(1, 31_700_000_000); // below 32 ETH - 0.25: effective balance drops to 31 ETH
    cs.state.balances.set(2, 31_800_000_000); // within the downward hysteresis: unchanged
    cs.state.balances.set(3, 33_500_000_000); // above: capped at MAX_EFFECTIVE_BALANCE
    cs.state.validators.get(4).effective_balance = 16 * ETH; // at EJECTION_BALANCE: ejected
    cs.state.balances.set(4, 16 * ETH);
    const v = cs.state.validators.get(5);
    v.slashed = true;
    v.exit_epoch = 3;
    v.withdrawable_epoch = 3 + Math.floor(cs.ctx.preset.EPOCHS_PER_SLASHINGS_VECTOR / 2) - 1;
    cs.state.slashings.set(1, 64 * ETH);
    cs.state.slashings.set(3, 5 * ETH); // the slot slashings_reset clears
    cs.state.validators.get(6).effective_balance = 30 * ETH; // balance 32 ETH: rises back to 32 ETH
  });
  w.epoch(
    "mixed_participation",
    "random flags and inactivity scores, balances at the hysteresis edges, an ejection, a slashing at its midpoint",
    mixed,
  );

  // No blocks at all for seven epochs: no finality, inactivity leak
  const genesis = healthy.genesis;
  w.epoch(
    "inactivity_leak",
    "seven epochs without blocks: finality lags, scores and penalties grow",
    processSlotsCopy(genesis, 7 * spe - 1),
  );

  // Revenue paid to validators
  const sink = marketChain(preset, { TICKET_REVENUE_SINK: "validators" }, 2 * spe);
  const sinkEnd = recordAt(sink, 2 * spe - 1).head;
  w.epoch(
    "revenue_to_validators",
    "TICKET_REVENUE_SINK = validators: revenue paid in proportion to effective balance to timely-target attesters",
    sinkEnd,
  );
  const noneEarned = mutated(sinkEnd, (cs) => {
    for (let i = 0; i < cs.state.validators.length; i++) cs.state.previous_epoch_participation.set(i, 0);
  });
  w.epoch(
    "revenue_to_validators_none_eligible",
    "nobody earned the timely-target flag: revenue carries over",
    noneEarned,
    ["ticket_revenue"],
  );
  const halfEarned = mutated(sinkEnd, (cs) => {
    // odd validators earned every flag, even ones none; validator 1 has 17 ETH effective
    for (let i = 0; i < cs.state.validators.length; i++)
      cs.state.previous_epoch_participation.set(i, i % 2 === 1 ? 7 : 0);
    cs.state.validators.get(1).effective_balance = 17 * ETH;
    cs.state.ticket_revenue = 1_000_000_007;
  });
  w.epoch(
    "revenue_to_validators_partial",
    "odd validators earned the flag, one with 17 ETH effective: shares and the remainder",
    halfEarned,
    ["ticket_revenue"],
  );
  w.epoch(
    "revenue_burn",
    "TICKET_REVENUE_SINK = burn: the epoch's revenue is destroyed",
    underConfig(sinkEnd, configWith(preset)),
    ["ticket_revenue"],
  );

  // Ticket expiry
  const expiry = expiryChain(preset);
  w.epoch(
    "ticket_expiry",
    "TICKET_EXPIRY_EPOCHS = 1: genesis tickets still pooled expire and are refunded; epoch-1 purchases stay",
    recordAt(expiry, 2 * spe - 1).head,
  );

  // Validators compensated in tickets
  const grants = configWith(preset, { VALIDATOR_TICKET_GRANTS_PER_EPOCH: 4 });
  w.epoch(
    "validator_ticket_grants",
    "VALIDATOR_TICKET_GRANTS_PER_EPOCH = 4: four price-0 tickets minted to timely-target attesters sampled by effective balance, each on a buyer account created for its validator key",
    underConfig(endOf(1), grants),
    ["validator_ticket_grants"],
  );
  w.epoch(
    "validator_ticket_grants_genesis_epoch",
    "no grant at the end of the genesis epoch (no previous epoch's participation)",
    underConfig(endOf(0), grants),
    ["validator_ticket_grants"],
  );
  const oneTimely = mutated(underConfig(endOf(1), grants), (cs) => {
    // only validator 9 earned the timely-target flag: every grant goes to it, on one account
    for (let i = 0; i < cs.state.validators.length; i++) cs.state.previous_epoch_participation.set(i, i === 9 ? 7 : 0);
  });
  w.epoch(
    "validator_ticket_grants_single_eligible",
    "one timely-target attester: all four grants go to one account created for it",
    oneTimely,
    ["validator_ticket_grants"],
  );
}

function ticketSlotFixtures(w: StepCases, preset: PresetName): void {
  const market = marketChain(preset);
  const { ctx } = market.chain;
  const assigned = (cs: CachedBeaconState, slot: number) => getTicketAssignment(ctx, cs.state, slot);
  const pick = (what: string, test: (r: SlotRecord) => boolean) => {
    const found = market.records.filter(test).at(-1);
    if (found === undefined) throw new Error(`market chain has no slot with ${what}`);
    return found;
  };
  const used = pick("a block on a ticket slot", (r) => r.block !== null && !isSelfBuild(assigned(r.head, r.slot)));
  w.ticketSlot("used_ticket", `slot ${used.slot} had a block: its ticket's price becomes revenue`, used.head);
  if (preset === "mainnet") return;
  const skipped = pick("a missed ticket slot", (r) => r.block === null && !isSelfBuild(assigned(r.head, r.slot)));
  const missed = processSlotsCopy(skipped.preHead, skipped.slot);
  w.ticketSlot("missed_return_to_pool", `slot ${skipped.slot} had no block: its ticket returns to the pool`, missed);
  w.ticketSlot(
    "missed_refund",
    "TICKET_ON_MISSED_BLOCK = refund: the price goes back to the owner",
    underConfig(missed, configWith(preset, { TICKET_ON_MISSED_BLOCK: "refund" })),
    ["ticket_settlement"],
  );
  w.ticketSlot(
    "missed_forfeit",
    "TICKET_ON_MISSED_BLOCK = forfeit: the price becomes revenue",
    underConfig(missed, configWith(preset, { TICKET_ON_MISSED_BLOCK: "forfeit" })),
    ["ticket_settlement"],
  );
  const limit = ctx.preset.TICKET_POOL_LIMIT;
  w.ticketSlot(
    "missed_pool_full",
    "return_to_pool with a full pool: refunded instead",
    mutated(missed, (cs) => fillPool(cs, limit)),
    ["ticket_settlement"],
  );
  const head = market.chain.head;
  let selfSlot = head.state.slot + 1;
  while (!isSelfBuild(assigned(head, selfSlot))) selfSlot++;
  w.ticketSlot(
    "self_build_slot",
    `slot ${selfSlot} was self-built: nothing to settle`,
    processSlotsCopy(head, selfSlot),
    ["ticket_settlement"],
  );
  const dry = pick("an empty pool", (r) => r.block !== null && r.head.state.ticket_pool.length === 0);
  w.ticketSlot(
    "empty_pool",
    `the pool is empty after slot ${dry.slot}: slot ${dry.slot + 1 + ctx.preset.TICKET_LOOKAHEAD_SLOTS} is self-build`,
    dry.head,
    ["ticket_lottery"],
  );
  const spe = ctx.preset.SLOTS_PER_EPOCH;
  w.ticketSlot(
    "epoch_boundary",
    "entering the first slot of an epoch (the epoch transition ran first)",
    recordAt(market, spe - 1).head,
  );

  // Pricing rules from a state whose settlement and draw are done
  const stocked = pick(
    "a pooled ticket",
    (r) => r.block !== null && r.slot !== used.slot && r.head.state.ticket_pool.length > 1,
  );
  const beforePricing = w.ticketSlot(
    "draw_from_pool",
    `${stocked.head.state.ticket_pool.length} pooled tickets after slot ${stocked.slot}: one is drawn for slot ${stocked.slot + 1 + ctx.preset.TICKET_LOOKAHEAD_SLOTS}`,
    stocked.head,
  );
  // Round numbers (price 8_000_000 Gwei, pool sizes set exactly) so the steps can be checked by hand
  const target = beforePricing.ctx.config.TARGET_TICKET_POOL_SIZE;
  const price = (
    name: string,
    description: string,
    values: { price: number; pool?: number; sold?: number; previousPool?: number },
    config?: Partial<ChainConfig>,
  ) => {
    const base = config === undefined ? beforePricing : underConfig(beforePricing, configWith(preset, config));
    const pre = mutated(base, (cs) => {
      cs.state.ticket_price = values.price;
      if (values.pool !== undefined) setPool(cs, values.pool);
      if (values.sold !== undefined) cs.state.tickets_sold_in_slot = values.sold;
      if (values.previousPool !== undefined) cs.state.ticket_pricing_previous_pool_size = values.previousPool;
    });
    w.write("ticket_pricing", name, description, pre);
  };
  price("pool_above_target", `pool ${target + 4}, target ${target}: +8_000_000 * 4 / ${target} / 8`, {
    price: 8_000_000,
    pool: target + 4,
  });
  price("pool_below_target", `pool ${target - 6}, target ${target}: -8_000_000 * 6 / ${target} / 8`, {
    price: 8_000_000,
    pool: target - 6,
  });
  price("pool_at_target", "pool exactly at the target: price unchanged", { price: 8_000_000, pool: target });
  price(
    "pool_far_above_target",
    "pool five times the target: the distance is capped at the target (step = price / 8)",
    { price: 8_000_000, pool: 5 * target },
  );
  price("empty_pool", "an empty pool: the largest downward step", { price: 8_000_000, pool: 0 });
  price(
    "min_step_one_gwei",
    "MIN_TICKET_PRICE = 1, price 100, pool one above target: the step rounds to 0, so it is 1 Gwei",
    { price: 100, pool: target + 1 },
    { MIN_TICKET_PRICE: 1 },
  );
  price("price_floor", "price MIN_TICKET_PRICE + 1, pool below target: the step stops at the floor", {
    price: 1_000_001,
    pool: 3,
  });
  price(
    "price_ceiling",
    "MAX_TICKET_PRICE = 10_100_000, price 10_000_000: a step above it stops at the ceiling",
    { price: 10_000_000, pool: target + 4 },
    { MAX_TICKET_PRICE: 10_100_000 },
  );
  price(
    "sales_above_target",
    "TICKET_PRICING = sales_target: 3 sold against a target of 1 (distance capped at 1)",
    { price: 8_000_000, sold: 3 },
    { TICKET_PRICING: "sales_target" },
  );
  price(
    "sales_below_target",
    "TICKET_PRICING = sales_target: none sold",
    { price: 8_000_000, sold: 0 },
    { TICKET_PRICING: "sales_target" },
  );
  price(
    "sales_at_target",
    "TICKET_PRICING = sales_target: one sold, the target",
    { price: 8_000_000, sold: 1 },
    { TICKET_PRICING: "sales_target" },
  );
  price(
    "fixed",
    "TICKET_PRICING = fixed: the price never moves; the sales count resets",
    { price: 8_000_000, pool: 3 * target, sold: 5 },
    { TICKET_PRICING: "fixed" },
  );
  // pi_pool_target: price * (change * 8 + error * 1) / (target * 1 * 8), toward zero
  const pi = { TICKET_PRICING: "pi_pool_target" } as const;
  price(
    "pi_rising_above_target",
    `TICKET_PRICING = pi_pool_target: pool ${target + 4} after ${target} (change +4, error +4): +8_000_000 * 36 / ${8 * target}`,
    { price: 8_000_000, pool: target + 4, previousPool: target },
    pi,
  );
  price(
    "pi_terms_cancel",
    `TICKET_PRICING = pi_pool_target: pool ${target + 1} after ${target + 2} (change -1, error +1): -8_000_000 * 7 / ${8 * target}`,
    { price: 8_000_000, pool: target + 1, previousPool: target + 2 },
    pi,
  );
  price(
    "pi_falling_below_target",
    `TICKET_PRICING = pi_pool_target: pool ${target - 6} after ${target - 5} (change -1, error -6): -8_000_000 * 14 / ${8 * target}`,
    { price: 8_000_000, pool: target - 6, previousPool: target - 5 },
    pi,
  );
  price(
    "pi_at_target_unchanged",
    "TICKET_PRICING = pi_pool_target: pool at the target and unchanged: no step (no 1 Gwei minimum)",
    { price: 8_000_001, pool: target, previousPool: target },
    pi,
  );
  price(
    "pi_empty_pool_floor",
    `TICKET_PRICING = pi_pool_target: the pool emptied from ${10 * target} (both distances capped at ${target}): the step stops at the floor`,
    { price: 8_000_000, pool: 0, previousPool: 10 * target },
    pi,
  );
  bondingCurveSlotCases(w, preset);
}

/** bonding_curve: the pricing step leaves the curve's price; settlement releases the curve's top point. */
function bondingCurveSlotCases(w: StepCases, preset: PresetName): void {
  const curve = curveChain(preset);
  const { ctx } = curve.chain;
  const usedRecord = curve.records
    .filter((r) => r.block !== null && !isSelfBuild(getTicketAssignment(ctx, r.head.state, r.slot)))
    .at(-1);
  if (usedRecord === undefined) throw new Error("curve chain has no used ticket slot");
  w.ticketSlot(
    "bonding_curve_used_ticket",
    `TICKET_PRICING = bonding_curve: slot ${usedRecord.slot}'s ticket is used; the curve's top point moves from the reserve to revenue and the price steps down the curve`,
    usedRecord.head,
    ["ticket_settlement", "ticket_pricing"],
  );
  const missedRecord = curve.records.find((r) => r.block === null);
  if (missedRecord === undefined) throw new Error("curve chain has no missed slot");
  const missed = processSlotsCopy(missedRecord.preHead, missedRecord.slot);
  w.ticketSlot(
    "bonding_curve_missed_forfeit",
    "TICKET_PRICING = bonding_curve, TICKET_ON_MISSED_BLOCK = forfeit: the missed ticket leaves the curve, its top point to revenue",
    underConfig(missed, configWith(preset, { TICKET_PRICING: "bonding_curve", TICKET_ON_MISSED_BLOCK: "forfeit" })),
    ["ticket_settlement"],
  );
  w.ticketSlot(
    "bonding_curve_missed_return_to_pool",
    "TICKET_PRICING = bonding_curve, return_to_pool: the missed ticket stays outstanding; supply, reserve and price unchanged",
    missed,
    ["ticket_settlement"],
  );
}

/** Make the pool exactly `size` long: drop tickets from the end, or add some (see fillPool). */
function setPool(cs: CachedBeaconState, size: number): void {
  const pool = cs.state.ticket_pool;
  if (pool.length > size) {
    cs.state.ticket_pool =
      size === 0 ? cs.ctx.ssz.BeaconState.fields.ticket_pool.defaultViewDU() : pool.sliceTo(size - 1);
  } else {
    fillPool(cs, size);
  }
}

export function generateEpochProcessing(out: Output, preset: PresetName): void {
  const w = new StepCases(out, preset);
  epochFixtures(w, preset);
  ticketSlotFixtures(w, preset);
}
