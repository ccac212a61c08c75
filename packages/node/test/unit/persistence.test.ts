import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BeaconDb, loadAnchorState, persistChain, replayStoredBlocks } from "@turnstile/node";
import { genesisState, steppedNode } from "./helpers.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("restart anchor", () => {
  // A node killed as it finalizes (the crash-loop e2e test aims a kill there) has stored the
  // finalizing block but not the finalized state; its restarts re-derived that finality from the
  // stored blocks but never stored it, so every later start replayed from the older anchor
  it("a finality reached by replaying stored blocks becomes the anchor of the next start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-db-"));
    dirs.push(dir);
    const first = steppedNode();
    const db = new BeaconDb(first.ctx, dir);
    await db.open();
    await db.putGenesis(genesisState(first.ctx).serialize(), "PRESET_BASE: 'minimal'\n");
    // Blocks and envelopes land; the finalized state never does (the kill came first)
    const killedBeforeAnchorWrite = Object.assign(Object.create(db) as BeaconDb, { putFinalized: async () => {} });
    const persistence = persistChain(first.node.chain, killedBeforeAnchorWrite, (e) => assert.fail(e as Error));
    first.run(1, 40);
    await persistence.flush();
    const finalized = first.node.chain.forkChoice.finalized;
    assert.ok(finalized.epoch >= 2, `finalized epoch ${finalized.epoch}`);
    assert.equal((await loadAnchorState(first.ctx, db))?.anchor.state.slot, 0, "no anchor stored");

    const loaded = (await loadAnchorState(first.ctx, db))!;
    const second = steppedNode({ anchor: loaded.anchor, startSlot: 41 });
    await replayStoredBlocks(second.node.chain, db, (e) => assert.fail(e as Error));
    assert.deepEqual(second.node.chain.forkChoice.finalized, finalized);
    await persistChain(second.node.chain, db, (e) => assert.fail(e as Error)).flush();

    const stored = await db.getFinalized();
    assert.deepEqual(stored && { epoch: stored.epoch, root: stored.root }, finalized);
    const third = (await loadAnchorState(first.ctx, db))!;
    assert.ok(third.anchor.state.slot > 0, "the next start resumes from the replayed finality");
    await db.close();
  });

  it("holds only the latest anchor's state, however many times the chain finalized", async () => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-db-"));
    dirs.push(dir);
    const { node, run, ctx } = steppedNode();
    const db = new BeaconDb(ctx, dir);
    await db.open();
    await db.putGenesis(genesisState(ctx).serialize(), "PRESET_BASE: 'minimal'\n");
    const persistence = persistChain(node.chain, db, (e) => assert.fail(e as Error));
    run(1, 6 * ctx.preset.SLOTS_PER_EPOCH);
    await persistence.flush();
    const finalized = node.chain.forkChoice.finalized;
    assert.ok(finalized.epoch >= 3, `finalized epoch ${finalized.epoch}: several finalizations`);
    const stored = await db.getFinalized();
    assert.deepEqual(stored && { epoch: stored.epoch, root: stored.root }, finalized);
    assert.equal(await db.stateCount(), 1);
    await db.close();
  });
});

describe("persistence at shutdown", () => {
  // A node stopping by SIGTERM closed its database while an import was still completing (the
  // crash-loop e2e test saw "Database is not open" at its clean shutdown): after close() the
  // chain's imports are no longer written, and what was queued before it is
  it("writes what was queued before close() and nothing imported after it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-db-"));
    dirs.push(dir);
    const { node, run, ctx } = steppedNode();
    const db = new BeaconDb(ctx, dir);
    await db.open();
    await db.putGenesis(genesisState(ctx).serialize(), "PRESET_BASE: 'minimal'\n");
    const errors: unknown[] = [];
    const persistence = persistChain(node.chain, db, (e) => errors.push(e));
    run(1, 3);
    await persistence.close();
    await db.close();
    run(4, 6);
    await persistence.flush();
    assert.deepEqual(errors, []);
    await db.open();
    const stored = (await db.blockRootsBySlot(1, 100)).map((b) => b.slot);
    assert.deepEqual(stored, [1, 2, 3]);
    await db.close();
  });
});
