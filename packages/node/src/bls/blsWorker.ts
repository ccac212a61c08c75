/**
 * The BLS verification thread: receives signature sets as bytes and answers with the index of the
 * first invalid one (-1 when all are valid). Runs blst's multi-verification, which itself spreads
 * over every core, while the main thread goes on with state transitions and the network.
 */
import { parentPort } from "node:worker_threads";
import { PublicKey, Signature, type SignatureSet } from "@chainsafe/blst";
import { firstInvalidBlstSet } from "@turnstile/ticket-state";
import type { SerializedSet, VerifyRequest, VerifyResponse } from "./serializedSet.ts";

function toBlstSet(set: SerializedSet): SignatureSet | null {
  try {
    // Keys come from the state's validated registry; signatures are group-checked by the verify calls
    return { msg: set.msg, pk: PublicKey.fromBytes(set.pk, false), sig: Signature.fromBytes(set.sig, false) };
  } catch {
    return null;
  }
}

/** The index of the first invalid set (every set before it valid), or -1. */
function firstInvalid(sets: SerializedSet[]): number {
  const blstSets: SignatureSet[] = [];
  for (const serialized of sets) {
    const set = toBlstSet(serialized);
    // Undecodable: the answer only if every set before it verifies
    if (set === null) break;
    blstSets.push(set);
  }
  const invalid = firstInvalidBlstSet(blstSets);
  if (invalid >= 0) return invalid;
  return blstSets.length < sets.length ? blstSets.length : -1;
}

parentPort?.on("message", (request: VerifyRequest) => {
  const response: VerifyResponse = { id: request.id, invalid: firstInvalid(request.sets) };
  parentPort?.postMessage(response);
});
