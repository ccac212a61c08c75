import type { RunResult, SlotRecord } from "./labRun.ts";

/** A run's present value sums future slots until the lottery weights left out are below this. */
export const PV_COVERAGE = 0.95;
/** Settling after a shock: the price's rolling mean over this many slots ... */
export const SETTLE_WINDOW = 16;
/** ... stays within this share of its post-shock level (the mean of the last quarter) to the end. */
export const SETTLE_BAND = 0.1;
/** Block length of the block-mean price–value correlation: 4 epochs of the minimal preset, one published auction period. */
export const CORRELATION_BLOCK_SLOTS = 32;

/** Protocol capture: revenue ÷ MEV available over the same slots (null when there was no MEV). */
export function capture(revenue: number, mev: number): number | null {
  return mev > 0 ? revenue / mev : null;
}

/** Herfindahl–Hirschman index of shares (0..1): Σ (count_i / Σ count)². Null with no slots. */
export function hhi(counts: number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  return counts.reduce((a, c) => a + (c / total) ** 2, 0);
}

export function topShare(counts: number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  return total === 0 ? null : Math.max(...counts) / total;
}

/** Pearson correlation; null when either series is constant or shorter than 2. */
export function pearson(xs: number[], ys: number[]): number | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * The realised present value of a ticket bought in slot t (docs/market.md, "Price and value"):
 * it joins a pool of n = pool_t + 1, is drawn at the j-th draw with chance q(1-q)^(j-1), q = 1/n,
 * and builds `lookahead` slots after its draw, so
 *   PV_t = Σ_j q(1-q)^(j-1) · δ^(L+j) · mev[t+L+j],   δ = 1 / (1 + ρ).
 * Summed while slots remain; t is kept (non-null) only if the weights summed reach PV_COVERAGE.
 * `mev` is indexed by slot (mev[0] unused).
 */
export function presentValue(
  t: number,
  pool: number,
  mev: number[],
  lookahead: number,
  discountPerSlot: number,
): number | null {
  const delta = 1 / (1 + discountPerSlot);
  const q = 1 / Math.max(1, pool + 1);
  let weight = q;
  let covered = 0;
  let pv = 0;
  let discount = delta ** (lookahead + 1);
  for (let slot = t + lookahead + 1; slot < mev.length; slot++) {
    pv += weight * discount * mev[slot];
    covered += weight;
    if (covered >= PV_COVERAGE && 1 - covered < 1e-9) break;
    weight *= 1 - q;
    discount *= delta;
  }
  return covered >= PV_COVERAGE ? pv : null;
}

/**
 * Pearson correlation of the means of consecutive blocks of `block` pairs (a trailing partial block
 * is left out): the lottery makes a single PV_t noisy (a small pool means one or two slots' MEV),
 * block means show whether the price follows value over the block's horizon.
 */
export function blockCorrelation(xs: number[], ys: number[], block: number): number | null {
  const mx: number[] = [];
  const my: number[] = [];
  for (let i = 0; i + block <= Math.min(xs.length, ys.length); i += block) {
    let sx = 0;
    let sy = 0;
    for (let k = i; k < i + block; k++) {
      sx += xs[k];
      sy += ys[k];
    }
    mx.push(sx / block);
    my.push(sy / block);
  }
  return mx.length < 3 ? null : pearson(mx, my);
}

/** Standard deviation of log price returns, slot to slot (prices ≤ 0 skipped). */
export function volatility(prices: number[]): number | null {
  const returns: number[] = [];
  for (let i = 1; i < prices.length; i++) {
    if (prices[i] > 0 && prices[i - 1] > 0) returns.push(Math.log(prices[i] / prices[i - 1]));
  }
  return meanSd(returns).sd;
}

