import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compact, runDevnet } from "./runDevnet.ts";

describe("local devnet of real node processes", () => {
  it("4 nodes x 64 validators at 2-second slots finalize, agree, trade tickets and reveal payloads", {
    timeout: 240_000,
  }, async () => {
    const { code, summary, output } = await runDevnet(
      [
        "--nodes",
        "4",
        "--validators",
        "64",
        "--buyers",
        "4",
        "--seconds-per-slot",
        "2",
        "--epochs",
        "4",
        "--p2p-port",
        "19100",
        "--api-port",
        "15100",
        "--withhold-rate",
        "0.05",
      ],
      220_000,
    );
    assert.equal(code, 0, `${compact(summary)}\n${output.slice(-1500)}`);
    assert.ok(
      summary.finalizedEpochPerNode.every((e) => e !== null && e >= 2),
      JSON.stringify(summary.finalizedEpochPerNode),
    );
    assert.ok(summary.headsAgree && summary.finalizedAgree);
    assert.ok(summary.ticketsSold > 0 && summary.ticketsDrawn > 0, "tickets were bought and drawn");
    assert.ok(summary.payloadRate > 0.6, `payload rate ${summary.payloadRate}`);
    // Withholding holders (10% per commitment and per reveal) leave slots without payload; the chain finalizes anyway
    assert.ok(
      summary.payloadsRevealed < summary.blocks,
      `${summary.payloadsRevealed} of ${summary.blocks} payloads revealed`,
    );
    // Honest proposers include every commitment that reached the network before their slot
    assert.deepEqual(summary.commitmentsDroppedPerNode, [0, 0, 0, 0]);
    const prices = summary.priceSeries.map((p) => p.price);
    assert.ok(new Set(prices).size > 3, "the ticket price moves");
  });
});
