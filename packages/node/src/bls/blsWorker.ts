/**
 * The BLS verification thread: receives signature sets as bytes and answers with the index of the
 * first invalid one (-1 when all are valid). Runs blst's multi-verification, which itself spreads
 * over every core, while the main thread goes on with state transitions and the network.
 */
import { parentPort } from "node:worker_threads";
import { PublicKey, Signature, type SignatureSet, verify, verifyMultipleAggregateSignatures } from "@chainsafe/blst";
import type { SerializedSet, VerifyRequest, VerifyResponse } from "./serializedSet.ts";

function toBlstSet(set: SerializedSet): SignatureSet | null {
  try {
    // Keys come from the state's validated registry; signatures are group-checked by the verify calls
    return { msg: set.msg, pk: PublicKey.fromBytes(set.pk, false), sig: Signature.fromBytes(set.sig, false) };
  } catch {
    return null;
  }
}

function firstInvalid(sets: SerializedSet[]): number {
  const blstSets: SignatureSet[] = [];
  for (let i = 0; i < sets.length; i++) {
    const set = toBlstSet(sets[i]);
    if (set === null) return i;
    blstSets.push(set);
  }
  if (blstSets.length === 0) return -1;
  if (verifyMultipleAggregateSignatures(blstSets, false, true)) return -1;
  for (let i = 0; i < blstSets.length; i++) {
    if (!verify(blstSets[i].msg, blstSets[i].pk, blstSets[i].sig, false, true)) return i;
  }
  return 0;
}

parentPort?.on("message", (request: VerifyRequest) => {
  const response: VerifyResponse = { id: request.id, invalid: firstInvalid(request.sets) };
  parentPort?.postMessage(response);
});
