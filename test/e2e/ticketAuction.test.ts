import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compact, runDevnet } from "./runDevnet.ts";

describe("ticket auctions on a devnet of real node processes", () => {
  it("first_price_auction: bids are gossiped, auctions settle on chain, winners build payloads, the chain finalizes", {
    timeout: 60_000,
  }, async () => {
    // Three nodes sharing four holders: each holder sends a sealed bid per auction (one per slot) on
    // ticket_bid; the next block carries every node's bids and the auction settles entering its slot.
    // 1-second slots: 4 epochs (first finality at the end of epoch 3) fit in about 45 s
    const { code, summary, output } = await runDevnet(
      [
        "--nodes",
        "3",
        "--validators",
        "24",
        "--buyers",
        "4",
        "--seconds-per-slot",
        "1",
        "--epochs",
        "4",
        "--p2p-port",
        "19400",
        "--api-port",
        "15400",
        "--withhold-rate",
        "0",
        "--pricing",
        "first_price_auction",
      ],
      58_000,
    );
    const context = `${compact(summary)}\n${output.slice(-1500)}`;
    assert.equal(code, 0, context);
    assert.equal(summary.pricing, "first_price_auction");
    assert.ok(summary.headsAgree && summary.finalizedAgree, context);
    assert.ok(
      summary.finalizedEpochPerNode.every((e) => e !== null && e >= 1),
      context,
    );
    // Every node accepted bids from its peers' holders over gossip
    for (const accepted of summary.marketGossipAcceptedPerNode) {
      assert.ok(accepted !== null && accepted.ticket_bid > 0, context);
    }
    // Tickets exist only by auction under this rule (purchases are invalid): sold means settled
    assert.ok(summary.ticketsSold > 0 && summary.ticketsDrawn > 0, context);
    // The winners' tickets were drawn and their holders built and revealed the payloads
    assert.ok(summary.payloadRate > 0.6, context);
    const prices = summary.priceSeries.map((p) => p.price);
    assert.ok(
      prices.some((p) => p > prices[0]!),
      `the clearing price rose above the reserve: ${prices.join(",")}`,
    );
  });
});
