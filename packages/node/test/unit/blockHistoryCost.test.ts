import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it, mock } from "node:test";
import { BeaconDb, persistChain } from "@turnstile/node";
import { toHex } from "@turnstile/ticket-state";
import type { Chain } from "../../src/chain/chain.ts";
import { BlockHistory } from "../../src/network/blockHistory.ts";
import { genesisState, steppedNode } from "./helpers.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Epochs the chain runs: enough that most of it is finalized, so pruned from memory. */
const EPOCHS = 6;

/** A node that ran EPOCHS epochs with its database; `db` may stand in for the real one. */
async function persistedNode(wrap: (db: BeaconDb) => BeaconDb = (db) => db) {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-db-"));
  dirs.push(dir);
  const { node, run, ctx } = steppedNode();
  const db = new BeaconDb(ctx, dir);
  await db.open();
  await db.putGenesis(genesisState(ctx).serialize(), "PRESET_BASE: 'minimal'\n");
  const persistence = persistChain(node.chain, wrap(db), (e) => assert.fail(e as Error));
  run(1, EPOCHS * ctx.preset.SLOTS_PER_EPOCH);
  await persistence.flush();
  return { node, db, ctx };
}

/** The canonical roots with `from <= slot < from + count` as the parent walk from the head finds them. */
async function walkedRoots(chain: Chain, db: BeaconDb, from: number, count: number): Promise<string[]> {
  const out: string[] = [];
  let root = chain.forkChoice.getHead().root;
  while (root !== chain.anchorRoot) {
    const block = chain.getEntry(root)?.block ?? (await db.getBlock(root));
    if (!block || block.message.slot < from) break;
    if (block.message.slot < from + count) out.unshift(root);
    root = toHex(block.message.parent_root);
  }
  return out;
}

describe("BlockHistory over the database: what a range costs", () => {
  it("a range far below the head reads its own blocks only, with the content the parent walk gives, forks left out", async () => {
    const { node, db, ctx } = await persistedNode();
    const finalizedSlot = node.chain.forkChoice.finalized.epoch * ctx.preset.SLOTS_PER_EPOCH;
    assert.ok(finalizedSlot >= 3 * ctx.preset.SLOTS_PER_EPOCH, `finalized slot ${finalizedSlot}`);
    // A block off the canonical chain below finality (a fork finality abandoned) sits in the slot index
    const canonical = await walkedRoots(node.chain, db, 0, Number.MAX_SAFE_INTEGER);
    const forkBlock = structuredClone((await db.getBlock(canonical[4]))!);
    forkBlock.message.state_root = new Uint8Array(32).fill(7);
    await db.putBlock(toHex(ctx.ssz.BeaconBlock.hashTreeRoot(forkBlock.message)), forkBlock);

    const history = new BlockHistory(node.chain, db);
    const reads = mock.method(db, "getBlock");
    for (const [from, count] of [
      [0, 1],
      [0, 64],
      [3, 5],
      [5, 1],
      [finalizedSlot - 3, 6],
      [finalizedSlot + 1, 4],
      [1, 1000],
    ]) {
      const expected = await walkedRoots(node.chain, db, from, count);
      reads.mock.resetCalls();
      const served = await history.range(from, count);
      assert.deepEqual(
        served.map((b) => b.root),
        expected,
        `range(${from}, ${count})`,
      );
      assert.ok(
        served.every((b) => toHex(ctx.ssz.BeaconBlock.hashTreeRoot(b.block.message)) === b.root),
        "each block is the one its root names",
      );
      // Blocks read: the range's own (those the chain holds are not read), and a constant
      assert.ok(
        reads.mock.callCount() <= Math.min(count, served.length) + 1,
        `range(${from}, ${count}) read ${reads.mock.callCount()} blocks for ${served.length}`,
      );
    }
    await db.close();
  });

  it("a database written before the canonical index is served by the parent walk, and indexed whole at the next finality", async () => {
    // The index is not written (as by a node from before it): putFinalized as it was
    let skipIndex = true;
    const { node, db } = await persistedNode((db) => {
      const index = db as unknown as { canonicalIndexUpTo(root: string): Promise<unknown[]> };
      const real = index.canonicalIndexUpTo.bind(db);
      mock.method(index, "canonicalIndexUpTo", async (root: string) => (skipIndex ? [] : real(root)));
      return db;
    });
    assert.equal(await db.highestCanonicalSlot(), -1, "nothing indexed");
    const history = new BlockHistory(node.chain, db);
    assert.deepEqual(
      (await history.range(0, 3)).map((b) => b.root),
      await walkedRoots(node.chain, db, 0, 3),
    );
    // The next finalized checkpoint indexes the whole finalized chain
    skipIndex = false;
    const finalized = node.chain.forkChoice.finalized;
    await db.putFinalized(finalized.epoch, finalized.root, new Uint8Array(0));
    const finalizedBlock = (await db.getBlock(finalized.root))!;
    assert.equal(await db.highestCanonicalSlot(), finalizedBlock.message.slot);
    const indexed = await db.canonicalRootsBySlot(0, finalizedBlock.message.slot + 1);
    assert.deepEqual(
      indexed.map((e) => e.root),
      await walkedRoots(node.chain, db, 0, finalizedBlock.message.slot + 1),
    );
    const expected = await walkedRoots(node.chain, db, 0, 3);
    const reads = mock.method(db, "getBlock");
    assert.deepEqual(
      (await history.range(0, 3)).map((b) => b.root),
      expected,
    );
    assert.ok(reads.mock.callCount() <= 3 + 1, `read ${reads.mock.callCount()} blocks for 3`);
    await db.close();
  });
});
