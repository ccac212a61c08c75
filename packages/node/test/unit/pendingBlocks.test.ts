import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type SignedBeaconBlock, type SignedExecutionPayloadEnvelope, toHex } from "@turnstile/ticket-state";
import pino from "pino";
import { ChainErrorCode } from "../../src/chain/errors.ts";
import { PendingBlocks } from "../../src/chain/pendingBlocks.ts";
import { MAX_PARENT_ROUNDS, ParentFetcher, type RootRequests } from "../../src/network/parentFetcher.ts";
import { steppedNode } from "./helpers.ts";

const SLOTS = 12;

// A producer's canonical chain from slot 1 with its revealed envelopes (every slot has both here)
const producer = steppedNode();
producer.run(1, SLOTS);
const blocks: SignedBeaconBlock[] = [];
const envelopes: SignedExecutionPayloadEnvelope[] = [];
const roots: string[] = [];
for (
  let e = producer.node.chain.getEntry(producer.node.chain.head().root);
  e && e.slot > 0;
  e = producer.node.chain.getEntry(toHex(e.block.message.parent_root))
) {
  blocks.unshift(e.block);
  roots.unshift(e.root);
  envelopes.unshift(e.envelope!);
}

/** An import that may be refused (the node reported it as "rejected"); the test looks at the chain after. */
function refusedOrImported(importIt: () => unknown): void {
  try {
    importIt();
  } catch {
    // see above
  }
}

/** Let queued children import (they are released in microtasks). */
const settle = () => new Promise((r) => setImmediate(r));

function syncer() {
  return steppedNode({ startSlot: SLOTS + 1 });
}

describe("pending blocks: what arrives before what it builds on waits, then imports", () => {
  it("blocks in reverse order: each waits for its parent, and the last parent releases them all", async () => {
    assert.ok(
      envelopes.every((e) => e !== undefined),
      "every slot revealed its payload",
    );
    const { node } = syncer();
    for (let i = 4; i >= 1; i--) assert.throws(() => node.importBlock(blocks[i]));
    assert.equal(node.pending.size, 4);
    // Each builds on its parent's payload: the envelopes come with the parents
    assert.ok(node.importBlock(blocks[0]));
    for (let i = 0; i < 5; i++) {
      // the first is imported; the others wait for their block, released meanwhile
      if (!node.chain.getEntry(roots[i])?.payloadKnown) refusedOrImported(() => node.importEnvelope(envelopes[i]));
      await settle();
    }
    assert.equal(node.chain.head().root, roots[4]);
    assert.equal(node.pending.size, 0);
  });

  it("an envelope before its block waits for the block", async () => {
    const { node } = syncer();
    assert.throws(() => node.importEnvelope(envelopes[0]));
    assert.equal(node.pending.size, 1);
    assert.ok(node.importBlock(blocks[0]));
    await settle();
    assert.equal(node.chain.getEntry(roots[0])?.payloadKnown, true);
    assert.equal(node.pending.size, 0);
  });

  it("a forged envelope queued first does not shut out the real one", async () => {
    const { node } = syncer();
    const forged = { ...envelopes[0], signature: envelopes[1].signature };
    assert.throws(() => node.importEnvelope(forged));
    assert.throws(() => node.importEnvelope(envelopes[0]));
    assert.ok(node.importBlock(blocks[0]));
    await settle();
    assert.equal(node.chain.getEntry(roots[0])?.payloadKnown, true);
  });

  it("nothing from a slot that has not come waits (it could sit in the queue for ever)", () => {
    const { node } = steppedNode({ startSlot: 3 });
    assert.throws(() => node.importBlock(blocks[5]), { code: ChainErrorCode.FUTURE_SLOT });
    assert.equal(node.pending.size, 0);
    assert.throws(() => node.importBlock(blocks[2]), { code: ChainErrorCode.UNKNOWN_PARENT }, "slot 3: it may wait");
    assert.equal(node.pending.size, 1);
  });

  it("a block before its parent's payload waits for the payload", async () => {
    const { node } = syncer();
    assert.ok(node.importBlock(blocks[0]));
    assert.throws(() => node.importBlock(blocks[1]));
    assert.deepEqual(
      node.pending.missing((r) => node.chain.hasBlock(r)),
      [{ kind: "payload", root: roots[0] }],
    );
    assert.ok(node.importEnvelope(envelopes[0]));
    await settle();
    assert.ok(node.chain.hasBlock(roots[1]));
  });

  it("says what to fetch: the oldest missing ancestor, not what is already queued", () => {
    const { node } = syncer();
    assert.throws(() => node.importBlock(blocks[3]));
    assert.throws(() => node.importBlock(blocks[2]));
    assert.deepEqual(
      node.pending.missing((r) => node.chain.hasBlock(r)),
      [{ kind: "block", root: roots[1] }],
    );
  });

  it("is bounded (oldest dropped first) and forgets what finality made impossible", () => {
    const pending = new PendingBlocks(3, 1);
    for (let i = 0; i < 5; i++) pending.addBlock(roots[i], blocks[i], { kind: "block", root: `0x${i}` });
    assert.equal(pending.size, 3);
    assert.ok(!pending.hasBlock(roots[0]) && !pending.hasBlock(roots[1]) && pending.hasBlock(roots[4]));
    pending.addEnvelope(roots[0], envelopes[0]);
    pending.addEnvelope(roots[1], envelopes[1]);
    assert.deepEqual(pending.takeEnvelopes(roots[0]), [], "only one block root's envelopes fit");
    pending.prune(blocks[3].message.slot);
    assert.ok(!pending.hasBlock(roots[3]) && pending.hasBlock(roots[4]));
    assert.equal(pending.size, 1, "the envelope of a slot at or below the pruned one went too");
  });
});

