import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ForkChoiceError, ForkChoiceErrorCode, PayloadStatus } from "@turnstile/fork-choice";
import { block, newForkChoice, root, tickTo } from "./helpers.ts";

const isCode = (code: string) => (e: unknown) => e instanceof ForkChoiceError && e.code === code;
const vote = (validators: number[], slot: number, blockRoot: string, index = 0, targetRoot = root(0)) => ({
  attestingIndices: validators,
  slot,
  index,
  beaconBlockRoot: blockRoot,
  target: { epoch: Math.floor(slot / 8), root: targetRoot },
});

describe("ForkChoice: blocks", () => {
  it("head follows a single chain and ends on the FULL or EMPTY variant", () => {
    const fc = newForkChoice();
    tickTo(fc, 3);
    fc.onBlock(block(1, 1, 0, true));
    fc.onBlock(block(2, 2, 1, false));
    let head = fc.getHead();
    assert.equal(head.root, root(2));
    assert.equal(head.payloadStatus, PayloadStatus.EMPTY, "no payload seen for block 2 yet");
    fc.onExecutionPayload(root(2));
    head = fc.getHead();
    assert.equal(head.payloadStatus, PayloadStatus.FULL, "a known payload of an older block wins the FULL/EMPTY tie");
  });

  it("rejects an unknown parent, a future block, and a block on a payload not seen", () => {
    const fc = newForkChoice();
    tickTo(fc, 2);
    assert.throws(() => fc.onBlock(block(5, 2, 4, false)), isCode(ForkChoiceErrorCode.UNKNOWN_PARENT));
    assert.throws(() => fc.onBlock(block(1, 3, 0, false)), isCode(ForkChoiceErrorCode.FUTURE_SLOT));
    fc.onBlock(block(1, 1, 0, true));
    assert.throws(() => fc.onBlock(block(2, 2, 1, true)), isCode(ForkChoiceErrorCode.PARENT_PAYLOAD_UNKNOWN));
    assert.equal(fc.protoArray.hasBlock(root(2)), false, "store unchanged");
  });

  it("rejects a block that is not after the finalized slot or not on the finalized chain", () => {
    const fc = newForkChoice();
    tickTo(fc, 40);
    fc.onBlock(block(1, 1, 0, true));
    fc.onBlock(block(2, 2, 0, true));
    const cp = { epoch: 1, root: root(1) };
    // block 3 (slot 9) finalizes epoch 1 with root 1 (the checkpoint block of epoch 1 on its chain)
    fc.onBlock(block(3, 9, 1, false, { justified: cp, finalized: cp }));
    assert.equal(fc.finalized.epoch, 1);
    assert.throws(() => fc.onBlock(block(4, 8, 3, false)), isCode(ForkChoiceErrorCode.NOT_AFTER_FINALIZED));
    assert.throws(
      () => fc.onBlock(block(5, 10, 2, false)),
      (e: unknown) => e instanceof ForkChoiceError,
    );
  });
});

