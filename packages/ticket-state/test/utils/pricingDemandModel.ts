import { type ChainConfig, computeNextPiTicketPrice, computeNextTicketPrice } from "@turnstile/ticket-state";

/**
 * A deterministic demand model for the pool-steering price rules. Each slot, in the STF's order:
 * the block buys one ticket for every buyer whose value is at least the price; entering the next
 * slot draws one pooled ticket, then the rule takes its step on the pool as it is after the draw.
 * At `stepSlot` every value is multiplied by `stepNumerator / stepDenominator` (the demand step).
 * Settled means: the pool within ±1 of the target and the price in the band where exactly one
 * buyer buys (above the second-highest value, at most the highest), from then to the horizon.
 */
export interface DemandModel {
  values: number[];
  stepSlot: number;
  stepNumerator: number;
  stepDenominator: number;
  horizon: number;
}

export type PoolRule = "pool_target" | "pi_pool_target";

export interface DemandRun {
  prices: number[];
  pools: number[];
  /** Slots from the step until settled for good; `horizon - stepSlot` when it never settles. */
  slotsToSettle: number;
  /** Sign changes of `pool - target` after the step (zeros skipped): the oscillation count. */
  poolErrorSignChanges: number;
  /** The band (exclusive low, inclusive high) the price must settle into after the step. */
  band: { above: number; atMost: number };
}

/** Buyer values 0.5, 0.6, ... 1.4 times `unit`, demand doubling at slot 100, 600 slots. */
export function tieredDemand(unit: number): DemandModel {
  return {
    values: Array.from({ length: 10 }, (_, k) => ((5 + k) * unit) / 10),
    stepSlot: 100,
    stepNumerator: 2,
    stepDenominator: 1,
    horizon: 600,
  };
}

export function runDemandModel(config: ChainConfig, rule: PoolRule, model: DemandModel): DemandRun {
  const target = config.TARGET_TICKET_POOL_SIZE;
  const valuesAt = (slot: number) =>
    slot < model.stepSlot
      ? model.values
      : model.values.map((v) => Math.floor((v * model.stepNumerator) / model.stepDenominator));
  let price = config.INITIAL_TICKET_PRICE;
  let pool = target;
  let previousPool = target;
  const prices: number[] = [];
  const pools: number[] = [];
  for (let slot = 0; slot < model.horizon; slot++) {
    pool += valuesAt(slot).filter((v) => v >= price).length;
    if (pool > 0) pool -= 1;
    if (rule === "pool_target") {
      price = computeNextTicketPrice(
        price,
        pool,
        target,
        config.TICKET_PRICE_ADJUSTMENT_QUOTIENT,
        config.MIN_TICKET_PRICE,
        config.MAX_TICKET_PRICE,
      );
    } else {
      price = computeNextPiTicketPrice(
        price,
        pool,
        previousPool,
        target,
        config.TICKET_PRICE_PROPORTIONAL_QUOTIENT,
        config.TICKET_PRICE_INTEGRAL_QUOTIENT,
        config.MIN_TICKET_PRICE,
        config.MAX_TICKET_PRICE,
      );
      previousPool = pool;
    }
    prices.push(price);
    pools.push(pool);
  }
  const sorted = [...valuesAt(model.horizon)].sort((a, b) => b - a);
  const band = { above: sorted[1], atMost: sorted[0] };
  let lastUnsettled = model.stepSlot - 1;
  let signChanges = 0;
  let lastSign = 0;
  for (let slot = model.stepSlot; slot < model.horizon; slot++) {
    const error = pools[slot] - target;
    if (Math.abs(error) > 1 || prices[slot] <= band.above || prices[slot] > band.atMost) lastUnsettled = slot;
    const sign = Math.sign(error);
    if (sign !== 0) {
      if (lastSign !== 0 && sign !== lastSign) signChanges++;
      lastSign = sign;
    }
  }
  return { prices, pools, slotsToSettle: lastUnsettled + 1 - model.stepSlot, poolErrorSignChanges: signChanges, band };
}
