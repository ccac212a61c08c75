import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compact, devnetArgs, runDevnet } from "./runDevnet.ts";

describe("inclusion lists on a devnet of real node processes", () => {
  it("payloads of censoring ticket holders are voted absent and orphaned; honest holders' payloads stay", {
    timeout: 90_000,
  }, async () => {
    // Every node sends one user transaction per slot; each slot's proposer lists its pool for the
    // next payload; buyers 0, 1 and 2 build without the listed transactions (buyer 3 and self-building proposers are honest)
    const shape = {
      nodes: 4,
      validators: 32,
      buyers: 4,
      secondsPerSlot: 2,
      epochs: 2,
      p2pPort: 19300,
      apiPort: 15300,
      withholdRate: 0,
    };
    const { summary, output } = await runDevnet(
      [...devnetArgs(shape), "--user-traffic", "--censor-buyers", "0,1,2"],
      80_000,
    );
    const context = `${compact(summary)}\n${output.slice(-1500)}`;
    assert.ok(summary.headsAgree, context);
    for (const figures of summary.inclusionListPayloadsPerNode) {
      assert.ok(figures !== null, context);
      // Honest payloads carry the listed transactions and stay on the chain
      assert.ok(figures.satisfiedCanonical > 0, context);
      assert.equal(figures.satisfiedOrphaned, 0, context);
      // No payload that left out listed transactions is on the head chain, and there were some
      assert.equal(figures.unsatisfiedCanonical, 0, context);
      assert.ok(figures.unsatisfiedOrphaned > 0, context);
    }
  });
});
