import { bytesToUint64 } from "./bytes.ts";
import { hash } from "./hash.ts";

/**
 * The spec's `compute_shuffled_index`: where position `index` of a list of `indexCount` lands
 * under the swap-or-not shuffle seeded by `seed`. O(rounds) hashes; use `shuffleList` for a whole registry.
 */
export function computeShuffledIndex(index: number, indexCount: number, seed: Uint8Array, rounds: number): number {
  if (index >= indexCount) throw new RangeError(`index ${index} out of range ${indexCount}`);
  const pivotInput = new Uint8Array(33);
  pivotInput.set(seed, 0);
  const sourceInput = new Uint8Array(37);
  sourceInput.set(seed, 0);
  const view = new DataView(sourceInput.buffer);
  for (let round = 0; round < rounds; round++) {
    pivotInput[32] = round;
    const pivot = Number(bytesToUint64(hash(pivotInput)) % BigInt(indexCount));
    const flip = (pivot + indexCount - index) % indexCount;
    const position = Math.max(index, flip);
    sourceInput[32] = round;
    view.setUint32(33, Math.floor(position / 256), true);
    const source = hash(sourceInput);
    const bit = (source[Math.floor((position % 256) / 8)] >> (position % 8)) & 1;
    if (bit) index = flip;
  }
  return index;
}

/**
 * Shuffle a whole list at once: returns `out` with `out[i] = input[compute_shuffled_index(i)]`,
 * as the spec's `compute_committee` reads it. Each round is an involution (pairs `i` and
 * `pivot - i` swap or not, decided by the bit at the larger of the two), so applying the rounds
 * in reverse order to the array yields the composed permutation in O(rounds * n/2 + rounds * n/256 hashes).
 */
export function shuffleList(input: ArrayLike<number>, seed: Uint8Array, rounds: number): Uint32Array {
  const n = input.length;
  const out = Uint32Array.from(input);
  if (n <= 1) return out;
  const pivotInput = new Uint8Array(33);
  pivotInput.set(seed, 0);
  const sourceInput = new Uint8Array(37);
  sourceInput.set(seed, 0);
  const sourceView = new DataView(sourceInput.buffer);
  for (let round = rounds - 1; round >= 0; round--) {
    pivotInput[32] = round;
    sourceInput[32] = round;
    const pivot = Number(bytesToUint64(hash(pivotInput)) % BigInt(n));
    let cachedBlock = -1;
    let source: Uint8Array = pivotInput;
    // Pairs (i, j) with j = (pivot - i) mod n and i < j; the bit is read at position j.
    const visit = (i: number, j: number) => {
      const block = j >>> 8;
      if (block !== cachedBlock) {
        sourceView.setUint32(33, block, true);
        source = hash(sourceInput);
        cachedBlock = block;
      }
      if ((source[(j & 0xff) >>> 3] >> (j & 7)) & 1) {
        const t = out[i];
        out[i] = out[j];
        out[j] = t;
      }
    };
    // Segment 1: i in [0, pivot], j = pivot - i (j decreasing); pairs with i < j.
    for (let i = 0; i < pivot - i; i++) visit(i, pivot - i);
    // Segment 2: i in (pivot, n), j = pivot + n - i (j decreasing); pairs with i < j.
    for (let i = pivot + 1; i < pivot + n - i; i++) visit(i, pivot + n - i);
  }
  return out;
}
