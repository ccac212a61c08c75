import { compressSync, uncompressSync } from "snappy";
import { SszSnappyError, SszSnappyErrorCode } from "../errors.ts";

/** Snappy's worst-case output size for `n` input bytes (also the spec's `max_encoded_len` for ssz_snappy). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/**
 * The uncompressed length a snappy block announces in its varint preamble (at most 32 bits, so at most
 * 5 bytes). Read before decompressing, so that an announced size is checked before memory is spent on it.
 */
export function snappyUncompressedLength(block: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) break;
      return value;
    }
  }
  throw new SszSnappyError(SszSnappyErrorCode.INVALID_SNAPPY, "invalid snappy length preamble", {
    length: block.length,
  });
}

export function compressBlock(data: Uint8Array): Uint8Array {
  return compressSync(data);
}

/**
 * Decompress one snappy block of untrusted bytes. The announced length is checked against `maxLength`
 * first; any corruption (bad preamble, bad copy offsets, length mismatch) becomes INVALID_SNAPPY.
 */
export function uncompressBlock(block: Uint8Array, maxLength: number): Uint8Array {
  const length = snappyUncompressedLength(block);
  if (length > maxLength) {
    throw new SszSnappyError(SszSnappyErrorCode.TOO_MANY_DECODED_BYTES, "snappy block announces too many bytes", {
      length,
      maxLength,
    });
  }
  if (block.length > maxCompressedLength(length) + 5) {
    throw new SszSnappyError(SszSnappyErrorCode.TOO_MANY_ENCODED_BYTES, "snappy block longer than its worst case", {
      length: block.length,
      uncompressedLength: length,
    });
  }
  let out: Uint8Array;
  try {
    out = uncompressSync(block, { asBuffer: true }) as Uint8Array;
  } catch (e) {
    throw new SszSnappyError(SszSnappyErrorCode.INVALID_SNAPPY, (e as Error).message, { length: block.length });
  }
  if (out.length !== length) {
    throw new SszSnappyError(SszSnappyErrorCode.INVALID_SNAPPY, "snappy block length mismatch", {
      announced: length,
      actual: out.length,
    });
  }
  // a plain Uint8Array view (not a Buffer) over the same memory
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
