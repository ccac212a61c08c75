import { parentPort } from "node:worker_threads";
import { useFastHasher } from "@turnstile/ticket-state";
import { runLab } from "./labRun.ts";
import type { JobRequest, WorkerMessage } from "./runner.ts";

/** Slots between progress messages: often enough for a smooth bar, rare enough to cost nothing. */
const PROGRESS_EVERY = 25;

/** A lab worker thread: runs the jobs it is sent, one at a time, reporting progress every few slots. */
await useFastHasher();
const port = parentPort;
if (!port) throw new Error("worker.ts runs only as a worker thread");
port.on("message", (req: JobRequest) => {
  let reported = 0;
  const result = runLab(req.setup, req.seed, (slot) => {
    if (slot - reported >= PROGRESS_EVERY) {
      port.postMessage({ kind: "progress", job: req.job, slots: slot - reported } satisfies WorkerMessage);
      reported = slot;
    }
  });
  port.postMessage({ kind: "progress", job: req.job, slots: req.setup.slots - reported } satisfies WorkerMessage);
  port.postMessage({ kind: "done", job: req.job, result } satisfies WorkerMessage);
});
