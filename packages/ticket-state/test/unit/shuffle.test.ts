import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeShuffledIndex, hash, shuffleList, uintToBytes8 } from "@turnstile/ticket-state";

describe("shuffleList", () => {
  it("equals compute_shuffled_index applied to every position", () => {
    for (const [count, rounds] of [
      [1, 10],
      [2, 10],
      [33, 10],
      [257, 90],
      [1000, 10],
    ]) {
      const seed = hash(uintToBytes8(count));
      const input = Array.from({ length: count }, (_, i) => i * 3 + 7);
      const shuffled = shuffleList(input, seed, rounds);
      for (let i = 0; i < count; i++) {
        assert.equal(shuffled[i], input[computeShuffledIndex(i, count, seed, rounds)], `count ${count} position ${i}`);
      }
    }
  });

  it("is a permutation", () => {
    const seed = hash(new Uint8Array([1]));
    const shuffled = shuffleList(
      Array.from({ length: 500 }, (_, i) => i),
      seed,
      90,
    );
    assert.deepEqual(
      [...shuffled].sort((a, b) => a - b),
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  it("rejects an index outside the list", () => {
    assert.throws(() => computeShuffledIndex(5, 5, new Uint8Array(32), 10), RangeError);
  });
});