describe("ForkChoice: attestations", () => {
  it("moves the head to the branch with more votes and counts balances", () => {
    const fc = newForkChoice();
    tickTo(fc, 3);
    fc.onBlock(block(1, 1, 0, true));
    fc.onBlock(block(2, 1, 0, true));
    fc.onAttestation(vote([0, 1, 2], 1, root(1)), false);
    fc.onAttestation(vote([3, 4], 1, root(2)), false);
    assert.equal(fc.getHead().root, root(1));
    // validators 0..2 switch their vote to block 2 in a later slot
    fc.onAttestation(vote([0, 1, 2], 2, root(2)), false);
    assert.equal(fc.getHead().root, root(2));
    assert.equal(fc.getWeight(root(2), PayloadStatus.PENDING), 5 * 32);
    // an older vote does not replace a newer one
    fc.onAttestation(vote([0, 1, 2], 1, root(1)), false);
    assert.equal(fc.getHead().root, root(2));
  });

  it("rejects votes for unknown blocks, future slots, bad targets and bad payload indices", () => {
    const fc = newForkChoice();
    tickTo(fc, 2);
    fc.onBlock(block(1, 1, 0, true));
    assert.throws(() => fc.onAttestation(vote([0], 1, root(9)), false), isCode(ForkChoiceErrorCode.UNKNOWN_BLOCK));
    assert.throws(() => fc.onAttestation(vote([0], 2, root(1)), false), isCode(ForkChoiceErrorCode.FUTURE_VOTE));
    assert.throws(
      () => fc.onAttestation({ ...vote([0], 1, root(1)), target: { epoch: 1, root: root(0) } }, true),
      isCode(ForkChoiceErrorCode.TARGET_SLOT_MISMATCH),
    );
    assert.throws(
      () => fc.onAttestation(vote([0], 1, root(1), 0, root(1)), false),
      isCode(ForkChoiceErrorCode.WRONG_TARGET),
    );
    assert.throws(
      () => fc.onAttestation(vote([0], 1, root(1), 2), false),
      isCode(ForkChoiceErrorCode.BAD_PAYLOAD_INDEX),
    );
    assert.throws(
      () => fc.onAttestation(vote([0], 1, root(1), 1), false),
      isCode(ForkChoiceErrorCode.SAME_SLOT_FULL_VOTE),
    );
    tickTo(fc, 3);
    assert.throws(() => fc.onAttestation(vote([0], 2, root(1), 1), false), isCode(ForkChoiceErrorCode.PAYLOAD_UNKNOWN));
    tickTo(fc, 30);
    assert.throws(() => fc.onAttestation(vote([0], 1, root(1)), false), isCode(ForkChoiceErrorCode.BAD_TARGET_EPOCH));
    fc.onAttestation(vote([0], 1, root(1)), true);
  });

  it("removes an equivocating validator's weight", () => {
    const fc = newForkChoice();
    tickTo(fc, 3);
    fc.onBlock(block(1, 1, 0, true));
    fc.onBlock(block(2, 1, 0, true));
    fc.onAttestation(vote([0, 1], 1, root(1)), false);
    fc.onAttestation(vote([2], 1, root(2)), false);
    assert.equal(fc.getHead().root, root(1));
    fc.onAttesterSlashing([0, 1]);
    assert.equal(fc.getHead().root, root(2));
    assert.equal(fc.getWeight(root(1), PayloadStatus.PENDING), 0);
    // and its later votes are ignored
    fc.onAttestation(vote([0, 1], 2, root(1)), false);
    assert.equal(fc.getHead().root, root(2));
  });
});

describe("ForkChoice: payload status", () => {
  it("EMPTY and FULL compete by votes for an older block", () => {
    const fc = newForkChoice();
    tickTo(fc, 1);
    fc.onBlock(block(1, 1, 0, true));
    fc.onExecutionPayload(root(1));
    tickTo(fc, 4);
    // votes in slot 2 and 3 for block 1: three say EMPTY, two say FULL
    fc.onAttestation(vote([0, 1, 2], 2, root(1), 0), false);
    fc.onAttestation(vote([3, 4], 3, root(1), 1), false);
    let head = fc.getHead();
    assert.deepEqual([head.root, head.payloadStatus], [root(1), PayloadStatus.EMPTY]);
    fc.onAttestation(vote([5, 6], 3, root(1), 1), false);
    head = fc.getHead();
    assert.deepEqual([head.root, head.payloadStatus], [root(1), PayloadStatus.FULL]);
  });

  it("for the previous slot's block, a PTC majority decides; a withheld payload leaves EMPTY", () => {
    const fc = newForkChoice();
    tickTo(fc, 1);
    fc.onBlock(block(1, 1, 0, true));
    fc.onExecutionPayload(root(1));
    fc.onPayloadAttestation({ beaconBlockRoot: root(1), slot: 1, payloadPresent: true, ptcIndices: [0, 1, 2] }, false);
    tickTo(fc, 2);
    assert.equal(fc.isPayloadTimely(root(1)), true);
    assert.equal(fc.getHead().payloadStatus, PayloadStatus.FULL);

    // withheld: block 2 in slot 2 on FULL(1), no payload ever
    fc.onBlock(block(2, 2, 1, true));
    fc.onPayloadAttestation(
      { beaconBlockRoot: root(2), slot: 2, payloadPresent: false, ptcIndices: [0, 1, 2, 3] },
      false,
    );
    tickTo(fc, 3);
    const head = fc.getHead();
    assert.deepEqual([head.root, head.payloadStatus], [root(2), PayloadStatus.EMPTY]);
  });

  it("a late payload (known but without PTC majority) is still extended when no boosted block objects", () => {
    const fc = newForkChoice();
    tickTo(fc, 1);
    fc.onBlock(block(1, 1, 0, true));
    tickTo(fc, 2);
    fc.onExecutionPayload(root(1)); // arrived after the PTC deadline: no PTC votes
    assert.equal(fc.isPayloadTimely(root(1)), false);
    assert.equal(fc.getHead().payloadStatus, PayloadStatus.FULL);
    // a timely block of slot 2 built on EMPTY(1) gets the boost: then FULL(1) loses the tiebreak
    fc.onBlock(block(2, 2, 1, false));
    assert.equal(fc.proposerBoostRoot, root(2));
    const head = fc.getHead();
    assert.deepEqual([head.root, head.payloadStatus], [root(2), PayloadStatus.EMPTY]);
  });

  it("rejects PTC votes from the wire for another slot or out-of-range positions", () => {
    const fc = newForkChoice();
    tickTo(fc, 1);
    fc.onBlock(block(1, 1, 0, true));
    tickTo(fc, 2);
    assert.throws(
      () =>
        fc.onPayloadAttestation({ beaconBlockRoot: root(1), slot: 1, payloadPresent: true, ptcIndices: [0] }, false),
      isCode(ForkChoiceErrorCode.NOT_CURRENT_SLOT),
    );
    assert.throws(
      () => fc.onPayloadAttestation({ beaconBlockRoot: root(1), slot: 1, payloadPresent: true, ptcIndices: [9] }, true),
      isCode(ForkChoiceErrorCode.BAD_PTC_INDEX),
    );
    assert.throws(
      () => fc.onPayloadAttestation({ beaconBlockRoot: root(7), slot: 1, payloadPresent: true, ptcIndices: [0] }, true),
      isCode(ForkChoiceErrorCode.UNKNOWN_BLOCK),
    );
    assert.deepEqual(fc.getPtcVotes(root(1)), [null, null, null, null]);
  });
});

