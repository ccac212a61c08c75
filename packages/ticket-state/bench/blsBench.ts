import { randomBytes } from "node:crypto";
import { interopSecretKey, type SignatureSet, verifySignatureSet, verifySignatureSets } from "@turnstile/ticket-state";
import { samplePhases, scaleStats, timed } from "./measure.ts";
import { reportFigure, reportValue, setupTime } from "./report.ts";

export interface BlsBenchOptions {
  sets: number;
  warmup: number;
  runs: number;
}

/** DESIGN.md §10: batch verification ≤ 0.3 ms per signature. */
export const BLS_BATCH_TARGET_MS = 0.3;

/** `count` single-key sets, each a distinct interop key signing a distinct 32-byte root. */
function buildSignatureSets(count: number): SignatureSet[] {
  return Array.from({ length: count }, (_, i) => {
    const sk = interopSecretKey(i);
    const signingRoot = new Uint8Array(randomBytes(32));
    return {
      kind: "bench",
      type: "single" as const,
      pubkey: sk.toPublicKey(),
      signingRoot,
      signature: sk.sign(signingRoot).toBytes(),
    };
  });
}

/**
 * `verifySignatureSets` (signature parsing + one multi-pairing) over `sets` sets, per signature,
 * against `verifySignatureSet` one by one. Both include deserializing and subgroup-checking the signatures.
 */
export function benchBls(opts: BlsBenchOptions): void {
  const built = timed(() => buildSignatureSets(opts.sets));
  const sets = built.result;
  setupTime(`${opts.sets} signed BLS sets`, built.ms);
  if (verifySignatureSets(sets) !== -1) throw new Error("batch verification rejected valid sets");
  if (!sets.every(verifySignatureSet)) throw new Error("single verification rejected a valid set");

  const [batch] = samplePhases(opts.warmup, opts.runs, () => [timed(() => verifySignatureSets(sets)).ms]);
  const [single] = samplePhases(opts.warmup, opts.runs, () => [
    timed(() => {
      for (const set of sets) verifySignatureSet(set);
    }).ms,
  ]);
  const batchPer = scaleStats(batch, 1 / opts.sets);
  const singlePer = scaleStats(single, 1 / opts.sets);
  reportFigure(`BLS batch verify per signature (${opts.sets} sets)`, batchPer, "ms", { max: BLS_BATCH_TARGET_MS });
  reportFigure("BLS single verify per signature", singlePer, "ms");
  reportValue("BLS batch speed-up over single verify", singlePer.p50 / batchPer.p50, "x");
}
