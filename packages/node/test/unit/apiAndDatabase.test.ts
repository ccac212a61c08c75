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
