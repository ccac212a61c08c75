import { concatBytes, uintToBytes8 } from "../util/bytes.ts";
import { hash } from "../util/hash.ts";
import { computeShuffledIndex } from "../util/shuffle.ts";

const MAX_RANDOM_BYTE = 255;

/**
 * The spec's `compute_proposer_index` before Electra (one random byte per candidate), readable;
 * the epoch cache uses the native `computeProposerIndexNative` and a unit test keeps them equal.
 * `seed` is the slot's seed; `increments` are effective balances in EFFECTIVE_BALANCE_INCREMENTs.
 */
export function computeProposerIndexSpec(
  seed: Uint8Array,
  indices: Uint32Array,
  increments: Uint16Array,
  maxEffectiveBalance: number,
  effectiveBalanceIncrement: number,
  rounds: number,
): number {
  const total = indices.length;
  for (let i = 0; ; i++) {
    const candidate = indices[computeShuffledIndex(i % total, total, seed, rounds)];
    const randomByte = hash(concatBytes(seed, uintToBytes8(Math.floor(i / 32))))[i % 32];
    const effectiveBalance = increments[candidate] * effectiveBalanceIncrement;
    // if effective_balance * MAX_RANDOM_BYTE >= MAX_EFFECTIVE_BALANCE * random_byte: return candidate_index
    if (effectiveBalance * MAX_RANDOM_BYTE >= maxEffectiveBalance * randomByte) return candidate;
  }
}
