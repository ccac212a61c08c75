/** Bytes of a big-endian uint64 in a key: big-endian so that keys sort by the number. */
export const UINT64_BYTES = 8;

/** A database key: one bucket byte, then `parts` (the bucket keeps kinds apart and ranges scannable). */
export function bucketKey(bucket: number, ...parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  out[0] = bucket;
  let offset = 1;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function uint64Key(n: number): Uint8Array {
  const out = new Uint8Array(UINT64_BYTES);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

export function readUint64Key(bytes: Uint8Array, offset: number): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset + offset, UINT64_BYTES).getBigUint64(0, false));
}
