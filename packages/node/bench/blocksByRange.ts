/**
 * What a BlocksByRange request costs the node serving it, deep in a long history: BLOCKS blocks in
 * the database (copies of one real block with attestations, chained by parent root), the last
 * MEMORY_SLOTS of them in memory above finality as the chain holds them. Times (mean of RUNS) of
 * {start_slot: 0, count: 1} and {start_slot: BLOCKS / 2, count: 64}; and once, the writing of the
 * canonical index for the whole history (what the first finality after an upgrade does).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainContext, minimalChainConfig, type SignedBeaconBlock, toHex } from "@turnstile/ticket-state";
import type { BlockEntry, Chain } from "../src/chain/chain.ts";
import { BeaconDb } from "../src/db/beaconDb.ts";
import { BlockHistory } from "../src/network/blockHistory.ts";
import type { BeaconNode } from "../src/node/beaconNode.ts";
import { interopNode, note, report } from "./common.ts";

const BLOCKS = 20_000;
/** Two epochs of the minimal preset: what the chain holds above finality. */
const MEMORY_SLOTS = 16;
const RUNS = 5;
const WIDE_COUNT = 64;

async function meanMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    total += performance.now() - t0;
  }
  return total / runs;
}

export async function blocksByRange(): Promise<void> {
  const ctx = createChainContext(minimalChainConfig);
  const seconds = ctx.config.SECONDS_PER_SLOT;
  let time = 0;
  const node: BeaconNode = interopNode(ctx, { genesisTime: 0, keys: true, now: () => time });
  for (let slot = 1; slot <= 3; slot++) {
    for (let interval = 0; interval < 4; interval++) {
      time = slot * seconds + (interval * seconds) / 4;
      node.onInterval(slot, interval);
    }
  }
  const template = node.chain.getEntry(node.chain.head().root)!.block;
  await node.bls.close();

  const dir = mkdtempSync(join(tmpdir(), "turnstile-bench-db-"));
  const db = new BeaconDb(ctx, dir);
  await db.open();
  try {
    const anchorRoot = toHex(new Uint8Array(32));
    const memory = new Map<string, BlockEntry>();
    let parentRoot = anchorRoot;
    const rootAt: string[] = [];
    const t0 = performance.now();
    for (let slot = 1; slot <= BLOCKS; slot++) {
      const block: SignedBeaconBlock = structuredClone(template);
      block.message.slot = slot;
      block.message.parent_root = Uint8Array.from(Buffer.from(parentRoot.slice(2), "hex"));
      const root = toHex(ctx.ssz.BeaconBlock.hashTreeRoot(block.message));
      await db.putBlock(root, block);
      if (slot > BLOCKS - MEMORY_SLOTS)
        memory.set(root, { root, slot, block, envelope: null } as unknown as BlockEntry);
      rootAt[slot] = root;
      parentRoot = root;
    }
    note(
      `${BLOCKS} blocks of ${ctx.ssz.SignedBeaconBlock.serialize(template).length} bytes written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const finalizedSlot = BLOCKS - MEMORY_SLOTS + 1;
    const indexStart = performance.now();
    await db.putFinalized(finalizedSlot / ctx.preset.SLOTS_PER_EPOCH, rootAt[finalizedSlot], new Uint8Array(0));
    report("canonical index written for 20k blocks (once)", performance.now() - indexStart, "ms");

    // The chain as BlockHistory reads it: the head, the blocks above finality, the anchor's root
    const headRoot = rootAt[BLOCKS];
    const chain = {
      anchorRoot,
      forkChoice: { getHead: () => ({ root: headRoot }) },
      getEntry: (root: string) => memory.get(root),
    } as unknown as Chain;
    const history = new BlockHistory(chain, db);
    // Slot 0 holds the anchor, which is not served: {0, 1} is empty, as from any node
    const first = await history.range(0, 2);
    const wide = await history.range(BLOCKS / 2, WIDE_COUNT);
    const served = [...first, ...wide].map((b) => b.root);
    const expected = [rootAt[1], ...rootAt.slice(BLOCKS / 2, BLOCKS / 2 + WIDE_COUNT)];
    if (served.join() !== expected.join()) throw new Error("blocksByRange bench: wrong blocks served");
    report("BlocksByRange {start_slot: 0, count: 1}, 20k blocks", await meanMs(RUNS, () => history.range(0, 1)), "ms");
    report(
      "BlocksByRange {start_slot: 10000, count: 64}, 20k blocks",
      await meanMs(RUNS, () => history.range(BLOCKS / 2, WIDE_COUNT)),
      "ms",
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
