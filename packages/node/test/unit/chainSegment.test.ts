import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockErrorCode,
  EnvelopeErrorCode,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  toHex,
} from "@turnstile/ticket-state";
import { ChainErrorCode } from "../../src/chain/errors.ts";
import { steppedNode } from "./helpers.ts";

const SLOTS = 20;

/** A producer's canonical chain from slot 1, oldest first, with the envelopes it revealed. */
function producedChain() {
  const producer = steppedNode();
  producer.run(1, SLOTS);
  const blocks: SignedBeaconBlock[] = [];
  const envelopes: SignedExecutionPayloadEnvelope[] = [];
  const chain = producer.node.chain;
  for (
    let e = chain.getEntry(chain.head().root);
    e && e.slot > 0;
    e = chain.getEntry(toHex(e.block.message.parent_root))
  ) {
    blocks.unshift(e.block);
    if (e.envelope) envelopes.unshift(e.envelope);
  }
  const head = chain.head();
  return { blocks, envelopes, head: { root: head.root, payloadStatus: head.payloadStatus } };
}

const produced = producedChain();

/** An empty node whose clock is past the produced chain. */
function syncer() {
  return steppedNode({ startSlot: SLOTS + 1 });
}

const code = (error: unknown) => (error as { code?: string } | null)?.code;

describe("Chain.importSegment (range sync: one signature batch per run of blocks)", () => {
  it("imports every block and envelope: same head, payload status and states as the producer", () => {
    const { node } = syncer();
    assert.ok(produced.envelopes.length > SLOTS / 2, "the run has revealed payloads");
    const { imported, error } = node.chain.importSegment(produced.blocks, produced.envelopes);
    assert.equal(error, null);
    assert.equal(imported, produced.blocks.length);
    const head = node.chain.head();
    assert.equal(head.root, produced.head.root);
    assert.equal(head.payloadStatus, produced.head.payloadStatus);
    for (const envelope of produced.envelopes) {
      const entry = node.chain.getEntry(toHex(envelope.message.beacon_block_root));
      assert.ok(entry?.payloadKnown);
      assert.deepEqual(node.chain.regen.getPostState(entry.root, true).hashTreeRoot(), envelope.message.state_root);
    }
  });

  it("a bad block signature: the blocks before it are imported, none from it on, with a typed error", () => {
    const { node } = syncer();
    const k = 7;
    const blocks = produced.blocks.map((b, i) => (i === k ? { ...b, signature: produced.blocks[k + 1].signature } : b));
    const { imported, error } = node.chain.importSegment(blocks, produced.envelopes);
    assert.equal(code(error), BlockErrorCode.INVALID_SIGNATURE);
    assert.equal(imported, k);
    const root = (b: SignedBeaconBlock) => toHex(node.ctx.ssz.BeaconBlock.hashTreeRoot(b.message));
    assert.ok(node.chain.hasBlock(root(blocks[k - 1])));
    assert.ok(!node.chain.hasBlock(root(blocks[k])));
    assert.ok(!node.chain.hasBlock(root(blocks[k + 1])));
    assert.equal(node.chain.head().root, root(blocks[k - 1]));
  });

  it("forged signatures followed by bytes that are not a signature: nothing before them is stored either", () => {
    const { node } = syncer();
    const k = 5;
    const blocks = produced.blocks.map((b, i) =>
      i < k
        ? { ...b, signature: produced.blocks[i + 1].signature }
        : i === k
          ? { ...b, signature: new Uint8Array(96) }
          : b,
    );
    const { imported, error } = node.chain.importSegment(blocks, produced.envelopes);
    assert.equal(code(error), BlockErrorCode.INVALID_SIGNATURE);
    assert.equal(imported, 0);
    assert.equal(node.chain.head().root, node.chain.anchorRoot);
  });

  it("a bad envelope signature: its block is imported without the payload, nothing after", () => {
    const { node } = syncer();
    const k = 5;
    const target = toHex(produced.envelopes[k].message.beacon_block_root);
    const envelopes = produced.envelopes.map((e, i) =>
      i === k ? { ...e, signature: produced.envelopes[0].signature } : e,
    );
    const { error } = node.chain.importSegment(produced.blocks, envelopes);
    assert.equal(code(error), EnvelopeErrorCode.INVALID_SIGNATURE);
    const entry = node.chain.getEntry(target);
    assert.ok(entry, "the block itself was good");
    assert.equal(entry.payloadKnown, false);
    const after = produced.blocks.filter((b) => b.message.slot > entry.slot);
    assert.ok(after.every((b) => !node.chain.hasBlock(toHex(node.ctx.ssz.BeaconBlock.hashTreeRoot(b.message)))));
  });

  it("a run that does not connect to the chain: UNKNOWN_PARENT, nothing stored", () => {
    const { node } = syncer();
    const { imported, error } = node.chain.importSegment(produced.blocks.slice(3), produced.envelopes);
    assert.equal(code(error), ChainErrorCode.UNKNOWN_PARENT);
    assert.equal(imported, 0);
    assert.equal(node.chain.head().root, node.chain.anchorRoot);
  });

  it("checks a run against the states of one still being verified, then stores both in order", () => {
    const { node } = syncer();
    const first = node.chain.checkSegment(produced.blocks.slice(0, 8), produced.envelopes);
    const second = node.chain.checkSegment(produced.blocks.slice(8), produced.envelopes, first);
    assert.equal(first.error, null);
    assert.equal(second.error, null);
    assert.equal(node.chain.head().root, node.chain.anchorRoot, "nothing stored before verification");
    assert.deepEqual(node.chain.commitSegment(first, -1), { imported: 8, added: 8, error: null });
    assert.deepEqual(node.chain.commitSegment(second, -1), { imported: SLOTS - 8, added: SLOTS - 8, error: null });
    assert.equal(node.chain.head().root, produced.head.root);
  });

  it("skips at commit what arrived meanwhile (gossip), and imports the envelopes of blocks it already had", () => {
    const { node } = syncer();
    const segment = node.chain.checkSegment(produced.blocks, produced.envelopes);
    assert.ok(node.importBlock(produced.blocks[0]));
    // The block that came by gossip counts as imported, not as added
    assert.deepEqual(node.chain.commitSegment(segment, -1), { imported: SLOTS, added: SLOTS - 1, error: null });
    assert.equal(node.chain.head().root, produced.head.root);

    // A block stored without its payload gets it from a later segment
    const other = syncer().node;
    assert.equal(other.chain.importSegment(produced.blocks.slice(0, 1), []).imported, 1);
    const firstRoot = toHex(other.ctx.ssz.BeaconBlock.hashTreeRoot(produced.blocks[0].message));
    assert.equal(other.chain.getEntry(firstRoot)?.payloadKnown, false);
    assert.equal(other.chain.importSegment(produced.blocks, produced.envelopes).error, null);
    assert.equal(other.chain.getEntry(firstRoot)?.payloadKnown, true);
    assert.equal(other.chain.head().root, produced.head.root);
  });

  it("BeaconNode.importSegment returns the failure and reports a rejected event", () => {
    const { node, rejected } = syncer();
    const result = node.importSegment(produced.blocks.slice(2), []);
    assert.deepEqual({ ...result, error: undefined }, { imported: 0, added: 0, failed: true, error: undefined });
    assert.equal(code(result.error), ChainErrorCode.UNKNOWN_PARENT);
    assert.deepEqual(rejected, [`block:${ChainErrorCode.UNKNOWN_PARENT}`]);
  });
});
