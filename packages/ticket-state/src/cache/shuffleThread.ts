/**
 * Body of the shuffling worker thread (see `shuffleWorker.ts`): runs the native unshuffle for each
 * job posted to it and writes the result into the job's shared memory, so the main thread can
 * join a job synchronously (`Atomics.wait`) from inside a synchronous state transition.
 * Imports nothing of the package: only the native shuffle and the job protocol's constants.
 */

import { parentPort } from "node:worker_threads";
import { unshuffleList } from "@chainsafe/swap-or-not-shuffle";
import { JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, type ShuffleJobMessage } from "./shuffleJob.ts";

parentPort?.on("message", (job: ShuffleJobMessage) => {
  const status = new Int32Array(job.status);
  // The main thread may have given up on the job (and shuffled it itself) before it got here
  if (Atomics.compareExchange(status, 0, JOB_QUEUED, JOB_RUNNING) !== JOB_QUEUED) return;
  let outcome = JOB_DONE;
  try {
    const input = new Uint32Array(job.input, 0, job.length);
    const shuffled = input.length <= 1 ? input : unshuffleList(input, job.seed, job.rounds);
    new Uint32Array(job.output, 0, job.length).set(shuffled);
  } catch {
    outcome = JOB_FAILED;
  }
  Atomics.store(status, 0, outcome);
  Atomics.notify(status, 0);
});
