import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ForkChoiceError, ForkChoiceErrorCode, PayloadStatus } from "@turnstile/fork-choice";
import { block, hashOf, newForkChoice, root, tickTo } from "./helpers.ts";

const isCode = (code: string) => (e: unknown) => e instanceof ForkChoiceError && e.code === code;
const vote = (validators: number[], slot: number, blockRoot: string, index = 0) => ({
  attestingIndices: validators,
  slot,
  index,
  beaconBlockRoot: blockRoot,
  target: { epoch: Math.floor(slot / 8), root: root(0) },
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** 0 ← 1 (FULL) ← 2 (FULL) ← 3 (FULL), every payload known: the head is 3 FULL. */
function fullChain() {
  const fc = newForkChoice();
  tickTo(fc, 6);
  fc.onBlock(block(1, 1, 0, true));
  fc.onExecutionPayload(root(1));
  fc.onBlock(block(2, 2, 1, true));
  fc.onExecutionPayload(root(2));
  fc.onBlock(block(3, 3, 2, true));
  fc.onExecutionPayload(root(3));
  return fc;
}

describe("ForkChoice: a payload found INVALID after optimistic import", () => {
  it("latestValidHash null: only that payload; the head moves to its block's EMPTY variant", () => {
    const fc = fullChain();
    assert.deepEqual(fc.getHead(), { root: root(3), slot: 3, payloadStatus: PayloadStatus.FULL });
    const out = fc.onInvalidPayload(hashOf(3), null);
    assert.deepEqual(out, { payloads: [root(3)], blocks: [] });
    assert.deepEqual(fc.getHead(), { root: root(3), slot: 3, payloadStatus: PayloadStatus.EMPTY });
    assert.equal(fc.isExecutionInvalid(root(3), PayloadStatus.FULL), true);
    assert.equal(fc.isExecutionInvalid(root(3), PayloadStatus.EMPTY), false);
  });

  it("latestValidHash an ancestor's payload: the payloads after it and every block built on them are out", () => {
    const fc = fullChain();
    // Votes for the FULL chain's tip cannot keep it head once it is invalid
    fc.onAttestation(vote(range(0, 40), 4, root(3), 1), false);
    tickTo(fc, 5);
    assert.equal(fc.getHead().root, root(3));
    const out = fc.onInvalidPayload(hashOf(3), hashOf(1));
    assert.deepEqual(out.payloads.sort(), [root(2), root(3)].sort());
    assert.deepEqual(out.blocks, [root(3)], "block 3 builds on payload 2");
    // Block 2's EMPTY variant is the best that is left (block 3 built on payload 2)
    assert.deepEqual(fc.getHead(), { root: root(2), slot: 2, payloadStatus: PayloadStatus.EMPTY });
    assert.equal(fc.isExecutionInvalid(root(3), PayloadStatus.EMPTY), true);
    assert.equal(fc.isExecutionInvalid(root(1), PayloadStatus.FULL), false);
  });

  it("latestValidHash that names no ancestor payload counts as null", () => {
    const fc = fullChain();
    const out = fc.onInvalidPayload(hashOf(3), hashOf(77));
    assert.deepEqual(out.payloads, [root(3)]);
  });

  it("descendants through EMPTY variants are walked past; a sibling branch on the EMPTY variant survives", () => {
    const fc = newForkChoice();
    tickTo(fc, 8);
    fc.onBlock(block(1, 1, 0, true));
    fc.onExecutionPayload(root(1));
    // 2 on 1's FULL, 3 on 2's EMPTY, 4 on 1's FULL... the payload chain of 3 skips block 2
    fc.onBlock(block(2, 2, 1, true));
    fc.onExecutionPayload(root(2));
    fc.onBlock(block(3, 3, 2, false, { parentBlockHash: hashOf(1) }));
    fc.onExecutionPayload(root(3));
    fc.onBlock(block(4, 4, 3, true));
    fc.onExecutionPayload(root(4));
    fc.onBlock(block(5, 5, 2, true));
    // Payload 3's parent is payload 1 (block 3 built on block 2's EMPTY variant)
    const out = fc.onInvalidPayload(hashOf(3), hashOf(1));
    assert.deepEqual(out.payloads, [root(3)], "payload 2 is not on payload 3's chain");
    assert.deepEqual(out.blocks, [root(4)]);
    assert.equal(fc.isExecutionInvalid(root(5), PayloadStatus.PENDING), false);
    assert.equal(fc.getHead().root !== root(4), true);
  });

  it("refuses a block built on an invalid payload, and an unknown payload hash, changing nothing", () => {
    const fc = fullChain();
    fc.onInvalidPayload(hashOf(3), null);
    tickTo(fc, 7);
    assert.throws(() => fc.onBlock(block(4, 4, 3, true)), isCode(ForkChoiceErrorCode.INVALID_EXECUTION_ANCESTOR));
    assert.equal(fc.protoArray.hasBlock(root(4)), false);
    // On the EMPTY variant of the same block: fine
    fc.onBlock(block(5, 4, 3, false, { parentBlockHash: hashOf(2) }));
    assert.equal(fc.getHead().root, root(5));
    assert.throws(() => fc.onInvalidPayload(hashOf(99), null), isCode(ForkChoiceErrorCode.UNKNOWN_PAYLOAD));
  });
});
