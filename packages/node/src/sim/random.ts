import { bytesToUint64, concatBytes, hash, uintToBytes8 } from "@turnstile/ticket-state";

/** A reproducible stream of numbers in [0, 1): the same seed gives the same run. */
export class SeededRandom {
  private readonly seed: Uint8Array;
  private counter = 0;

  constructor(seed: number) {
    this.seed = uintToBytes8(seed);
  }

  next(): number {
    const digest = hash(concatBytes(this.seed, uintToBytes8(this.counter++)));
    return Number(bytesToUint64(digest) >> 11n) / 2 ** 53;
  }
}
