import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runKillLoop } from "./evmKillLoop.ts";

// Two SIGKILLs at seeded random moments of a `turnstile dev --execution evm` under transfers (the
// by-hand run, `node --conditions=source test/e2e/evmKillLoop.ts 15 7 100 4000`, takes 15)
describe("turnstile dev --execution evm, SIGKILLed under traffic", { timeout: 90_000 }, () => {
  it("comes back each time with its receipts, balances, finality and EL head consistent, logging no error", async () => {
    const result = await runKillLoop({
      kills: 2,
      seed: 3,
      minUpMs: 800,
      maxUpMs: 3500,
      txPerSecond: 4,
      settleMs: 2500,
    });
    assert.deepEqual(result.failures, [], JSON.stringify(result));
    assert.deepEqual(result.errorLines, []);
    assert.ok(result.confirmed > 0, "transfers were confirmed between kills");
    assert.equal(result.lostAfterRestart, 0, "a confirmed transfer was gone after a restart");
  });
});
