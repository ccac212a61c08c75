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
  /** Sd of the reveal shock (Gwei, `mev.revealShockSdGwei`): how far a payload's value moves after commitment. */
  revealShockSd: number;
  /** Holders withhold by choice (`withholding: strategic`), so a ticket carries the option to walk away at −collateral. */
  strategic: boolean;
}

/** Standard normal density. */
function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Below this, erfc by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7); above, the continued fraction. */
const ERFC_FRACTION_FROM = 2;
/** Terms of the continued fraction: ample for x ≥ ERFC_FRACTION_FROM (relative error far below 1e-9). */
const ERFC_FRACTION_TERMS = 40;

/**
 * `erfc(x) · exp(x²)` for x ≥ 0: the scaled form lets a far tail be multiplied by a large exponential
 * without overflow. Abramowitz & Stegun 7.1.26 near 0; Laplace's continued fraction
 * `√π · erfc(x) · e^(x²) = 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + …))))` in the tail, where
 * 7.1.26's absolute error would swamp erfc.
 */
function erfcScaled(x: number): number {
  if (x < ERFC_FRACTION_FROM) {
    const t = 1 / (1 + 0.3275911 * x);
    return t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  }
  let k = x;
  for (let n = ERFC_FRACTION_TERMS; n >= 1; n--) k = x + n / 2 / k;
  return 1 / (Math.sqrt(Math.PI) * k);
}

/**
 * Standard normal distribution function, by erfc (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7):
 * enough for a reservation price, and no dependency for one formula.
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const tail = 0.5 * erfcScaled(z) * Math.exp(-z * z);
  return x >= 0 ? 1 - tail : tail;
}

/**
 * The strategic holder's rule: withholding costs the collateral (slashed) and the slot's payload
 * (lost), revealing is worth the payload's value now, so it withholds iff `revealValue < −collateral`.
 * The ticket's price is sunk either way.
 */
export function shouldWithhold(revealValue: number, collateral: number): boolean {
  return revealValue < -collateral;
}

/**
 * `E[max(a + ε, −C)]`, ε ~ N(0, sd): what a strategic holder expects from a slot whose payload is worth
 * `a` at commitment, holding the option to withhold at the cost of collateral `C` (a free option when
 * C = 0). With X = a + ε and b = −C: `E[max(X, b)] = b + (a − b)·Φ(d) + sd·φ(d)`, d = (a − b)/sd.
 */
export function revealOptionValue(a: number, sd: number, collateral: number): number {
  const b = -collateral;
  if (sd <= 0) return Math.max(a, b);
  const d = (a - b) / sd;
  return b + (a - b) * normalCdf(d) + sd * normalPdf(d);
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
 * withholding), and the waiting-cost-aware also the cost of C locked for the wait. A strategic
 * holder (withholding: strategic) values its slot at `E[max(skill·(M + ε), −C)]`, M ~ Exp(m̂): the
 * payload, or walking away at the collateral's loss when a reveal shock ε makes it worth less.
 * A ticket bought joins the pool, so the wait is the pool's size plus one.
 */
export function reservationPrice(e: Entity, view: MarketView, setup: LabSetup): number {
  const n = view.poolSize + 1;
  // Collateral comes back unless the payload is withheld, so it costs its expected slashing
  const slashing = view.withholdChance * view.collateral;
  // A strategic holder's slot is worth its payload or −collateral, whichever is more once the reveal
  // shock is known (the slot's MEV believed exponential around m̂); holders that always reveal get the
  // payload (the shock has mean zero)
  const slotValue = view.strategic
    ? strategicSlotValue(e.skill, view.meanMev, view.revealShockSd, view.collateral)
    : e.skill * view.meanMev;
  const value = slotValue * waitDiscount(n, view.lookahead, setup.discountPerSlot) - slashing;
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

/**
 * The validators' account holding granted tickets, as a seller: a stand-in entity with the
 * account's buyer index, `validatorSkill`, and no budget (it only sells).
 */
export function validatorEntity(accountIndex: number, setup: LabSetup): Entity {
  return {
    id: accountIndex,
    label: `validator account ${accountIndex}`,
    skill: setup.validatorSkill,
    capital: 0,
    strategy: "value",
    members: 1,
  };
}

/**
 * A validator's ask for a granted ticket (validatorSales: sell): `(1 − discount)` × the market's
 * price (undercutting the protocol, to sell within the slot), but never below what the ticket is
 * worth to the validator itself, `validatorSkill · m̂ · D(n)` (then it rather builds).
 */
export function validatorAsk(view: MarketView, setup: LabSetup): number {
  const own = setup.validatorSkill * view.meanMev * waitDiscount(view.poolSize, view.lookahead, setup.discountPerSlot);
  return Math.ceil(Math.max(own, (1 - setup.validatorSales.discount) * view.price));
}

/**
 * `E[max(X + ε, −C)]` with X ~ Exp(mean) (a slot's MEV as agents believe it: exponential around
 * their estimate) and ε ~ N(0, sd) (the reveal shock): what the slot is worth to a strategic holder
 * of skill 1 before it knows the slot's MEV (see strategicSlotValue). Y = X + ε is exponentially modified Gaussian;
 * with b = −C, β = b/sd, r = 1/mean:
 *   E[max(Y, b)] = b + sd·φ(β) − b·(1 − Φ(β)) + (1/r)·[(1 − Φ(β)) + e^(−rb + r²sd²/2)·Φ(β − r·sd)]
 * and the last product equals ½·erfc((r·sd − β)/√2)·e^((r·sd − β)²/2)·e^(−β²/2), computed so (no overflow).
 */
export function expectedRevealOptionValue(mean: number, sd: number, collateral: number): number {
  if (sd <= 0 || mean <= 0) return revealOptionValue(Math.max(0, mean), sd, collateral);
  const b = -collateral;
  const beta = b / sd;
  const r = 1 / mean;
  const upper = 1 - normalCdf(beta);
  const w = (r * sd - beta) / Math.SQRT2;
  const scaled = 0.5 * erfcScaled(w) * Math.exp(-(beta * beta) / 2);
  return b + sd * normalPdf(beta) - b * upper + mean * (upper + scaled);
}

/**
 * A strategic holder's slot, before its MEV is known: `E[max(k·(M + ε), −C)] = k · E[max(M + ε, −C/k)]`
 * (M ~ Exp(m̂), ε ~ N(0, sd); skill k realises its share of the slot's MEV, moved or not).
 */
export function strategicSlotValue(skill: number, meanMev: number, sd: number, collateral: number): number {
  if (skill <= 0) return 0;
  return skill * expectedRevealOptionValue(meanMev, sd, collateral / skill);
}

/** A speculator sells a held ticket once the price is above its moving average by the margin. */
export function wantsToResell(e: Entity, view: MarketView, setup: LabSetup): boolean {
  return e.strategy === "speculative" && view.price > view.priceAverage * (1 + setup.speculation.margin);
}
