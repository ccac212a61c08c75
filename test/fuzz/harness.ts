/**
 * One fuzz case, judged: it passes when the input is accepted, or rejected with a typed error
 * (a TicketStateError with a code: SSZ decoding failures included, as SSZ_INVALID), and the state
 * it applied to keeps its hash tree root, and the engine did not learn a rejected payload.
 */
import {
  bytesEqual,
  type CachedBeaconState,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  processSlotsCopy,
  TicketStateError,
} from "@turnstile/ticket-state";
import { generateCase, type Target } from "./cases.ts";
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
      detail = `${e.message} ${JSON.stringify(e.data)}`.slice(0, MAX_DETAIL_CHARS);
    } else {
      outcome = OUTCOME_UNTYPED;
      failures.push(`untyped error: ${describe(e)}`);
    }
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
