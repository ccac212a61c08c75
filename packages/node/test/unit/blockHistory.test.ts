import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BlockHistory } from "../../src/network/blockHistory.ts";
import { steppedNode } from "./helpers.ts";

describe("BlockHistory (what peers range-sync from)", () => {
  it("serves the canonical blocks of a range and never the anchor's placeholder block", async () => {
    const { node, run } = steppedNode();
    run(1, 6);
    const history = new BlockHistory(node.chain, undefined);
    const fromGenesis = await history.range(0, 10);
    assert.deepEqual(
      fromGenesis.map((b) => b.block.message.slot),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      (await history.range(3, 2)).map((b) => b.block.message.slot),
      [3, 4],
    );
    assert.ok(
      fromGenesis.every((b) => b.envelope !== null),
      "each block with its revealed payload",
    );
    assert.deepEqual(await history.byRoots([Buffer.from(node.chain.anchorRoot.slice(2), "hex")]), []);
  });
});
