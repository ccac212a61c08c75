import { aggregatePublicKeys } from "@chainsafe/blst";
import type { SignatureSet } from "@turnstile/ticket-state";

/** A signature set as bytes, to cross to the BLS thread: message, (aggregate) key uncompressed, signature. */
export interface SerializedSet {
  msg: Uint8Array;
  pk: Uint8Array;
  sig: Uint8Array;
}

export interface VerifyRequest {
  id: number;
  sets: SerializedSet[];
}

export interface VerifyResponse {
  id: number;
  invalid: number;
}

/**
 * Aggregate keys here (cheap), so one uncompressed key crosses per set; null for a set that can
 * never verify (no signers).
 */
export function serializeSet(set: SignatureSet): SerializedSet | null {
  if (set.type === "aggregate" && set.pubkeys.length === 0) return null;
  const pk = set.type === "single" ? set.pubkey : aggregatePublicKeys(set.pubkeys);
  return { msg: set.signingRoot, pk: pk.toBytes(false), sig: set.signature };
}
