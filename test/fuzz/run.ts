/**
 * `npm run fuzz [-- --seed N --cases N --first N --workers N --timeout-ms N]`: mutate valid blocks,
 * envelopes and ticket operations and check every outcome (see harness.ts). Bounded and seeded:
 * the same arguments run the same cases. `--case I` replays one case on this thread and prints
 * its error in full.
 */
import { parseArgs } from "node:util";
import { buildCorpus } from "./corpus.ts";
import { runCase } from "./harness.ts";
import { formatSummary, runFuzz } from "./pool.ts";
import { DEFAULT_CASE_TIMEOUT_MS, DEFAULT_CASES, DEFAULT_SEED } from "./settings.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: String(DEFAULT_SEED) },
    cases: { type: "string", default: String(DEFAULT_CASES) },
    first: { type: "string", default: "0" },
    workers: { type: "string", default: "2" },
    "timeout-ms": { type: "string", default: String(DEFAULT_CASE_TIMEOUT_MS) },
    case: { type: "string" },
  },
});
const int = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
};
const seed = int("seed", values.seed);

if (values.case !== undefined) {
  const index = int("case", values.case);
  const result = runCase(buildCorpus(), seed, index);
  console.log(JSON.stringify({ ...result, failure: undefined }, null, 2));
  if (result.failure) console.log(result.failure);
  console.log(result.failure ? "0 passed, 1 failed" : "1 passed, 0 failed");
  process.exitCode = result.failure ? 1 : 0;
} else {
  const summary = await runFuzz({
    seed,
    first: int("first", values.first),
    count: int("cases", values.cases),
    workers: Math.max(1, int("workers", values.workers)),
    caseTimeoutMs: int("timeout-ms", values["timeout-ms"]),
  });
  console.log(formatSummary(summary));
  process.exitCode = summary.failures.length > 0 ? 1 : 0;
}
