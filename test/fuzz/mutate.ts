/** Byte-level mutations of SSZ encodings, and the out-of-range values field mutations draw from. */
import type { Rng } from "./rng.ts";

/**
 * uint64 values at the edges: around 2^32 (a uint32 overflow), around 2^53 (the last exact JS
 * integer), 2^63, and 2^64 - 1 (written as Infinity: the SSZ codec's encoding of the maximum).
 */
export const OVERFLOW_VALUES = [2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 63, Number.POSITIVE_INFINITY];

/** An edge value, or one next to `current`. */
export function mutateNumber(rng: Rng, current: number): number {
  switch (rng.int(4)) {
    case 0:
      return current + 1;
    case 1:
      return Math.max(0, current - 1);
    case 2:
      return 0;
    default:
      return rng.pick(OVERFLOW_VALUES);
  }
}

export const BYTE_MUTATIONS = ["bit_flip", "truncate", "extend", "overwrite", "insert", "random"] as const;
export type ByteMutation = (typeof BYTE_MUTATIONS)[number];

/** A mutated copy of `bytes` (never the same array). */
export function mutateBytes(rng: Rng, bytes: Uint8Array, kind: ByteMutation): Uint8Array {
  const n = bytes.length;
  switch (kind) {
    case "bit_flip": {
      const out = Uint8Array.from(bytes);
      const flips = 1 + rng.int(8);
      for (let i = 0; i < flips && n > 0; i++) out[rng.int(n)] ^= 1 << rng.int(8);
      return out;
    }
    case "truncate":
      return bytes.slice(0, rng.int(n));
    case "extend": {
      const out = new Uint8Array(n + 1 + rng.int(64));
      out.set(bytes);
      out.set(rng.bytes(out.length - n), n);
      return out;
    }
    case "overwrite": {
      const out = Uint8Array.from(bytes);
      const len = 1 + rng.int(32);
      const at = rng.int(Math.max(1, n));
      out.set(rng.bytes(Math.min(len, n - at)), at);
      return out;
    }
    case "insert": {
      const at = rng.int(n + 1);
      const extra = rng.bytes(1 + rng.int(16));
      const out = new Uint8Array(n + extra.length);
      out.set(bytes.subarray(0, at));
      out.set(extra, at);
      out.set(bytes.subarray(at), at + extra.length);
      return out;
    }
    case "random":
      return rng.bytes(rng.int(2 * n + 1));
  }
}

/** Bytes of the same length as `bytes` that differ from it. */
export function otherBytes(rng: Rng, bytes: Uint8Array): Uint8Array {
  const out = rng.bytes(bytes.length);
  if (out.length > 0 && out.every((b, i) => b === bytes[i])) out[0] ^= 1;
  return out;
}
