import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OUTCOME_ACCEPTED } from "./harness.ts";
import { formatSummary, runFuzz } from "./pool.ts";
import { REGRESSIONS } from "./regressions.ts";
import { DEFAULT_CASE_TIMEOUT_MS } from "./settings.ts";

/** The slice `npm test` runs; `npm run fuzz` runs ten times as many and more seeds. */
const SLICE_SEED = 1;
const SLICE_CASES = 1000;

describe("fuzz: mutated blocks, envelopes and ticket operations", () => {
  it(`${SLICE_CASES} cases: each accepted, or rejected with a typed error; the pre-state unchanged; none hangs`, async () => {
    const summary = await runFuzz({
      seed: SLICE_SEED,
      first: 0,
      count: SLICE_CASES,
      workers: 2,
      caseTimeoutMs: DEFAULT_CASE_TIMEOUT_MS,
    });
    assert.equal(summary.results.length, SLICE_CASES);
    assert.deepEqual(
      summary.failures.map((f) => `case ${f.index} (${f.target} ${f.mutation}): ${f.failure}`),
      [],
      formatSummary(summary),
    );
    // The mutations reach past decoding and signatures: some are still valid, many rules answer
    const outcomes = new Set(summary.results.map((r) => r.outcome));
    assert.ok(outcomes.has(OUTCOME_ACCEPTED), "some mutations are still valid");
    assert.ok(outcomes.size >= 30, `only ${outcomes.size} distinct outcomes`);
  });

  for (const r of REGRESSIONS) {
    it(`regression: seed ${r.seed} case ${r.index} gives ${r.outcome} (${r.bug})`, async () => {
      const summary = await runFuzz({
        seed: r.seed,
        indices: [r.index],
        workers: 1,
        caseTimeoutMs: DEFAULT_CASE_TIMEOUT_MS,
      });
      const [result] = summary.results;
      assert.equal(result.mutation, r.mutation, "the generator moved this case: find it again (see regressions.ts)");
      assert.equal(result.failure, null);
      assert.equal(result.outcome, r.outcome);
      if (r.detail !== undefined)
        assert.ok(result.detail?.includes(r.detail), `${result.detail} does not name ${r.detail}`);
    });
  }
});
