import { computeProposerIndex, unshuffleList } from "@chainsafe/swap-or-not-shuffle";

/** The native crate's `ByteCount.One` (an ambient const enum, not importable as a value): pre-Electra sampling. */
const RANDOM_BYTES_PRE_ELECTRA = 1;

/**
 * The native (Rust) swap-or-not shuffle, the fast path for the epoch cache. `util/shuffle.ts`
 * keeps the spec-readable version; the upstream shuffling vectors check that both agree.
 * Returns `out[i] = input[compute_shuffled_index(i, n, seed)]`, as `compute_committee` reads it
 * (the native crate calls this direction "unshuffle").
 */
export function shuffleListNative(input: Uint32Array, seed: Uint8Array, rounds: number): Uint32Array {
  if (input.length <= 1) return Uint32Array.from(input);
  return unshuffleList(input, seed, rounds);
}

/**
 * `compute_proposer_index` before Electra (one random byte per candidate), natively: `seed` is
 * the slot's seed `hash(get_seed(epoch, DOMAIN_BEACON_PROPOSER) + uint_to_bytes(slot))`.
 */
export function computeProposerIndexNative(
  seed: Uint8Array,
  activeIndices: Uint32Array,
  effectiveBalanceIncrements: Uint16Array,
  maxEffectiveBalance: number,
  effectiveBalanceIncrement: number,
  rounds: number,
): number {
  return computeProposerIndex(
    seed,
    activeIndices,
    effectiveBalanceIncrements,
    RANDOM_BYTES_PRE_ELECTRA,
    maxEffectiveBalance,
    effectiveBalanceIncrement,
    rounds,
  );
}
