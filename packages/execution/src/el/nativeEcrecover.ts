import { createRequire } from "node:module";
import { calculateSigRecovery, ecrecover } from "@ethereumjs/util";

interface Secp256k1 {
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed: boolean): Uint8Array;
}

/** libsecp256k1's bindings (prebuilt in the package), or null where they cannot load. */
function loadNative(): Secp256k1 | null {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings.js") as Secp256k1;
  } catch {
    return null;
  }
}

const native = loadNative();

/**
 * Sender recovery on libsecp256k1: each payload transaction's sender is recovered on import, and
 * the pure-JS curve costs milliseconds per signature (the bulk of a payload's execution time).
 * Same contract as @ethereumjs/util's `ecrecover` (64-byte public key), which it falls back to.
 */
export function fastEcrecover(
  msgHash: Uint8Array,
  v: bigint,
  r: Uint8Array,
  s: Uint8Array,
  chainId?: bigint,
): Uint8Array {
  if (native === null) return ecrecover(msgHash, v, r, s, chainId);
  const recovery = calculateSigRecovery(v, chainId);
  if (recovery !== 0n && recovery !== 1n) return ecrecover(msgHash, v, r, s, chainId);
  const signature = new Uint8Array(64);
  signature.set(r, 32 - r.length);
  signature.set(s, 64 - s.length);
  try {
    return native.ecdsaRecover(signature, Number(recovery), msgHash, false).slice(1);
  } catch {
    // Invalid signatures: let the reference implementation throw its own error
    return ecrecover(msgHash, v, r, s, chainId);
  }
}
