/**
 * One fuzz case, judged: it passes when the input is accepted, or rejected with a typed error
 * (a TicketStateError with a code: SSZ decoding failures included, as SSZ_INVALID), and the state
 * it applied to keeps its hash tree root, and the engine did not learn a rejected payload.
 */
import {
  BlockErrorCode,
  bytesEqual,
  type CachedBeaconState,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  EnvelopeErrorCode,
  processSlotsCopy,
  type SignatureSet,
  TicketStateError,
  verifySignatureSets,
} from "@turnstile/ticket-state";
import { type FuzzCase, generateCase, type Target } from "./cases.ts";
import type { Corpus } from "./corpus.ts";
import { caseSeed, Rng } from "./rng.ts";

export const OUTCOME_ACCEPTED = "ACCEPTED";
export const OUTCOME_UNTYPED = "UNTYPED_ERROR";
const MAX_DETAIL_CHARS = 400;

export interface CaseResult {
  index: number;
  target: Target;
  mutation: string;
  /** `ACCEPTED`, the typed error's code, or `UNTYPED_ERROR`. */
  outcome: string;
  /** The rejection's message and data, for replays. */
  detail: string | null;
  /** Why the case failed; null when it passed. */
  failure: string | null;
  ms: number;
}

/** Process empty slots up to the next epoch's first slot (so one epoch transition runs) on a copy. */
function advancePastEpoch(post: CachedBeaconState): void {
  const epochs = computeEpochAtSlot(post.ctx, post.state.slot);
  processSlotsCopy(post, computeStartSlotAtEpoch(post.ctx, epochs + 1));
}

/** What `state_transition` checks after the block's signatures, and `process_execution_payload` after the envelope's. */
const CHECKS_AFTER_BLOCK_SIGNATURES = new Set<string>([BlockErrorCode.STATE_ROOT_MISMATCH]);
const CHECKS_AFTER_ENVELOPE_SIGNATURE = new Set<string>([
  EnvelopeErrorCode.EXECUTION_INVALID,
  EnvelopeErrorCode.STATE_ROOT_MISMATCH,
]);

/**
 * Run the case again with deferred signatures (as range sync does) and compare: the same verdict,
 * with the signature check moved to the caller. A rejected input hands over no set.
 */
function compareDeferred(c: FuzzCase, outcome: string, setIndex: unknown): string | null {
  const sets: SignatureSet[] = [];
  let deferred = OUTCOME_ACCEPTED;
  try {
    c.run(sets);
  } catch (e) {
    if (!isTypedError(e)) return `untyped error with deferred signatures: ${describe(e)}`;
    deferred = e.code;
  }
  if (deferred !== OUTCOME_ACCEPTED) {
    if (sets.length > 0) return `rejected (${deferred}) with deferred signatures, yet handed over ${sets.length} sets`;
  }
  const invalid = deferred === OUTCOME_ACCEPTED ? verifySignatureSets(sets) : -1;
  const said = `normally ${outcome}, deferred ${deferred} with first invalid set ${invalid}`;
  const block = c.target === "block";
  const signatureCode = block ? BlockErrorCode.INVALID_SIGNATURE : EnvelopeErrorCode.INVALID_SIGNATURE;
  if (outcome === OUTCOME_ACCEPTED) {
    return deferred === OUTCOME_ACCEPTED && invalid === -1 ? null : `deferring signatures changed the verdict: ${said}`;
  }
  if (outcome === signatureCode) {
    // Deferred, the checks that normally follow the signature's run before it: one may answer first
    if ((block ? CHECKS_AFTER_BLOCK_SIGNATURES : CHECKS_AFTER_ENVELOPE_SIGNATURE).has(deferred)) return null;
    if (deferred !== OUTCOME_ACCEPTED || invalid < 0) return `deferring signatures changed the verdict: ${said}`;
    if (block && setIndex !== invalid)
      return `the deferred batch names set ${invalid}, the block's own check ${setIndex}`;
    return null;
  }
  return deferred === outcome ? null : `deferring signatures changed the verdict: ${said}`;
}

export function isTypedError(e: unknown): e is TicketStateError {
  return e instanceof TicketStateError && typeof e.code === "string" && e.code.length > 0;
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${e.stack?.split("\n").slice(1, 6).join("\n") ?? ""}`;
  return `non-error thrown: ${String(e)}`;
}

/** Run case `index` of the run seeded `seed`; `onStart` hears what it is before it runs. */
export function runCase(
  corpus: Corpus,
  seed: number,
  index: number,
  onStart?: (target: Target, mutation: string) => void,
): CaseResult {
  const rng = new Rng(caseSeed(seed, index));
  const c = generateCase(corpus, rng);
  onStart?.(c.target, c.mutation);
  const preRoot = Uint8Array.from(c.pre.hashTreeRoot());
  const failures: string[] = [];
  let outcome = OUTCOME_ACCEPTED;
  let detail: string | null = null;
  let setIndex: unknown;
  let payloadHash: Uint8Array | null = null;
  let knownBefore = true;
  const start = performance.now();
  try {
    c.prepare();
    payloadHash = c.payloadHash();
    knownBefore = payloadHash === null || c.engine === null || c.engine.hasPayload(payloadHash);
    const post = c.run();
    // An accepted post-state must go on: through the next epoch transition, with no error at all
    try {
      advancePastEpoch(post);
    } catch (e) {
      failures.push(`advancing the accepted post-state past the next epoch transition failed: ${describe(e)}`);
    }
  } catch (e) {
    if (isTypedError(e)) {
      outcome = e.code;
      setIndex = e.data.setIndex;
      detail = `${e.message} ${JSON.stringify(e.data)}`.slice(0, MAX_DETAIL_CHARS);
    } else {
      outcome = OUTCOME_UNTYPED;
      failures.push(`untyped error: ${describe(e)}`);
    }
  }
  if (c.differential && failures.length === 0) {
    const disagreement = compareDeferred(c, outcome, setIndex);
    if (disagreement !== null) failures.push(disagreement);
  }
  const ms = performance.now() - start;
  if (!bytesEqual(c.pre.hashTreeRoot(), preRoot)) failures.push("the pre-state's hash tree root changed");
  if (outcome !== OUTCOME_ACCEPTED && !knownBefore && payloadHash && c.engine?.hasPayload(payloadHash)) {
    failures.push("the engine learnt the payload of a rejected envelope");
  }
  return {
    index,
    target: c.target,
    mutation: c.mutation,
    outcome,
    detail,
    failure: failures.length > 0 ? failures.join("; ") : null,
    ms,
  };
}