/**
 * Slots from the shock until the price settles: the first slot from which the rolling mean of
 * SETTLE_WINDOW prices stays within SETTLE_BAND of the post-shock level (the mean price of the
 * last quarter of the run after the shock) to the end. Null when it never does. `prices[i]` is
 * the price of slot `firstSlot + i`. Settling only within that last quarter does not count (null).
 */
export function settleTime(prices: number[], firstSlot: number, shockSlot: number): number | null {
  const from = shockSlot - firstSlot;
  if (from < 0 || from >= prices.length) return null;
  const after = prices.slice(from);
  const tailStart = Math.floor((after.length * 3) / 4);
  const tail = after.slice(tailStart);
  const level = tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
  const rolling: number[] = [];
  let sum = 0;
  for (let i = 0; i < after.length; i++) {
    sum += after[i];
    if (i >= SETTLE_WINDOW) sum -= after[i - SETTLE_WINDOW];
    if (i >= SETTLE_WINDOW - 1) rolling.push(sum / SETTLE_WINDOW);
  }
  let settled: number | null = null;
  for (let i = rolling.length - 1; i >= 0; i--) {
    if (Math.abs(rolling[i] - level) > SETTLE_BAND * level) break;
    settled = i;
  }
  // rolling[i] ends at slot shock + i + SETTLE_WINDOW - 1: the price is settled from there. Settling
  // only inside the last quarter means nothing: that quarter defines the level
  if (settled === null) return null;
  const slots = settled + SETTLE_WINDOW - 1;
  return slots < tailStart ? slots : null;
}

/** Mean and sample standard deviation (n - 1); sd null below two values, mean null with none. */
export function meanSd(xs: number[]): { mean: number | null; sd: number | null; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: null, sd: null, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: null, n };
  const v = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, sd: Math.sqrt(v), n };
}

export interface RunMetrics {
  capture: number | null;
  revenueGwei: number;
  mevGwei: number;
  holdersProfitGwei: number;
  /** Holders' profit ÷ MEV available over the whole run. */
  holdersProfitShare: number | null;
  priceValueCorrelation: number | null;
  /** The same over means of CORRELATION_BLOCK_SLOTS-slot blocks. */
  priceValueCorrelationBlocks: number | null;
  meanPriceGwei: number | null;
  meanValueGwei: number | null;
  volatility: number | null;
  settleSlots: number | null;
  hhi: number | null;
  topHolderShare: number | null;
  selfBuiltShare: number | null;
  ticketsSold: number;
  refundRate: number | null;
  forfeitRate: number | null;
  withholdRate: number | null;
  /** Per ticket-built slot: withheld by the holder's choice (`withholding: strategic`). */
  withholdByChoiceRate: number | null;
  /** Collateral slashed ÷ MEV available (burned or paid to proposers: neither revenue nor holders'). */
  slashedShare: number | null;
  resaleRate: number | null;
  /** Granted tickets validators sold (offer and fill) ÷ tickets granted, over the window. */
  grantSaleRate: number | null;
  /** Validators' income from grants ÷ MEV available: MEV they realised building with grants plus what their sales fetched. */
  validatorRevenueShare: number | null;
  wallMs: number;
}

/** The metrics written and summarized (wall time is left out: outputs depend only on setup and seed). */
export const METRIC_NAMES: Exclude<keyof RunMetrics, "wallMs">[] = [
  "capture",
  "priceValueCorrelation",
  "priceValueCorrelationBlocks",
  "hhi",
  "volatility",
  "topHolderShare",
  "holdersProfitShare",
  "settleSlots",
  "refundRate",
  "forfeitRate",
  "withholdRate",
  "resaleRate",
  "selfBuiltShare",
  "meanPriceGwei",
  "meanValueGwei",
  "revenueGwei",
  "mevGwei",
  "holdersProfitGwei",
  "ticketsSold",
  "withholdByChoiceRate",
  "slashedShare",
  "grantSaleRate",
  "validatorRevenueShare",
];

