import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { judgeHealth, type PollHealth, trackHealth } from "../../src/cli/devnetHealth.ts";

const SLOTS_PER_EPOCH = 8;
const LIMITS = { maxFinalityLagEpochs: 2, minTargetVoteShare: 0.98, minHeadVoteShare: 0.8, maxReorgDepthSlots: 2 };
const poll = (o: Partial<PollHealth>): PollHealth => ({
  finalized: 0,
  participationEpoch: 0,
  activeGwei: 100,
  targetGwei: 100,
  headGwei: 100,
  reorgs: 0,
  deepestReorg: 0,
  ...o,
});

describe("devnet health", () => {
  it("sums each epoch's last participation, the genesis epoch apart, and judges a healthy run healthy", () => {
    const h = trackHealth(SLOTS_PER_EPOCH);
    h.observe(9, [poll({ participationEpoch: 1, targetGwei: 50, headGwei: 50 })]); // superseded below
    h.observe(15, [poll({ participationEpoch: 1, targetGwei: 99, headGwei: 90 })]);
    h.observe(24, [poll({ finalized: 1, participationEpoch: 2 }), undefined]);
    h.observe(25, [poll({ finalized: 1, participationEpoch: 0, targetGwei: 60, headGwei: 40 })]); // warm-up
    const s = h.summary();
    assert.equal(s.targetVoteShare, 0.995);
    assert.equal(s.headVoteShare, 0.95);
    assert.deepEqual(s.allEpochs, { targetVoteShare: 0.863, headVoteShare: 0.767 });
    assert.deepEqual(
      s.participationPerEpoch.map((e) => e.epoch),
      [0, 1, 2],
    );
    assert.deepEqual(judgeHealth(s, LIMITS), []);
  });

  it("fails on lagging finality, missed votes and a deep reorg, and measures finalization gaps", () => {
    const h = trackHealth(SLOTS_PER_EPOCH);
    const votes = { targetGwei: 90, headGwei: 70 };
    h.observe(24, [poll({ finalized: 1, ...votes }), poll({ finalized: 0, reorgs: 2 })]);
    h.observe(50, [poll({ finalized: 2, deepestReorg: 3, ...votes }), poll({ finalized: 1, reorgs: 1 })]); // node 1 restarted
    h.observe(60, [poll({ finalized: 2, participationEpoch: 6, ...votes }), poll({ finalized: 2, reorgs: 1 })]);
    const s = h.summary();
    assert.equal(s.maxFinalityLagEpochs, 5);
    assert.equal(s.firstFinalizationSlot, 24);
    assert.equal(s.longestFinalizationGapSlots, 26);
    assert.deepEqual(s.reorgsPerNode, [0, 3]);
    assert.equal(s.deepestReorgSlots, 3);
    assert.equal(judgeHealth(s, LIMITS).length, 4);
  });
});
