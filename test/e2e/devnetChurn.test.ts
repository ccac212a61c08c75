import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compact, runDevnet } from "./runDevnet.ts";

// About a minute (1-second slots): node 2 is SIGKILLed at slot 10 and restarted from its database 3 slots later;
// node 3 starts at slot 28, after finality, and range-syncs
describe("devnet under churn", () => {
  it("a node killed with SIGKILL restarts from its database and rejoins; a node joining after finality range-syncs", {
    timeout: 360_000,
  }, async () => {
    const { code, summary, output } = await runDevnet(
      [
        "--nodes",
        "4",
        "--validators",
        "64",
        "--buyers",
        "2",
        "--seconds-per-slot",
        "1",
        "--epochs",
        "7",
        "--p2p-port",
        "19200",
        "--api-port",
        "15200",
        "--withhold-rate",
        "0",
        "--join-late",
        "3:28",
        "--kill",
        "2:10:3",
        // A quarter of the validators (node 3) is offline until slot 28 and another quarter for 3
        // slots: the default health limits (98% target votes, 80% head votes, finality within 2
        // epochs) cannot hold over the run, so judge it by looser limits and its epochs after the churn
        "--min-target-votes",
        "0.7",
        "--min-head-votes",
        "0.6",
        "--max-finality-lag",
        "5",
      ],
      340_000,
    );
    assert.equal(code, 0, `${compact(summary)}\n${output.slice(-1500)}`);
    assert.equal(summary.events.length, 3, summary.events.join("; "));
    assert.ok(
      summary.finalizedEpochPerNode.every((e) => e !== null && e >= 4),
      JSON.stringify(summary.finalizedEpochPerNode),
    );
    assert.ok(summary.headsAgree && summary.finalizedAgree, "the restarted and the late node agree with the others");
    // From epoch 5 every node is up and synced: votes are back to a healthy devnet's
    const after = summary.health.participationPerEpoch.filter((e) => e.epoch >= 5);
    assert.ok(
      after.length > 0 && after.every((e) => e.target >= 0.98 && e.head >= 0.8),
      JSON.stringify(summary.health),
    );
  });
});