export interface MetricOptions {
  burnIn: number;
  lookahead: number;
  discountPerSlot: number;
  shockSlot: number | null;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Every metric of one run, over the slots after `burnIn` (profit: the whole run). */
export function runMetrics(run: RunResult, opts: MetricOptions): RunMetrics {
  const window = run.slots.filter((s) => s.slot > opts.burnIn);
  const mevBySlot = [0, ...run.slots.map((s) => s.mev)];
  const sum = (f: (s: SlotRecord) => number) => window.reduce((a, s) => a + f(s), 0);
  const revenue = sum((s) => s.revenue);
  const mev = sum((s) => s.mev);
  const prices: number[] = [];
  const values: number[] = [];
  for (const s of window) {
    const pv = presentValue(s.slot, s.pool, mevBySlot, opts.lookahead, opts.discountPerSlot);
    if (pv === null) continue;
    prices.push(s.price);
    values.push(pv);
  }
  const built = new Map<number, number>();
  for (const s of window) if (s.builder >= 0) built.set(s.builder, (built.get(s.builder) ?? 0) + 1);
  const counts = [...built.values()];
  const ticketSlots = counts.reduce((a, b) => a + b, 0);
  const selfBuilt = window.filter((s) => s.builder === -1).length;
  const sold = sum((s) => s.sold);
  const agents = run.entities.length;
  const validatorIncome = sum((s) => (s.builder >= agents ? s.realised : 0) + s.grantSalesGwei);
  const granted = sum((s) => s.granted);
  const profit = run.entities.reduce((a, e) => a + e.profit, 0);
  const totalMev = run.slots.reduce((a, s) => a + s.mev, 0);
  return {
    capture: capture(revenue, mev),
    revenueGwei: revenue,
    mevGwei: mev,
    holdersProfitGwei: profit,
    holdersProfitShare: ratio(profit, totalMev),
    priceValueCorrelation: pearson(prices, values),
    priceValueCorrelationBlocks: blockCorrelation(prices, values, CORRELATION_BLOCK_SLOTS),
    meanPriceGwei: meanSd(window.map((s) => s.price)).mean,
    meanValueGwei: meanSd(values).mean,
    volatility: volatility(window.map((s) => s.price)),
    settleSlots:
      opts.shockSlot === null
        ? null
        : settleTime(
            run.slots.map((s) => s.price),
            1,
            opts.shockSlot,
          ),
    hhi: hhi(counts),
    topHolderShare: topShare(counts),
    selfBuiltShare: ratio(selfBuilt, window.filter((s) => s.builder !== -2).length),
    ticketsSold: sold,
    refundRate: ratio(
      sum((s) => s.refunded + s.missedRefunded),
      sold,
    ),
    forfeitRate: ratio(
      sum((s) => s.forfeited),
      sold,
    ),
    withholdRate: ratio(window.filter((s) => s.withheld).length, ticketSlots),
    withholdByChoiceRate: ratio(window.filter((s) => s.withheldByChoice).length, ticketSlots),
    slashedShare: ratio(
      sum((s) => s.collateralSlashed),
      mev,
    ),
    grantSaleRate: ratio(
      sum((s) => s.grantsSold),
      granted,
    ),
    validatorRevenueShare: granted > 0 ? ratio(validatorIncome, mev) : null,
    resaleRate: ratio(
      sum((s) => s.resold),
      sold,
    ),
    wallMs: run.wallMs,
  };
}

export type MetricSummary = Record<
  (typeof METRIC_NAMES)[number],
  { mean: number | null; sd: number | null; n: number }
>;

/** Mean ± sd of every metric over runs (a run whose metric is null is left out of that metric). */
export function summarize(runs: RunMetrics[]): MetricSummary {
  const out = {} as MetricSummary;
  for (const name of METRIC_NAMES) {
    out[name] = meanSd(runs.map((r) => r[name]).filter((v): v is number => v !== null));
  }
  return out;
}
