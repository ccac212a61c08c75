import { bytesToHex, hexToBytes, intToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

export interface PayloadAttributesV1 {
  timestamp: `0x${string}`;
  prevRandao: `0x${string}`;
  suggestedFeeRecipient: `0x${string}`;
}

/** A payload id (8 bytes) that names one build: the same head and attributes give the same id. */
export function computePayloadId(head: string, attrs: PayloadAttributesV1): `0x${string}` {
  const preimage = new Uint8Array([
    ...hexToBytes(head as `0x${string}`),
    ...intToBytes(Number(BigInt(attrs.timestamp))),
    ...hexToBytes(attrs.prevRandao),
    ...hexToBytes(attrs.suggestedFeeRecipient),
  ]);
  return bytesToHex(keccak_256(preimage).subarray(0, 8));
}
