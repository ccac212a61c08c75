import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Network, RESP_TIMEOUT_MS, TTFB_TIMEOUT_MS } from "@turnstile/p2p";
import pino from "pino";
import { RangeSync } from "../../src/network/rangeSync.ts";
import { steppedNode } from "./helpers.ts";

// A devnet node restarted after a few slots proposed two blocks on its stale head before its peers'
// Status arrived (a fault-injection run with the EVM engine), then reorged 6 slots deep. Until a
// peer has told us its head, a head more than a slot behind the clock with peers connected is syncing.

/** The one part of the network isSyncing reads: who is connected. */
function networkWith(peers: string[]): Network {
  return { getConnectedPeers: () => peers } as unknown as Network;
}

describe("syncing until the peers' Status arrives", () => {
  const { node, run, setSlot, setTime, ctx } = steppedNode();
  run(1, 8);
  const headSlot = node.chain.head().slot;
  const behind = headSlot + 4;
  assert.ok(4 < ctx.preset.SLOTS_PER_EPOCH);

  it("a few slots behind with a peer connected and not yet heard from: syncing, so no duties", () => {
    setSlot(behind);
    const sync = new RangeSync(node, networkWith(["peer-a"]), pino({ level: "silent" }));
    assert.equal(sync.isSyncing(), true);
    // Its Status says it is no further: the network stood still, we go on
    sync.notePeerHead("peer-a", headSlot);
    assert.equal(sync.isSyncing(), false);
  });

  it("a few slots behind and alone: not syncing (nobody to wait for); more than an epoch behind: syncing", () => {
    setSlot(behind);
    const alone = new RangeSync(node, networkWith([]), pino({ level: "silent" }));
    assert.equal(alone.isSyncing(), false);
    setSlot(headSlot + ctx.preset.SLOTS_PER_EPOCH + 1);
    assert.equal(alone.isSyncing(), true);
  });

  it("a slot behind (the last slot missed) with a silent peer: not syncing", () => {
    setSlot(headSlot + 1);
    const sync = new RangeSync(node, networkWith(["peer-a"]), pino({ level: "silent" }));
    assert.equal(sync.isSyncing(), false);
  });

  it("a peer that never sends its Status is waited for only as long as a Status request may take", () => {
    const start = behind * ctx.config.SECONDS_PER_SLOT;
    setSlot(behind);
    const sync = new RangeSync(node, networkWith(["silent"]), pino({ level: "silent" }));
    assert.equal(sync.isSyncing(), true, "just connected: its Status may be on its way");
    // The node's clock is the stepped node's: move it past a Status request's timeouts
    setTime(start + (TTFB_TIMEOUT_MS + RESP_TIMEOUT_MS) / 1000 + 1);
    assert.ok(node.clock.currentSlot > headSlot + 1 && node.clock.currentSlot <= headSlot + ctx.preset.SLOTS_PER_EPOCH);
    assert.equal(sync.isSyncing(), false, "a silent peer held the node's duties for good");
  });
});
