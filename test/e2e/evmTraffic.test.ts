import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TrafficSummary } from "../../packages/node/src/cli/devnetTraffic.ts";
import { compact, devnetArgs, runDevnet } from "./runDevnet.ts";

describe("real MEV on an EVM devnet with users' traffic", () => {
  it("swaps and transfers reach every node's mempool by gossip and are included; holders realise arbitrage MEV", {
    timeout: 80_000,
  }, async () => {
    const shape = {
      nodes: 2,
      validators: 16,
      buyers: 4,
      secondsPerSlot: 2,
      epochs: 2,
      p2pPort: 19500,
      apiPort: 15500,
      ethRpcPort: 18700,
      withholdRate: 0,
    };
    const { summary, output } = await runDevnet(
      [...devnetArgs(shape), "--execution", "evm", "--traffic", "--traffic-rate", "6"],
      70_000,
    );
    const traffic = (summary as unknown as { traffic: TrafficSummary }).traffic;
    const context = `${compact(summary)}\n${output.slice(-1500)}`;
    assert.ok(traffic, context);
    assert.ok(summary.headsAgree, context);
    // Both endpoints took transactions, and each node pooled the other's from gossip
    assert.ok(
      traffic.sent.perEndpoint.every((n) => n > 10),
      context,
    );
    assert.ok(
      traffic.gossipAcceptedPerNode.every((n) => n !== null && n > 10),
      context,
    );
    // Most went in (those of the last slot, or of slots whose payload went missing, may still wait):
    // a sender's nonces alternate between the endpoints, so a node pools its senders' runs only through gossip
    const userIncluded = traffic.transactionsIncluded - traffic.slotsWithMev;
    assert.ok(userIncluded >= 0.5 * traffic.sent.sent, `${userIncluded} of ${traffic.sent.sent}\n${context}`);
    // The two ELs agree on the head block
    assert.ok(
      traffic.elHeads.every((h) => h !== null && h.hash === traffic.elHeads[0]?.hash),
      context,
    );
    // Holders' payloads back-ran the pool toward the reference price and realised MEV
    assert.ok(traffic.slotsWithMev > 0, context);
    assert.ok(traffic.mevRealisedGwei > 0, context);
  });
});
