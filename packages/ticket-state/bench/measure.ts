/** Timing helpers: wall-clock (or CPU-time) samples of one or more phases per iteration, summarised as p50 and min. */

export interface Stats {
  /** Median of the samples. */
  p50: number;
  min: number;
  max: number;
  runs: number;
}

/**
 * What `timed` measures: `wall` (default), or `cpu`, the process's user+system CPU time (all its
 * threads, GC helpers and the shuffling worker included), which leaves out the time the process
 * waits for a core: steadier when other jobs share the machine.
 */
export type Clock = "wall" | "cpu";
let clock: Clock = "wall";

/** Set the clock from a `--clock wall|cpu` argument (wall when absent); returns the clock in force. */
export function clockFromArgs(argv: readonly string[]): Clock {
  const i = argv.indexOf("--clock");
  const value = i >= 0 ? argv[i + 1] : "wall";
  if (value !== "wall" && value !== "cpu") throw new Error(`--clock is wall or cpu, not ${value}`);
  clock = value;
  return clock;
}

const MICROSECONDS_PER_MS = 1000;

/** Run `fn` once and return its result with the elapsed time on the chosen clock, in milliseconds. */
export function timed<T>(fn: () => T): { result: T; ms: number } {
  if (clock === "cpu") {
    const before = process.cpuUsage();
    const result = fn();
    const used = process.cpuUsage(before);
    return { result, ms: (used.user + used.system) / MICROSECONDS_PER_MS };
  }
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

export function summarize(samples: number[]): Stats {
  if (samples.length === 0) throw new Error("no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const p50 = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { p50, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/**
 * Run `iteration` `warmup` times untimed-for-report, then `runs` times; each call returns the
 * durations (ms) of its phases, in a fixed order. Returns one summary per phase.
 * The iteration does its own untimed preparation (clones, advancing slots) and times only what is measured.
 */
export function samplePhases(warmup: number, runs: number, iteration: () => number[]): Stats[] {
  for (let i = 0; i < warmup; i++) iteration();
  const perPhase: number[][] = [];
  for (let r = 0; r < runs; r++) {
    const phases = iteration();
    phases.forEach((ms, i) => {
      if (perPhase[i] === undefined) perPhase[i] = [];
      perPhase[i].push(ms);
    });
  }
  return perPhase.map(summarize);
}

/** Scale every figure of a summary, e.g. a batch time to a per-item time. */
export function scaleStats(stats: Stats, factor: number): Stats {
  return { p50: stats.p50 * factor, min: stats.min * factor, max: stats.max * factor, runs: stats.runs };
}