describe("ParentFetcher: the missing ancestors of an orphan, by root", () => {
  /** Serves the producer's blocks and envelopes by root, and counts requests. */
  function servingProducer(): RootRequests & { calls: number } {
    const byRoot = (root: Uint8Array) => roots.indexOf(toHex(root));
    const server = {
      calls: 0,
      blocksByRoot: async (_peer: unknown, wanted: Uint8Array[]) => {
        server.calls++;
        return wanted.map(byRoot).flatMap((i) => (i >= 0 ? [blocks[i]] : []));
      },
      envelopesByRoot: async (_peer: unknown, wanted: Uint8Array[]) => {
        server.calls++;
        return wanted.map(byRoot).flatMap((i) => (i >= 0 ? [envelopes[i]] : []));
      },
    };
    return server;
  }

  it("fetches a short gap generation by generation and imports the orphan", async () => {
    const { node } = syncer();
    // The node has slots 1..8 (without the last payload); slot 11 arrives by gossip
    assert.equal(node.chain.importSegment(blocks.slice(0, 8), envelopes.slice(0, 7)).error, null);
    assert.throws(() => node.importBlock(blocks[10]));
    let farBehind = 0;
    const server = servingProducer();
    const fetcher = new ParentFetcher(node, server, () => farBehind++, pino({ level: "silent" }));
    await fetcher.request("peer");
    await settle();
    assert.ok(node.chain.hasBlock(roots[10]), "the orphan was imported");
    assert.equal(farBehind, 0);
    assert.ok(server.calls <= 2 * MAX_PARENT_ROUNDS);
  });

  it("leaves a deep gap to range sync", async () => {
    const { node } = syncer();
    assert.throws(() => node.importBlock(blocks[SLOTS - 1]));
    let farBehind = 0;
    const fetcher = new ParentFetcher(node, servingProducer(), () => farBehind++, pino({ level: "silent" }));
    await fetcher.request("peer");
    assert.equal(farBehind, 1);
    assert.ok(!node.chain.hasBlock(roots[SLOTS - 1]));
  });

  it("a peer that answers nothing: no loop, range sync is the fallback", async () => {
    const { node } = syncer();
    assert.throws(() => node.importBlock(blocks[2]));
    let farBehind = 0;
    const empty: RootRequests = { blocksByRoot: async () => [], envelopesByRoot: async () => [] };
    await new ParentFetcher(node, empty, () => farBehind++, pino({ level: "silent" })).request("peer");
    assert.equal(farBehind, 1);
  });
});
