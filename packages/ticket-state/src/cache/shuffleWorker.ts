import { Worker } from "node:worker_threads";
import { shuffleListNative } from "./nativeShuffle.ts";
import { JOB_CANCELLED, JOB_DONE, JOB_QUEUED, JOB_RUNNING, type ShuffleJobMessage } from "./shuffleJob.ts";

/**
 * Shuffles off the main thread, joined synchronously: the epoch transition starts the next
 * epoch's shuffle here and the rotation joins it, so the native unshuffle runs on another core
 * while `processEpoch` runs on this one. One worker thread per process, started on first use and
 * unref'd (it never keeps a process alive). Whatever happens to the worker, `join` returns what
 * `shuffleListNative` returns: a job the worker has not started is cancelled and shuffled here.
 */
export interface ShuffleWorkerSettings {
  /** Off: every job is shuffled on the calling thread, at `join`. */
  enabled: boolean;
  /** Shorter lists are shuffled at `join`: a worker round trip is not worth it (~4 ms at 16,384). */
  minListLength: number;
  /** How long `join` waits for a running job before shuffling on the calling thread instead. */
  joinTimeoutMs: number;
}

const DEFAULT_SETTINGS: ShuffleWorkerSettings = { enabled: true, minListLength: 8192, joinTimeoutMs: 10_000 };
const settings: ShuffleWorkerSettings = { ...DEFAULT_SETTINGS };

/** Change how shuffles are offloaded (embedders without worker threads turn it off); returns the settings now in force. */
export function configureShuffleWorker(change: Partial<ShuffleWorkerSettings> = {}): ShuffleWorkerSettings {
  Object.assign(settings, change);
  return { ...settings };
}

let worker: Worker | null = null;
/** Set when the worker could not start or failed: from then on every job is shuffled in place. */
let workerBroken = false;

function getWorker(): Worker | null {
  if (worker !== null || workerBroken) return worker;
  try {
    // The worker runs the same flavour of this package as its parent: source (.ts) or built (.js)
    const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
    // Of the parent's flags only those that let it load TypeScript (Node 22's strip-types): the
    // thread needs the native module alone, not test hooks or preloads
    const execArgv = process.execArgv.filter((flag) => /-types\b/.test(flag));
    const started = new Worker(new URL(`./shuffleThread.${ext}`, import.meta.url), { execArgv });
    started.unref();
    started.on("error", () => {
      workerBroken = true;
      worker = null;
    });
    started.on("exit", () => {
      if (worker === started) worker = null;
    });
    worker = started;
  } catch {
    workerBroken = true;
  }
  return worker;
}

/** Start the worker ahead of its first job (a thread takes tens of ms to load), if lists of `listLength` would use it. */
export function prewarmShuffleWorker(listLength: number): void {
  if (settings.enabled && listLength >= settings.minListLength) getWorker();
}

/** Jobs started, and joined jobs by who shuffled them (since the process started). */
export interface ShuffleJobCounts {
  started: number;
  byWorker: number;
  byCaller: number;
}
const counts: ShuffleJobCounts = { started: 0, byWorker: 0, byCaller: 0 };

export function shuffleJobCounts(): ShuffleJobCounts {
  return { ...counts };
}

interface JobBuffers {
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
}

/**
 * The list buffers of the last job the worker is done with, for the next job. The worker's thread
 * keeps each buffer it was sent until its own next GC, which its small heap seldom needs: with new
 * buffers per job, 60-120 MiB of finished jobs' buffers stayed alive at 262,144 validators. Never
 * the status word: a stale message of a cancelled job must still find its own status, not a new job's.
 */
let spareBuffers: JobBuffers | null = null;

function takeBuffers(length: number): JobBuffers {
  const bytes = length * Uint32Array.BYTES_PER_ELEMENT;
  const spare = spareBuffers;
  // Not more than twice the size: a much larger list's buffers are let go
  if (spare !== null && spare.input.byteLength >= bytes && spare.input.byteLength <= 2 * bytes) {
    spareBuffers = null;
    return spare;
  }
  return { input: new SharedArrayBuffer(bytes), output: new SharedArrayBuffer(bytes) };
}

/** Where a joined job's result was computed: on the worker, or on the joining thread. */
export type ShuffleJobRunner = "worker" | "caller";

/** One shuffle `unshuffleList(input, seed, rounds)`, possibly under way on the worker. */
export class ShuffleJob {
  private result: Uint32Array | null = null;
  private status: Int32Array | null = null;
  private buffers: JobBuffers | null = null;
  /** Set by `join`. */
  runner: ShuffleJobRunner | null = null;

  readonly input: Uint32Array;
  readonly seed: Uint8Array;
  readonly rounds: number;

  constructor(input: Uint32Array, seed: Uint8Array, rounds: number) {
    this.input = input;
    this.seed = seed;
    this.rounds = rounds;
    counts.started++;
    if (!settings.enabled || input.length < settings.minListLength) return;
    const w = getWorker();
    if (w === null) return;
    const status = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const buffers = takeBuffers(input.length);
    // Shared, not posted: a structured clone of a large list costs more than this copy
    new Uint32Array(buffers.input, 0, input.length).set(input);
    const message: ShuffleJobMessage = {
      status,
      input: buffers.input,
      length: input.length,
      // A copy of the seed alone: a hash is a view into the Buffer pool, and posting a view clones its whole buffer
      seed: seed.slice(),
      rounds,
      output: buffers.output,
    };
    try {
      w.postMessage(message);
    } catch {
      return;
    }
    this.status = new Int32Array(status);
    this.buffers = buffers;
  }

  /** Whether `join` would return without shuffling or waiting: joined already, or finished by the worker. */
  isDone(): boolean {
    return this.result !== null || (this.status !== null && Atomics.load(this.status, 0) === JOB_DONE);
  }

  /** The shuffled list, the same as `shuffleListNative(input, seed, rounds)`. Blocks while the worker runs it. */
  join(): Uint32Array {
    if (this.result !== null) return this.result;
    const { status, buffers } = this;
    if (status !== null && buffers !== null) {
      // Claim a job the worker has not started: then it is shuffled here, not waited for
      if (Atomics.compareExchange(status, 0, JOB_QUEUED, JOB_CANCELLED) === JOB_RUNNING) {
        Atomics.wait(status, 0, JOB_RUNNING, settings.joinTimeoutMs);
      }
      const outcome = Atomics.load(status, 0);
      if (outcome === JOB_DONE) {
        this.runner = "worker";
        counts.byWorker++;
        // A private copy: the caller gets an ordinary array, as from the native call
        this.result = new Uint32Array(buffers.output, 0, this.input.length).slice();
      }
      // Finished, failed or cancelled, the worker no longer touches the buffers; still running
      // (the wait timed out), it may write them yet
      if (outcome !== JOB_RUNNING) spareBuffers = buffers;
      this.status = null;
      this.buffers = null;
    }
    if (this.result === null) {
      this.runner = "caller";
      counts.byCaller++;
      this.result = shuffleListNative(this.input, this.seed, this.rounds);
    }
    return this.result;
  }
}
