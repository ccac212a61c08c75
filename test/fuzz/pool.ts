/**
 * Runs fuzz cases on worker threads, each case under a time bound: a worker that does not answer
 * in time is terminated, the case recorded as a hang, and a fresh worker takes over.
 */
import { Worker } from "node:worker_threads";
import type { Target } from "./cases.ts";
import type { CaseResult } from "./harness.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

export const OUTCOME_HANG = "HANG";
export const OUTCOME_CRASH = "WORKER_CRASH";

export interface FuzzOptions {
  seed: number;
  /** Case indices to run: `count` from `first`, or an explicit list. */
  first?: number;
  count?: number;
  indices?: number[];
  workers: number;
  /** Per-case bound; a case that takes longer is a hang. Generous: a case normally takes milliseconds. */
  caseTimeoutMs: number;
}

export interface FuzzSummary {
  seed: number;
  results: CaseResult[];
  failures: CaseResult[];
  ms: number;
  corpusMs: number;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: { index: number; timer: NodeJS.Timeout; target: Target; mutation: string } | null;
}

export function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const indices = opts.indices ?? Array.from({ length: opts.count ?? 0 }, (_, i) => (opts.first ?? 0) + i);
  const start = performance.now();
  const results: CaseResult[] = [];
  let next = 0;
  let corpusMs = 0;
  const slots = new Set<Slot>();

  return new Promise<FuzzSummary>((resolve, reject) => {
    const finishIfDone = () => {
      if (results.length < indices.length) return;
      for (const s of slots) void s.worker.terminate();
      slots.clear();
      results.sort((a, b) => a.index - b.index);
      resolve({
        seed: opts.seed,
        results,
        failures: results.filter((r) => r.failure !== null),
        ms: performance.now() - start,
        corpusMs,
      });
    };

    const dispatch = (slot: Slot) => {
      if (next >= indices.length) {
        slots.delete(slot);
        void slot.worker.terminate();
        finishIfDone();
        return;
      }
      const index = indices[next++];
      const timer = setTimeout(() => {
        // Synchronous code cannot be interrupted: the whole thread goes
        fail(slot, index, OUTCOME_HANG, `no answer within ${opts.caseTimeoutMs} ms`);
      }, opts.caseTimeoutMs);
      slot.busy = { index, timer, target: "block", mutation: "unknown" };
      slot.worker.postMessage({ seed: opts.seed, index } satisfies ToWorker);
    };

    const fail = (slot: Slot, index: number, outcome: string, why: string) => {
      const { target, mutation } = slot.busy ?? { target: "block" as const, mutation: "unknown" };
      if (slot.busy) clearTimeout(slot.busy.timer);
      slot.busy = null;
      slots.delete(slot);
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
      results.push({ index, target, mutation, outcome, detail: null, failure: `${outcome}: ${why}`, ms: 0 });
      spawn();
      finishIfDone();
    };

    const spawn = () => {
      if (next >= indices.length) return;
      const worker = new Worker(new URL("./worker.ts", import.meta.url));
      const slot: Slot = { worker, ready: false, busy: null };
      slots.add(slot);
      worker.on("message", (message: FromWorker) => {
        if (message.type === "start") {
          if (slot.busy) Object.assign(slot.busy, { target: message.target, mutation: message.mutation });
          return;
        }
        if (message.type === "ready") {
          slot.ready = true;
          corpusMs = Math.max(corpusMs, message.corpusMs);
        } else {
          if (slot.busy) clearTimeout(slot.busy.timer);
          slot.busy = null;
          results.push(message.result);
        }
        dispatch(slot);
      });
      const onDeath = (why: string) => {
        if (!slots.has(slot)) return;
        if (slot.busy) fail(slot, slot.busy.index, OUTCOME_CRASH, why);
        else {
          // Died while building its corpus: no case can run
          for (const s of slots) void s.worker.terminate();
          slots.clear();
          reject(new Error(`a fuzz worker died before running a case: ${why}`));
        }
      };
      worker.on("error", (e) => onDeath(`worker error: ${e.stack ?? e.message}`));
      worker.on("exit", (code) => onDeath(`worker exited with code ${code}`));
    };

    if (indices.length === 0) finishIfDone();
    for (let i = 0; i < Math.min(opts.workers, indices.length); i++) spawn();
  });
}

/** Count of each value of `key` over `results`, most frequent first. */
export function tally(results: CaseResult[], key: (r: CaseResult) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The printed summary: cases, outcomes by error code, mutations, time, failures; last line `N passed, N failed`. */
export function formatSummary(summary: FuzzSummary, maxFailures = 20): string {
  const lines: string[] = [];
  const { results, failures } = summary;
  const caseMs = results.map((r) => r.ms);
  const slowest = caseMs.length > 0 ? Math.max(...caseMs) : 0;
  lines.push(
    `fuzz: seed ${summary.seed}, ${results.length} cases in ${(summary.ms / 1000).toFixed(1)} s ` +
      `(corpus ${(summary.corpusMs / 1000).toFixed(1)} s, slowest case ${slowest.toFixed(0)} ms)`,
  );
  lines.push("outcomes by code:");
  for (const [code, n] of tally(results, (r) => `${r.target} ${r.outcome}`))
    lines.push(`  ${String(n).padStart(6)}  ${code}`);
  lines.push("cases by mutation:");
  for (const [m, n] of tally(results, (r) => `${r.target} ${r.mutation}`))
    lines.push(`  ${String(n).padStart(6)}  ${m}`);
  for (const f of failures.slice(0, maxFailures)) {
    lines.push(`FAILED case ${f.index} (${f.target} ${f.mutation}): ${f.failure}`);
    lines.push(`  replay: npm run fuzz -- --seed ${summary.seed} --case ${f.index}`);
  }
  if (failures.length > maxFailures) lines.push(`... and ${failures.length - maxFailures} more failures`);
  lines.push(`${results.length - failures.length} passed, ${failures.length} failed`);
  return lines.join("\n");
}
