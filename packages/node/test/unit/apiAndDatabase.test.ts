import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BeaconDb, loadAnchorState, NodeMetrics, persistChain, replayStoredBlocks, startApi } from "@turnstile/node";
import { genesisState, steppedNode } from "./helpers.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("REST API", () => {
  it("serves node, beacon and ticket endpoints; bad requests get 4xx with a JSON error", async () => {
    const { node, run } = steppedNode();
    run(1, 10);
    const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const port = (api.server.address() as { port: number }).port;
      // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, checked field by field
      const get = async (path: string): Promise<{ status: number; body: any }> => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return {
          status: res.status,
          body: res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text(),
        };
      };
      assert.equal((await get("/eth/v1/beacon/headers/head")).body.data.header.message.slot, "10");
      assert.equal((await get("/eth/v2/beacon/blocks/10")).body.data.message.slot, "10");
      assert.equal((await get("/eth/v1/tickets/price")).body.data.pricing, "pool_target");
      const pool = await get("/eth/v1/tickets/pool?limit=3");
      assert.ok(pool.body.data.tickets.length <= 3);
      assert.equal((await get("/eth/v1/tickets/assignments")).body.data.length, 9);
      assert.equal((await get("/eth/v1/tickets/buyers/2")).body.data.index, "2");
      for (const [path, status] of [
        ["/eth/v1/tickets/buyers/99", 404],
        ["/eth/v1/tickets/buyers/abc", 400],
        ["/eth/v1/tickets/pool?limit=-1", 400],
        ["/eth/v1/tickets/pool?limit=", 400],
        ["/eth/v1/tickets/pool?limit=1e3", 400],
        ["/eth/v1/tickets/pool?owner=0x1", 400],
        ["/eth/v1/tickets/buyers/100000000000000000000", 400],
        ["/eth/v2/beacon/blocks/nonsense", 400],
        [`/eth/v2/beacon/blocks/0x${"ab".repeat(32)}`, 404],
        ["/eth/v1/events?topics=bogus", 400],
        ["/nope", 404],
      ] as const) {
        const res = await get(path);
        assert.equal(res.status, status, path);
        assert.equal(res.body.code, status, `${path} answers a JSON error`);
      }
      const metrics = await get("/metrics");
      assert.match(metrics.body, /turnstile_head_slot 10/);
      assert.match(metrics.body, /turnstile_ticket_pool_size \d+/);

      // Sync status: not syncing alone; while a range sync runs, the standard flag and the progress gauges say so
      const idle = (await get("/eth/v1/node/syncing")).body.data;
      assert.deepEqual([idle.head_slot, idle.is_syncing], ["10", false]);
      assert.match(metrics.body, /turnstile_syncing 0/);
      node.isSyncing = () => true;
      node.syncProgress = () => ({
        peer: "16Uiu2",
        startSlot: 11,
        targetSlot: 500,
        headSlot: 200,
        blocksImported: 190,
        blocksPerSecond: 310,
        etaSeconds: 1,
      });
      assert.equal((await get("/eth/v1/node/syncing")).body.data.is_syncing, true);
      const syncing = (await get("/metrics")).body;
      assert.match(syncing, /turnstile_syncing 1/);
      assert.match(syncing, /turnstile_sync_target_slot 500/);
      assert.match(syncing, /turnstile_sync_blocks_per_second 310/);
    } finally {
      await api.close();
    }
  });
});

describe("REST API events", () => {
  it("streams the topics asked for as server-sent events, a dropped commitment among them; closing ends open streams", {
    timeout: 20_000,
  }, async () => {
    const { node, run } = steppedNode();
    run(1, 3);
    const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    const controller = new AbortController();
    try {
      const port = (api.server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/eth/v1/events?topics=block,commitment_dropped`, {
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      const reader = res.body!.getReader();
      let text = "";
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${pattern}`);
          text += new TextDecoder().decode(value);
        }
      };
      run(4, 4);
      await readUntil(/event: block\ndata: \{"slot":"4"/);
      node.emit("commitmentDropped", {
        slot: 5,
        proposerIndex: 7,
        ticketId: 3,
        blockRoot: "0xab",
        secondsBeforeSlot: 1.5,
      });
      await readUntil(/event: commitment_dropped/);
      assert.match(
        text,
        /data: \{"slot":"5","block":"0xab","proposer_index":"7","ticket_id":"3","seconds_before_slot":1.5\}/,
      );
      assert.doesNotMatch(text, /event: head/, "only the topics asked for");
      // A subscriber still listening must not hold up shutdown (it used to: close waited for it)
      await api.close();
      // The server cuts the stream (the client sees its end, or the connection terminated)
      const ended = await reader.read().then(
        (r) => r.done,
        () => true,
      );
      assert.equal(ended, true, "the stream ended with the server");
    } finally {
      controller.abort();
      await api.close();
    }
  });
});

describe("database and restart", () => {
  it("a node restarted from its database has the same head and keeps building", async () => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-db-"));
    dirs.push(dir);
    const first = steppedNode();
    const db = new BeaconDb(first.ctx, dir);
    await db.open();
    await db.putGenesis(genesisState(first.ctx).serialize(), "PRESET_BASE: 'minimal'\n");
    const persistence = persistChain(first.node.chain, db, (e) => assert.fail(e as Error));
    first.run(1, 40);
    await persistence.flush();
    const headBefore = first.node.chain.head();
    await db.close();

    const db2 = new BeaconDb(first.ctx, dir);
    await db2.open();
    const loaded = await loadAnchorState(first.ctx, db2);
    assert.ok(loaded);
    assert.ok(loaded.anchor.state.slot > 0, "resumes from the finalized state, not genesis");
    // The wall clock has moved on while the node was down
    const second = steppedNode({ anchor: loaded.anchor, startSlot: 41 });
    const replayed = await replayStoredBlocks(second.node.chain, db2, (e) => assert.fail(e as Error));
    assert.ok(replayed > 0);
    const headAfter = second.node.chain.head();
    assert.equal(headAfter.root, headBefore.root);
    assert.equal(headAfter.payloadStatus, headBefore.payloadStatus);
    second.run(41, 48);
    assert.equal(second.node.chain.head().slot, 48);
    await db2.close();
  });
});
