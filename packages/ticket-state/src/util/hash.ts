import { digest, digest2Bytes32 } from "@chainsafe/as-sha256";

/** SHA-256, the spec's `hash`. */
export function hash(data: Uint8Array): Uint8Array {
  return digest(data);
}

/** `hash(a + b)` for two 32-byte inputs, without concatenating. */
export function hash64(a: Uint8Array, b: Uint8Array): Uint8Array {
  return digest2Bytes32(a, b);
}
