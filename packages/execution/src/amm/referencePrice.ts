import { PRICE_SCALE } from "./amm.ts";
import { devPoolPrice } from "./ammGenesis.ts";

/** A reference (off-chain, "CEX") price path for the AMM's TKN: a seeded log-normal random walk. */
export interface ReferencePriceSpec {
  /** Seed of the walk: the traffic generator and the nodes' arbitrageurs share it, so they see one price. */
  seed: number;
  /** Price at step 0, in wei per TKN-wei scaled by PRICE_SCALE (the genesis pool's price). */
  initial: bigint;
  /** Standard deviation of the log-price's step (e.g. 0.02: about 2% per step). */
  volatility: number;
  /** Unix time of step 0 and the length of a step in seconds (a devnet's genesis time and slot). */
  startTime: number;
  stepSeconds: number;
}

/** Default volatility per slot: enough that the pool drifts past its 0.3% fee most slots. */
export const DEFAULT_REFERENCE_VOLATILITY = 0.02;
/** Steps kept computed (the walk is recomputed from its seed beyond them). */
const MAX_CACHED_STEPS = 1_000_000;
/** Fixed-point precision used to turn the float walk into a bigint price. */
const FLOAT_SCALE = 1e12;

/** mulberry32: a small, fast, seeded PRNG (deterministic across processes). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The price path of `spec`, step by step; every process that holds the spec reads the same prices. */
export class ReferencePrice {
  readonly spec: ReferencePriceSpec;
  private readonly logs: number[] = [0];
  private readonly next: () => number;

  constructor(spec: ReferencePriceSpec) {
    this.spec = spec;
    this.next = mulberry32(spec.seed);
  }

  /** The step a unix time falls in (0 before the start). */
  stepAt(unixSeconds: number): number {
    return Math.max(0, Math.floor((unixSeconds - this.spec.startTime) / this.spec.stepSeconds));
  }

  /** Price at `step`: initial × exp(σ · Σ z_i), z_i standard normal (Box-Muller). */
  atStep(step: number): bigint {
    if (step >= MAX_CACHED_STEPS) throw new RangeError(`reference price step ${step} beyond ${MAX_CACHED_STEPS}`);
    while (this.logs.length <= step) {
      const u = Math.max(this.next(), Number.MIN_VALUE);
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
      this.logs.push(this.logs[this.logs.length - 1] + this.spec.volatility * z);
    }
    const factor = BigInt(Math.round(Math.exp(this.logs[step]) * FLOAT_SCALE));
    return (this.spec.initial * factor) / BigInt(FLOAT_SCALE);
  }

  at(unixSeconds: number): bigint {
    return this.atStep(this.stepAt(unixSeconds));
  }
}

/**
 * A devnet's reference price: from the genesis pool's price, one step per slot from genesis. The
 * traffic generator and every node's searcher build it from the same seed, so they see one price.
 */
export function devnetReferencePrice(
  seed: number,
  volatility: number,
  genesisTime: number,
  secondsPerSlot: number,
): ReferencePrice {
  return new ReferencePrice({
    seed,
    initial: devPoolPrice(),
    volatility,
    startTime: genesisTime,
    stepSeconds: secondsPerSlot,
  });
}

/** A price as a float in ETH per TKN (for logs and metrics). */
export function priceToFloat(price: bigint): number {
  return Number(price) / Number(PRICE_SCALE);
}
