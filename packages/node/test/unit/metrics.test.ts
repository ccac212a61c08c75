import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import type { ProtoBlock } from "@turnstile/fork-choice";
import { PayloadStatus } from "@turnstile/fork-choice";
import { getTicketAssignment, isSelfBuild } from "@turnstile/ticket-state";
import pino from "pino";
import { type BlockTree, findReorg } from "../../src/chain/reorg.ts";
import { NodeMetrics, rootToGaugeValue } from "../../src/metrics/metrics.ts";
import { observeChain } from "../../src/metrics/observeChain.ts";
import { mapP2pCounter } from "../../src/metrics/p2pCounters.ts";
import { steppedNode, VALIDATORS } from "./helpers.ts";

const P2P_COUNTS = {
  "gossip.received.beacon_block": 5,
  "gossip.reject_reason.beacon_block.SSZ_INVALID": 1,
  "gossip.queue_job_error": 2,
  "reqresp.inbound.requests.status": 3,
  "reqresp.outbound.error.beacon_blocks_by_range.RATE_LIMITED": 1,
  "peers.banned": 1,
  "peers.ban_reason.score": 1,
  "events.listener_error": 4,
};
const fakeNetwork = { getConnectedPeers: () => [1, 2, 3], counters: () => P2P_COUNTS };

/** One sample's value from the text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** A node run for 3 honest epochs, its metrics bound as runNode binds them. */
function scrapedNode() {
  const { node, run, ctx } = steppedNode();
  const metrics = new NodeMetrics();
  observeChain(node, metrics, pino({ level: "silent" }));
  metrics.bindNode(node, () => fakeNetwork);
  run(1, 3 * ctx.preset.SLOTS_PER_EPOCH + 2);
  return { node, metrics, ctx };
}

describe("metrics", () => {
  it("beacon-metrics gauges read the head, finality and previous-epoch participation from the node", async () => {
    const { node, metrics, ctx } = scrapedNode();
    const text = await metrics.registry.metrics();
    const head = node.chain.head();
    assert.equal(sample(text, "beacon_slot"), node.clock.currentSlot);
    assert.equal(sample(text, "beacon_head_slot"), head.slot);
    assert.equal(sample(text, "beacon_head_root"), rootToGaugeValue(head.root));
    assert.equal(sample(text, "beacon_finalized_epoch"), node.chain.forkChoice.finalized.epoch);
    assert.equal(sample(text, "beacon_current_justified_epoch"), node.chain.forkChoice.justified.epoch);
    assert.equal(sample(text, "beacon_previous_justified_epoch"), head.state.state.previous_justified_checkpoint.epoch);
    assert.equal(sample(text, "beacon_current_active_validators"), VALIDATORS);
    assert.equal(sample(text, "turnstile_participation_epoch"), Math.floor(head.slot / ctx.preset.SLOTS_PER_EPOCH) - 1);
    const active = sample(text, "beacon_previous_epoch_active_gwei")!;
    assert.equal(active, VALIDATORS * ctx.preset.MAX_EFFECTIVE_BALANCE);
    // Every validator of an honest single node votes, and its next blocks include every vote
    for (const flag of ["source", "target", "head"])
      assert.equal(sample(text, `beacon_previous_epoch_${flag}_gwei`), active, flag);
    assert.equal(sample(text, "libp2p_peers"), 3);
    assert.equal(sample(text, "beacon_reorgs_total"), 0);
  });

  it("counts the tickets the canonical slots drew from the pool, not sold minus pool", async () => {
    const { node, metrics, ctx } = scrapedNode();
    const L = ctx.preset.TICKET_LOOKAHEAD_SLOTS;
    // Every slot has a block here, so each block's post-state holds the assignment it drew for slot + L
    let drawn = 0;
    for (let e = node.chain.getEntry(node.chain.head().root); e && e.slot > 0; ) {
      const post = node.chain.stateFor(e.root, PayloadStatus.PENDING);
      if (!isSelfBuild(getTicketAssignment(ctx, post.state, e.slot + L))) drawn++;
      e = node.chain.getEntry(`0x${Buffer.from(e.block.message.parent_root).toString("hex")}`);
    }
    assert.ok(drawn > 0, "tickets were drawn");
    assert.equal(sample(await metrics.registry.metrics(), "turnstile_tickets_drawn_total"), drawn);
  });

  it("exports the p2p package's counters under fixed families with labels", async () => {
    assert.deepEqual(mapP2pCounter("gossip.reject_reason.beacon_block.SSZ_INVALID"), {
      family: "gossipReasons",
      labels: { topic: "beacon_block", verdict: "reject", reason: "SSZ_INVALID" },
    });
    assert.deepEqual(mapP2pCounter("reqresp.inbound.requests.status"), {
      family: "reqresp",
      labels: { direction: "inbound", method: "status", event: "requests" },
    });
    assert.deepEqual(mapP2pCounter("peers.banned"), { family: "peers", labels: { event: "banned" } });
    const metrics = new NodeMetrics();
    metrics.bindNode(steppedNode().node, () => fakeNetwork);
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, 'turnstile_p2p_gossip_messages_total{topic="beacon_block",event="received"}'), 5);
    assert.equal(
      sample(
        text,
        'turnstile_p2p_reqresp_errors_total{direction="outbound",method="beacon_blocks_by_range",reason="RATE_LIMITED"}',
      ),
      1,
    );
    assert.equal(sample(text, 'turnstile_p2p_other_events_total{event="events.listener_error"}'), 4);
    // A second scrape copies the counts again rather than adding them twice
    assert.equal(sample(await metrics.registry.metrics(), 'turnstile_p2p_peer_events_total{event="banned"}'), 1);
  });

  it("/metrics passes `promtool check metrics` (skipped without promtool on PATH)", async (t) => {
    if (spawnSync("promtool", ["--version"]).error) return t.skip("promtool not installed");
    const { metrics } = scrapedNode();
    metrics.onReorg({ slot: 9, depth: 2, oldHeadRoot: "0x01", newHeadRoot: "0x02", commonAncestorRoot: undefined });
    const text = await metrics.registry.metrics();
    const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
  });
});

describe("findReorg", () => {
  // a(0) <- b(1) <- c(2) <- e(4), and b(1) <- d(3)
  const blocks = new Map<string, Pick<ProtoBlock, "root" | "parentRoot" | "slot">>(
    [
      ["a", "", 0],
      ["b", "a", 1],
      ["c", "b", 2],
      ["d", "b", 3],
      ["e", "c", 4],
    ].map(([root, parentRoot, slot]) => [root as string, { root, parentRoot, slot } as never]),
  );
  const tree: BlockTree = {
    getBlock: (root) => blocks.get(root) as ProtoBlock | undefined,
    isDescendant(ancestor, root) {
      for (let b = blocks.get(root); b; b = blocks.get(b.parentRoot)) if (b.root === ancestor) return true;
      return false;
    },
  };
  const head = (root: string) => ({ root, slot: blocks.get(root)!.slot, payloadStatus: PayloadStatus.PENDING });

  it("is no reorg when the new head descends from the old one", () => {
    assert.equal(findReorg(tree, head("c"), head("e")), null);
    assert.equal(findReorg(tree, head("c"), head("c")), null);
  });

  it("measures the depth from the common ancestor to the abandoned head", () => {
    assert.deepEqual(findReorg(tree, head("e"), head("d")), {
      slot: 3,
      depth: 3,
      oldHeadRoot: "e",
      newHeadRoot: "d",
      commonAncestorRoot: "b",
    });
    assert.equal(findReorg(tree, head("d"), head("e"))?.depth, 2);
  });
});
