/** A fuzz worker thread: builds the corpus, then runs the cases the main thread sends, one at a time. */
import { parentPort } from "node:worker_threads";
import { buildCorpus, type Corpus } from "./corpus.ts";
import { runCase } from "./harness.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

const port = parentPort;
if (port === null) throw new Error("worker.ts runs as a worker thread");

const build = (): { corpus: Corpus; ms: number } => {
  const start = performance.now();
  return { corpus: buildCorpus(), ms: performance.now() - start };
};

let { corpus, ms } = build();
port.postMessage({ type: "ready", corpusMs: ms } satisfies FromWorker);

port.on("message", (message: ToWorker) => {
  // Said before the case runs, so that a hang is reported with what hung
  const result = runCase(corpus, message.seed, message.index, (target, mutation) =>
    port.postMessage({ type: "start", target, mutation } satisfies FromWorker),
  );
  // A case that changed its pre-state spoilt the corpus for the next ones
  if (result.failure?.includes("pre-state")) ({ corpus } = build());
  port.postMessage({ type: "result", result } satisfies FromWorker);
});
