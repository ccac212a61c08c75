import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MarketError, MarketErrorCode } from "../../src/market/errors.ts";
import { DEFAULT_SETUP } from "../../src/market/setup.ts";
import { parseSweep } from "../../src/market/sweep.ts";

const SETUPS = fileURLToPath(new URL("../../market/setups/", import.meta.url));

function refuses(text: string, code: MarketErrorCode, path?: RegExp): void {
  assert.throws(
    () => parseSweep(text),
    (e: unknown) => {
      assert.ok(e instanceof MarketError, `expected a MarketError, got ${e}`);
      assert.equal(e.code, code);
      if (path) assert.match(e.message, path);
      return true;
    },
  );
}

describe("market sweep files", () => {
  it("a sweep is the setups times the cartesian product of its axes, in file order", () => {
    const plan = parseSweep(`
name: grid
base:
  slots: 50
  runs: 3
  chain: { TARGET_TICKET_POOL_SIZE: 32 }
setups:
  - { name: a }
  - { name: b, mev: { process: markov } }
sweep:
  mechanism: [pool_target, fixed]
  mev.meanGwei: [1000, 2000]
`);
    assert.equal(plan.name, "grid");
    assert.equal(plan.points.length, 2 * 2 * 2);
    assert.deepEqual(
      plan.points.map((p) => p.name),
      [
        "a mechanism=pool_target mev.meanGwei=1000",
        "a mechanism=pool_target mev.meanGwei=2000",
        "a mechanism=fixed mev.meanGwei=1000",
        "a mechanism=fixed mev.meanGwei=2000",
        "b mechanism=pool_target mev.meanGwei=1000",
        "b mechanism=pool_target mev.meanGwei=2000",
        "b mechanism=fixed mev.meanGwei=1000",
        "b mechanism=fixed mev.meanGwei=2000",
      ],
    );
    const last = plan.points[7];
    assert.equal(last.mechanism, "fixed");
    assert.equal(last.mev.process, "markov");
    assert.equal(last.mev.meanGwei, 2000);
    assert.equal(last.slots, 50);
    assert.equal(last.runs, 3);
    assert.equal(last.chain.TARGET_TICKET_POOL_SIZE, 32);
    // keys not given keep the lab's defaults, signatures verified among them
    assert.equal(last.verifySignatures, true);
    assert.equal(last.tiers.length, DEFAULT_SETUP.tiers.length);
  });

  it("refuses what is not YAML, or not a mapping", () => {
    refuses("base: [unclosed", MarketErrorCode.INVALID_YAML);
    refuses("- a list", MarketErrorCode.INVALID_YAML);
  });

  it("refuses unknown keys at every level (a typo never keeps a default)", () => {
    refuses("bsae: {}", MarketErrorCode.UNKNOWN_KEY, /bsae/);
    refuses("base: { slotz: 10 }", MarketErrorCode.UNKNOWN_KEY, /base\.slotz/);
    refuses("base: { mev: { mean: 10 } }", MarketErrorCode.UNKNOWN_KEY, /mev\.mean/);
    refuses("base: { tiers: [{ skill: 0.5, capitalGwei: 1, stratgy: value }] }", MarketErrorCode.UNKNOWN_KEY);
  });

  it("refuses bad values with the path that holds them", () => {
    refuses("base: { slots: -1 }", MarketErrorCode.INVALID_VALUE, /base\.slots/);
    refuses("base: { slots: 1.5 }", MarketErrorCode.INVALID_VALUE, /base\.slots/);
    refuses("base: { missRate: 2 }", MarketErrorCode.INVALID_VALUE, /missRate/);
    refuses("base: { tiers: [{ skill: 1.5, capitalGwei: 1 }] }", MarketErrorCode.INVALID_VALUE, /tiers\[0\]\.skill/);
    refuses("base: { tiers: [{ skill: 0.5, capitalGwei: 1, strategy: greedy }] }", MarketErrorCode.INVALID_VALUE);
    refuses("base: { mev: { process: poisson } }", MarketErrorCode.INVALID_VALUE, /mev\.process/);
    refuses("base: { verifySignatures: no-thanks }", MarketErrorCode.INVALID_VALUE);
    refuses("sweep: { slots: 10 }", MarketErrorCode.INVALID_VALUE, /sweep\.slots/);
    refuses("sweep: { slots: [] }", MarketErrorCode.INVALID_VALUE);
    refuses("setups: [{ slots: 10 }]", MarketErrorCode.INVALID_VALUE, /setups\[0\]/);
  });

  it("refuses a mechanism the chain does not offer", () => {
    refuses("base: { mechanism: dutch_auction }", MarketErrorCode.UNKNOWN_MECHANISM);
    refuses("sweep: { mechanism: [fixed, lottery] }", MarketErrorCode.UNKNOWN_MECHANISM);
  });

  it("checks chain keys with the chain's own config parser when the file is read", () => {
    refuses(
      "base: { chain: { TARGET_TICKET_POOL_SIZE: 0 } }",
      MarketErrorCode.INVALID_VALUE,
      /TARGET_TICKET_POOL_SIZE/,
    );
    refuses("base: { chain: { NOT_A_KEY: 1 } }", MarketErrorCode.INVALID_VALUE, /NOT_A_KEY/);
  });

  it("every shipped setup file parses", () => {
    const files = readdirSync(SETUPS).filter((f) => f.endsWith(".yaml"));
    assert.ok(files.length >= 2);
    for (const f of files) {
      const plan = parseSweep(readFileSync(`${SETUPS}${f}`, "utf8"));
      assert.ok(plan.points.length > 0, f);
    }
  });
});
