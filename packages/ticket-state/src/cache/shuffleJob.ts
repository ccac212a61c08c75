/**
 * The protocol between `shuffleWorker.ts` (main thread) and `shuffleThread.ts` (worker): a job's
 * status is one Int32 in shared memory that either side moves forward with compare-and-swap, so
 * exactly one of them runs the shuffle: QUEUED → RUNNING → DONE | FAILED by the worker, or
 * QUEUED → CANCELLED by the main thread when it joins a job the worker has not started.
 */
export const JOB_QUEUED = 0;
export const JOB_RUNNING = 1;
export const JOB_DONE = 2;
export const JOB_FAILED = 3;
export const JOB_CANCELLED = 4;

/** What the main thread posts: buffers shared with it, and the seed (copied). */
export interface ShuffleJobMessage {
  status: SharedArrayBuffer;
  /** The list to shuffle, as 32-bit elements: the first `length` of them (the buffer is reused, maybe longer). */
  input: SharedArrayBuffer;
  length: number;
  seed: Uint8Array;
  rounds: number;
  /** At least 4 bytes per input element: the worker writes `unshuffleList(input, seed, rounds)` at its start. */
  output: SharedArrayBuffer;
}
