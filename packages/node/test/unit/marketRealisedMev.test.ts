import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createChainContext, minimalChainConfig } from "@turnstile/ticket-state";
import { MarketErrorCode } from "../../src/market/errors.ts";
import { mevMean, mevSeries } from "../../src/market/mevProcess.ts";
import { loadRealisedMevSeries } from "../../src/market/realisedMev.ts";
import { applySetupPatch, DEFAULT_SETUP } from "../../src/market/setup.ts";
import { ticketValuation, updateMevEstimate } from "../../src/tickets/valuation.ts";

const ctx = createChainContext(minimalChainConfig);

describe("the market lab's realised MEV process (a devnet's recorded series)", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-realised-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "realised-mev.json");
  // Out of order, with a negative entry (clamped to 0)
  writeFileSync(
    file,
    JSON.stringify([
      { slot: 7, gwei: 300 },
      { slot: 3, gwei: 100 },
      { slot: 5, gwei: -5 },
    ]),
  );

  it("replays the recorded values in slot order, cycled over the run; its mean is theirs", () => {
    assert.deepEqual(loadRealisedMevSeries(file), [100, 0, 300]);
    const setup = applySetupPatch(DEFAULT_SETUP, { mev: { process: "realised", seriesFile: file } });
    const series = mevSeries(ctx, setup.mev, null, 7, 1);
    assert.deepEqual(series, [0, 100, 0, 300, 100, 0, 300, 100]);
    assert.equal(mevMean(setup.mev), 400 / 3);
  });

  it("refuses a realised process without a file, with a missing file, or with malformed entries", () => {
    const code = (e: unknown) => (e as { code: string }).code === MarketErrorCode.INVALID_VALUE;
    assert.throws(() => applySetupPatch(DEFAULT_SETUP, { mev: { process: "realised" } }), code);
    assert.throws(
      () => applySetupPatch(DEFAULT_SETUP, { mev: { process: "realised", seriesFile: join(dir, "none.json") } }),
      code,
    );
    const malformed = join(dir, "bad.json");
    writeFileSync(malformed, JSON.stringify([{ slot: "x", gwei: 1 }]));
    assert.throws(() => loadRealisedMevSeries(malformed), code);
    writeFileSync(malformed, "[]");
    assert.throws(() => loadRealisedMevSeries(malformed), code);
  });
});

describe("a holder's valuation from realised MEV", () => {
  it("moves its MEV estimate toward what its payloads realised, and its valuation with it", () => {
    let estimate = 1000;
    estimate = updateMevEstimate(estimate, 6000, 0.2);
    assert.equal(estimate, 2000);
    // A loss is no negative MEV available: it counts as zero
    assert.equal(updateMevEstimate(estimate, -500, 0.5), 1000);
    assert.equal(ticketValuation(0.5, 2000), 1000);
    // Repeated observations converge to the realised level
    let e = 0;
    for (let i = 0; i < 100; i++) e = updateMevEstimate(e, 5000);
    assert.ok(Math.abs(e - 5000) < 1);
  });
});
