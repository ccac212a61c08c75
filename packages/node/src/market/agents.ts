import type { LabSetup, StrategyKind } from "./setup.ts";

/**
 * One buyer account on the chain: a solo agent, or a colluding pool (members' capital in one
 * account, the best member building every slot the pool wins and the profit shared).
 */
export interface Entity {
  /** Also the entity's buyer index on the chain. */
  id: number;
  label: string;
  skill: number;
  capital: number;
  strategy: StrategyKind;
  /** 1 for a solo agent; a pool buys up to one ticket per member and slot. */
  members: number;
}

export function createEntities(setup: LabSetup): Entity[] {
  const out: Entity[] = [];
  for (const tier of setup.tiers) {
    for (let i = 0; i < tier.count; i++) {
      out.push({
        id: out.length,
        label: `${tier.strategy} skill ${tier.skill}`,
        skill: tier.skill,
        capital: tier.capitalGwei,
        strategy: tier.strategy,
        members: 1,
      });
    }
  }
  for (const pool of setup.pools) {
    out.push({
      id: out.length,
      label: `pool of ${pool.members} skill ${pool.skill}`,
      skill: pool.skill,
      capital: pool.capitalGwei,
      strategy: "value",
      members: pool.members,
    });
  }
  return out;
}

/** What every agent knows before a slot: public chain state and its own beliefs. */
export interface MarketView {
  /** The price a ticket costs now (posted price, curve price, or the last auction's clearing price). */
  price: number;
  poolSize: number;
  lookahead: number;
  /** The agents' moving estimate of a slot's MEV. */
  meanMev: number;
  /** Moving average of the price over the speculators' window. */
  priceAverage: number;
  /** Holder collateral a purchase posts beside the price (TICKET_COLLATERAL; 0 when off). */
  collateral: number;
  /** The chance the agent's own payload is withheld (it goes offline): the collateral it expects to lose. */
  withholdChance: number;
}

/**
 * `E[δ^T]` for the slot a ticket bought now is used in: drawn after `G` draws from a pool of
 * `n` (uniform draw, G ~ Geometric(1/n)), then used `lookahead` slots later. δ = 1 / (1 + ρ).
 */
export function waitDiscount(poolSize: number, lookahead: number, discountPerSlot: number): number {
  const delta = 1 / (1 + discountPerSlot);
  const q = 1 / Math.max(1, poolSize);
  return delta ** lookahead * ((q * delta) / (1 - (1 - q) * delta));
}

/** Expected slots from purchase to use: `n` draws on average, then the lookahead. */
export function expectedWait(poolSize: number, lookahead: number): number {
  return Math.max(1, poolSize) + lookahead;
}

/**
 * The most an entity pays for one ticket now (Gwei):
 * - value: skill × E[MEV] discounted for the wait until the ticket is drawn;
 * - waiting_cost: the same value, less the cost of the price locked up while waiting
 *   (p + c·p·W ≤ v, so p ≤ v / (1 + c·W));
 * - speculative: below the moving average by the margin, whatever the slot's value.
 * With holder collateral C, value-based prices lose the expected slashing w·C (w: the chance of
 * withholding), and the waiting-cost-aware also the cost of C locked for the wait.
 * A ticket bought joins the pool, so the wait is the pool's size plus one.
 */
export function reservationPrice(e: Entity, view: MarketView, setup: LabSetup): number {
  const n = view.poolSize + 1;
  // Collateral comes back unless the payload is withheld, so it costs its expected slashing
  const slashing = view.withholdChance * view.collateral;
  const value = e.skill * view.meanMev * waitDiscount(n, view.lookahead, setup.discountPerSlot) - slashing;
  switch (e.strategy) {
    case "value":
      return value;
    case "waiting_cost": {
      // Price and collateral are both locked for the wait
      const wait = expectedWait(n, view.lookahead);
      return (value - setup.holdingCostPerSlot * view.collateral * wait) / (1 + setup.holdingCostPerSlot * wait);
    }
    case "speculative":
      return view.priceAverage * (1 - setup.speculation.margin);
  }
}

/** A speculator sells a held ticket once the price is above its moving average by the margin. */
export function wantsToResell(e: Entity, view: MarketView, setup: LabSetup): boolean {
  return e.strategy === "speculative" && view.price > view.priceAverage * (1 + setup.speculation.margin);
}
