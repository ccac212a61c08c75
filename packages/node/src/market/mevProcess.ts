import { type ChainContext, DeterministicExecutionEngine, MAX_SYNTHETIC_MEV_GWEI } from "@turnstile/ticket-state";
import { Rng } from "./random.ts";
import { realisedMevSeries } from "./realisedMev.ts";
import type { MevSpec, ShockSpec } from "./setup.ts";

/** Stream id of the MEV draws: the process never shares a stream with agents or faults. */
const MEV_STREAM = 1;
/** Stream id of the reveal shocks: drawn apart, so turning them on changes no slot's MEV. */
const REVEAL_SHOCK_STREAM = 3;

/**
 * The MEV available in every slot of a run, in Gwei, drawn up front from the run's seed (so a
 * slot's value does not depend on what agents did): i.i.d. exponential, a two-regime Markov
 * chain (calm and bursts), or the deterministic engine's own synthetic MEV. The shock multiplies
 * every slot from its slot on.
 */
export function mevSeries(
  ctx: ChainContext,
  spec: MevSpec,
  shock: ShockSpec | null,
  slots: number,
  seed: number,
): number[] {
  const rng = new Rng(seed, MEV_STREAM);
  const engine = spec.process === "engine" ? new DeterministicExecutionEngine(ctx) : null;
  const recorded = spec.process === "realised" ? realisedMevSeries(spec.seriesFile) : null;
  const out = new Array<number>(slots + 1).fill(0);
  let burst = false;
  for (let slot = 1; slot <= slots; slot++) {
    let value: number;
    if (engine) value = engine.slotMevValue(slot);
    else if (recorded) value = recorded[(slot - 1) % recorded.length];
    else if (spec.process === "exponential") value = rng.exponential(spec.meanGwei);
    else {
      burst = burst ? !rng.bernoulli(spec.burstToCalm) : rng.bernoulli(spec.calmToBurst);
      value = rng.exponential(burst ? spec.burstMeanGwei : spec.calmMeanGwei);
    }
    if (shock && slot >= shock.slot) value *= shock.mevFactor;
    out[slot] = Math.floor(value);
  }
  return out;
}

/**
 * How much each slot's MEV moves between the holder's commitment and its reveal, in Gwei:
 * `N(0, revealShockSdGwei)` per slot, drawn up front from its own stream (all zeros when the sd is 0).
 * It models a payload whose worth depends on prices that keep moving after the holder committed
 * (a CEX–DEX arbitrage: the on-chain leg is fixed, the off-chain hedge is not), so the value of
 * revealing, `skill × (MEV + shock)`, can turn negative. Mean zero: it adds risk, not value.
 */
export function revealShocks(spec: MevSpec, slots: number, seed: number): number[] {
  const out = new Array<number>(slots + 1).fill(0);
  if (spec.revealShockSdGwei === 0) return out;
  const rng = new Rng(seed, REVEAL_SHOCK_STREAM);
  for (let slot = 1; slot <= slots; slot++) out[slot] = Math.round(rng.normal() * spec.revealShockSdGwei);
  return out;
}

/** The long-run mean of the process (before any shock): what agents believe at genesis. */
export function mevMean(spec: MevSpec): number {
  if (spec.process === "exponential") return spec.meanGwei;
  if (spec.process === "engine") return LAB_ENGINE_MEAN;
  if (spec.process === "realised") {
    const recorded = realisedMevSeries(spec.seriesFile);
    return recorded.reduce((sum, v) => sum + v, 0) / recorded.length;
  }
  // Stationary share of bursts: calmToBurst / (calmToBurst + burstToCalm)
  const rate = spec.calmToBurst + spec.burstToCalm;
  const burstShare = rate > 0 ? spec.calmToBurst / rate : 0;
  return burstShare * spec.burstMeanGwei + (1 - burstShare) * spec.calmMeanGwei;
}

/** The engine's synthetic MEV is uniform below its bound. */
const LAB_ENGINE_MEAN = MAX_SYNTHETIC_MEV_GWEI / 2;

/**
 * The chain's execution engine, building payloads that carry the lab's MEV: the MEV a holder
 * realises is read back from the payload its envelope revealed, as the chain executed it.
 */
export class LabExecutionEngine extends DeterministicExecutionEngine {
  private readonly series: number[];

  constructor(ctx: ChainContext, series: number[]) {
    super(ctx);
    this.series = series;
  }

  override slotMevValue(slot: number): number {
    return this.series[slot] ?? 0;
  }
}
