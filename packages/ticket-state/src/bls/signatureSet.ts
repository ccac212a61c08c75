import {
  aggregatePublicKeys,
  type SignatureSet as BlstSignatureSet,
  type PublicKey,
  Signature,
  verify,
  verifyMultipleAggregateSignatures,
} from "@chainsafe/blst";

/**
 * What one rule asks to be verified: a signing root, the key(s) that must have signed it, and the
 * signature bytes. Rules return sets; the block processor verifies all of a block's sets in one batch.
 */
export type SignatureSet =
  | { kind: string; type: "single"; pubkey: PublicKey; signingRoot: Uint8Array; signature: Uint8Array }
  | { kind: string; type: "aggregate"; pubkeys: PublicKey[]; signingRoot: Uint8Array; signature: Uint8Array };

/** Deserialize a signature, checking it is on the curve and in the subgroup; null when it is not. */
export function parseSignature(bytes: Uint8Array): Signature | null {
  try {
    return Signature.fromBytes(bytes, true);
  } catch {
    return null;
  }
}

/**
 * Deserialize without the subgroup check (decompression still rejects points off the curve):
 * the verify calls below do the check themselves, and the batch call spreads it over all cores.
 */
function parseSignatureUnchecked(bytes: Uint8Array): Signature | null {
  try {
    return Signature.fromBytes(bytes, false);
  } catch {
    return null;
  }
}

function toBlstSet(set: SignatureSet): BlstSignatureSet | null {
  const sig = parseSignatureUnchecked(set.signature);
  if (sig === null) return null;
  const pk = set.type === "single" ? set.pubkey : aggregatePublicKeys(set.pubkeys);
  return { msg: set.signingRoot, pk, sig };
}

/** Verify one set on its own (used to find the culprit after a failed batch, and for gossip). */
export function verifySignatureSet(set: SignatureSet): boolean {
  if (set.type === "aggregate" && set.pubkeys.length === 0) return false;
  const blstSet = toBlstSet(set);
  return blstSet !== null && verify(blstSet.msg, blstSet.pk, blstSet.sig, false, true);
}

/**
 * Verify many sets with one multi-pairing (random linear combination), about 3x cheaper per
 * signature than one by one. Returns the index of the first invalid set, or -1 when all are valid:
 * every set before the returned index is valid (callers store what comes before it).
 */
export function verifySignatureSets(sets: SignatureSet[]): number {
  const blstSets: BlstSignatureSet[] = [];
  for (const set of sets) {
    const blstSet = set.type === "aggregate" && set.pubkeys.length === 0 ? null : toBlstSet(set);
    // A set that cannot verify at all: it is the answer only if every set before it is valid
    if (blstSet === null) break;
    blstSets.push(blstSet);
  }
  const invalid = firstInvalidBlstSet(blstSets);
  if (invalid >= 0) return invalid;
  return blstSets.length < sets.length ? blstSets.length : -1;
}

/** The index of the first invalid set of deserialized sets, or -1: one batch, then one by one if it fails. */
export function firstInvalidBlstSet(sets: BlstSignatureSet[]): number {
  if (sets.length === 0) return -1;
  if (sets.length === 1) return verify(sets[0].msg, sets[0].pk, sets[0].sig, false, true) ? -1 : 0;
  // Keys come from the validated pubkey cache; signatures are group-checked inside the batch
  if (verifyMultipleAggregateSignatures(sets, false, true)) return -1;
  for (let i = 0; i < sets.length; i++) {
    if (!verify(sets[i].msg, sets[i].pk, sets[i].sig, false, true)) return i;
  }
  return 0;
}
