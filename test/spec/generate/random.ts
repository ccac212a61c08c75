/**
 * Seeded randomness for the generator: SHA-256 in counter mode over a text seed, so every run
 * (and every machine) draws the same values. Never Math.random.
 */
import { createHash } from "node:crypto";

export class Rng {
  private readonly seed: string;
  private counter = 0;
  private buffer = new Uint8Array(0);
  private offset = 0;

  constructor(seed: string) {
    this.seed = seed;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (this.offset === this.buffer.length) {
        this.buffer = createHash("sha256")
          .update(`${this.seed}/${this.counter++}`)
          .digest();
        this.offset = 0;
      }
      out[i] = this.buffer[this.offset++];
    }
    return out;
  }

  /** Uniform integer in [0, 2^bits), bits ≤ 53. */
  bits(bits: number): number {
    const bytes = this.bytes(7);
    let n = 0n;
    for (const b of bytes) n = (n << 8n) | BigInt(b);
    return Number(n & ((1n << BigInt(bits)) - 1n));
  }

  /** Uniform integer in [0, n) (n ≤ 2^53; the tiny modulo bias does not matter here). */
  int(n: number): number {
    if (n <= 0) throw new RangeError("Rng.int: empty range");
    return this.bits(53) % n;
  }

  bool(): boolean {
    return (this.bytes(1)[0] & 1) === 1;
  }

  bigint(bytes: number): bigint {
    let n = 0n;
    for (const b of this.bytes(bytes)) n = (n << 8n) | BigInt(b);
    return n;
  }
}
