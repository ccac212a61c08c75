import { SecretKey } from "@chainsafe/blst";
import { uintToBytes4 } from "../util/bytes.ts";
import { hash } from "../util/hash.ts";

/** Order of the BLS12-381 G1 subgroup: secret keys are integers modulo it. */
const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** Interop key index from which buyer (ticket-holder) accounts take their dev keys. */
export const BUYER_INTEROP_KEY_OFFSET = 2 ** 31;

/**
 * The standard interop derivation used by every consensus client's dev chains:
 * sk = int.from_bytes(sha256(uint_to_bytes32_le(index)), "little") % CURVE_ORDER.
 */
export function interopSecretKey(index: number): SecretKey {
  const preimage = new Uint8Array(32);
  preimage.set(uintToBytes4(index), 0);
  const digest = hash(preimage);
  let n = 0n;
  for (let i = digest.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(digest[i]);
  n %= CURVE_ORDER;
  const bytes = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return SecretKey.fromBytes(bytes);
}

/** Dev key of buyer account `index`: interop key `BUYER_INTEROP_KEY_OFFSET + index`, disjoint from validators'. */
export function interopBuyerSecretKey(index: number): SecretKey {
  return interopSecretKey(BUYER_INTEROP_KEY_OFFSET + index);
}