describe("ForkChoice: proposer boost", () => {
  it("a timely block gets the boost and reorgs a late block; the boost ends with the slot", () => {
    const fc = newForkChoice();
    tickTo(fc, 1, 2); // block 1 arrives late in slot 1: no boost
    fc.onBlock(block(1, 1, 0, true));
    assert.equal(fc.proposerBoostRoot, null);
    tickTo(fc, 2);
    fc.onAttestation(vote([0], 1, root(1)), false); // one vote for the late block
    // the slot-2 proposer builds on genesis, skipping the late block
    fc.onBlock(block(2, 2, 0, true));
    assert.equal(fc.proposerBoostRoot, root(2));
    assert.equal(fc.getHead().root, root(2), "boost (40% of a slot's committee weight) beats one vote");
    tickTo(fc, 3);
    assert.equal(fc.proposerBoostRoot, null);
    assert.equal(fc.getHead().root, root(1), "without the boost the late block's vote wins");
  });

  describe("is withheld when the parent is weak and its proposer equivocated in time (Gloas)", () => {
    // Slot 1 has two blocks of its proposer; slot 2's proposer builds on root(1), which loses the
    // root tie-break to root(11): only the boost can make the slot-2 block head
    const scenario = (
      opts: { equivocationInterval?: number; parentVotes?: number; rivalVotes?: number; childSlot?: number } = {},
    ) => {
      const fc = newForkChoice();
      tickTo(fc, 1);
      fc.onBlock(block(1, 1, 0, true));
      tickTo(fc, 1, opts.equivocationInterval ?? 0);
      fc.onBlock(block(11, 1, 0, true));
      const childSlot = opts.childSlot ?? 2;
      tickTo(fc, childSlot);
      const voters = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
      if (opts.parentVotes) fc.onAttestation(vote(voters(opts.parentVotes, 0), 1, root(1)), false);
      if (opts.rivalVotes) fc.onAttestation(vote(voters(opts.rivalVotes, 32), 1, root(11)), false);
      fc.onBlock(block(2, childSlot, 1, false));
      assert.equal(fc.proposerBoostRoot, root(2), "the store still records the boost root");
      return fc.getHead().root;
    };

    it("weak parent (no votes) + an equivocation seen before the PTC deadline: no boost", () => {
      assert.equal(scenario(), root(11));
    });

    it("the equivocation arrived after the PTC deadline: the boost applies", () => {
      assert.equal(scenario({ equivocationInterval: 3 }), root(2));
    });

    // A slot's committee weighs 64 × 32 / 8 = 256; weak is under 20% of it, 51
    it("one vote (32) leaves the parent weak: no boost, the rival's two votes win", () => {
      assert.equal(scenario({ parentVotes: 1, rivalVotes: 2 }), root(11));
    });

    it("two votes (64) make the parent strong: the boost applies and beats the rival's three", () => {
      assert.equal(scenario({ parentVotes: 2, rivalVotes: 3 }), root(2));
    });

    it("the parent is not from the previous slot: the boost applies", () => {
      assert.equal(scenario({ childSlot: 3 }), root(2));
    });
  });
});
