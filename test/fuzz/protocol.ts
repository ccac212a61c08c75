import type { Target } from "./cases.ts";
import type { CaseResult } from "./harness.ts";

/** Main thread to fuzz worker: run one case. */
export interface ToWorker {
  seed: number;
  index: number;
}

/** Fuzz worker to main thread. */
export type FromWorker =
  | { type: "ready"; corpusMs: number }
  | { type: "start"; target: Target; mutation: string }
  | { type: "result"; result: CaseResult };
