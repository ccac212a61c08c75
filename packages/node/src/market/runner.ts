import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { presets } from "@turnstile/ticket-state";
import { type RunResult, runLab } from "./labRun.ts";
import { type MetricSummary, type RunMetrics, runMetrics, summarize } from "./metrics.ts";
import type { LabSetup } from "./setup.ts";
import type { SweepPlan } from "./sweep.ts";

export interface JobRequest {
  job: number;
  setup: LabSetup;
  seed: number;
}

export type WorkerMessage =
  | { kind: "progress"; job: number; slots: number }
  | { kind: "done"; job: number; result: RunResult };

export interface PointResult {
  setup: LabSetup;
  /** Seeds setup.seed, setup.seed + 1, ... in order. */
  runs: RunMetrics[];
  summary: MetricSummary;
  /** The first seed's run, slot by slot (for charts and slots.csv). */
  firstRun: RunResult;
}

export interface SweepResult {
  name: string;
  points: PointResult[];
  wallMs: number;
  workers: number;
}

export interface RunnerOptions {
  /** Worker threads; 1 runs in this thread. Default: the machine's cores, at most the job count. */
  workers?: number;
  /** Called with the number of slots just simulated. */
  onProgress?: (slots: number) => void;
}

/** The lab runs the minimal preset (labChainConfig): its lookahead is the metrics'. */
function metricsOf(setup: LabSetup, run: RunResult): RunMetrics {
  return runMetrics(run, {
    burnIn: setup.burnIn,
    lookahead: presets.minimal.TICKET_LOOKAHEAD_SLOTS,
    discountPerSlot: setup.discountPerSlot,
    shockSlot: setup.shock?.slot ?? null,
  });
}

/**
 * Run every point of a sweep `runs` times (seed, seed + 1, ...), over worker threads. Each run
 * depends only on its setup and seed, so the results are the same whatever the worker count or
 * the order runs finish in.
 */
export async function runSweep(plan: SweepPlan, opts: RunnerOptions = {}): Promise<SweepResult> {
  const started = performance.now();
  const jobs: JobRequest[] = [];
  for (const setup of plan.points) {
    for (let r = 0; r < setup.runs; r++) jobs.push({ job: jobs.length, setup, seed: setup.seed + r });
  }
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), jobs.length));
  const results = new Array<RunResult>(jobs.length);
  if (workers === 1) {
    for (const j of jobs) {
      results[j.job] = runLab(j.setup, j.seed, () => opts.onProgress?.(1));
    }
  } else {
    await runOnWorkers(jobs, workers, results, opts.onProgress);
  }
  let next = 0;
  const points = plan.points.map((setup) => {
    const runs = results.slice(next, next + setup.runs);
    next += setup.runs;
    const metrics = runs.map((r) => metricsOf(setup, r));
    return { setup, runs: metrics, summary: summarize(metrics), firstRun: runs[0] };
  });
  return { name: plan.name, points, wallMs: Math.round(performance.now() - started), workers };
}

async function runOnWorkers(
  jobs: JobRequest[],
  count: number,
  results: RunResult[],
  onProgress?: (slots: number) => void,
): Promise<void> {
  const queue = [...jobs];
  const pool = Array.from({ length: count }, () => new Worker(new URL("./worker.ts", import.meta.url)));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              const job = queue.shift();
              if (job) worker.postMessage(job);
              else resolve();
            };
            worker.on("message", (m: WorkerMessage) => {
              if (m.kind === "progress") onProgress?.(m.slots);
              else {
                results[m.job] = m.result;
                feed();
              }
            });
            worker.on("error", reject);
            worker.on("exit", (code) => {
              if (code !== 0) reject(new Error(`lab worker exited with code ${code}`));
            });
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
