/**
 * Hand-checked `epoch_processing` cases of `process_epoch`'s sub-steps (minimal preset: 8 slots per
 * epoch, 64 validators of 32 ETH). Reward constants, from a total active balance of 2048 ETH:
 * isqrt(2_048_000_000_000) = 1_431_083, base reward per increment 1e9 * 64 // 1_431_083 = 44_721,
 * base reward of a 32 ETH validator 32 * 44_721 = 1_431_072; flag shares (weight / 64):
 * source 1_431_072 * 14 // 64 = 313_047, target * 26 // 64 = 581_373, head * 14 // 64 = 313_047.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ETH, loadCase } from "./load.ts";

describe("hand-checked epoch_processing", () => {
  it("rewards_and_penalties/full_participation_epoch_2: every validator earns 313_047 + 581_373 + 313_047", () => {
    const { pre, post } = loadCase("epoch_processing", "rewards_and_penalties", "full_participation_epoch_2");
    assert.ok(
      pre.previous_epoch_participation.every((f) => f === 7),
      "everyone has all three flags",
    );
    assert.ok(pre.inactivity_scores.every((s) => s === 0));
    assert.ok(pre.validators.every((v) => v.effective_balance === 32 * ETH));
    // full participation: reward = base * weight * 2048 // (2048 * 64) per flag = 1_207_467
    post.balances.forEach((b, i) => {
      assert.equal(b - pre.balances[i], 1_207_467, `validator ${i}`);
    });
  });

  it("inactivity_updates and rewards_and_penalties/inactivity_leak: scores 0 → 4, each balance −896_327", () => {
    const scores = loadCase("epoch_processing", "inactivity_updates", "inactivity_leak");
    // slot 55: current epoch 6, previous 5, finalized 0: 5 - 0 > MIN_EPOCHS_TO_INACTIVITY_PENALTY (4), leaking
    assert.deepEqual([scores.pre.slot, scores.pre.finalized_checkpoint.epoch], [55, 0]);
    // no target flag: + INACTIVITY_SCORE_BIAS (4); no recovery in a leak. Before (epochs 1-5) there was
    // no leak, and the +4 was recovered at once (- min(16, 4)), so scores were still 0.
    assert.ok(scores.pre.inactivity_scores.every((s) => s === 0));
    assert.ok(scores.post.inactivity_scores.every((s) => s === 4));
    const rewards = loadCase("epoch_processing", "rewards_and_penalties", "inactivity_leak");
    assert.ok(rewards.pre.inactivity_scores.every((s) => s === 4));
    // penalties: source 313_047 + target 581_373 (no head penalty) + inactivity
    // 32e9 * 4 // (INACTIVITY_SCORE_BIAS 4 * INACTIVITY_PENALTY_QUOTIENT 2^24) = 1_907 → 896_327
    rewards.post.balances.forEach((b, i) => {
      assert.equal(rewards.pre.balances[i] - b, 896_327, `validator ${i}`);
    });
  });

  it("justification_and_finalization/full_participation_epoch_2 and _3: justify epoch 2, then finalize it", () => {
    const two = loadCase("epoch_processing", "justification_and_finalization", "full_participation_epoch_2");
    // previous epoch (1): 2048 of 2048 ETH voted for its target; current epoch (2): 7 slots of 8 voted
    // by slot 23, 1792 ETH: 1792 * 3 >= 2048 * 2, so epoch 2 is justified as well; bits 0b0011
    assert.deepEqual(two.pre.current_justified_checkpoint.epoch, 0);
    assert.equal(two.post.current_justified_checkpoint.epoch, 2);
    assert.deepEqual(two.post.current_justified_checkpoint.root, two.pre.block_roots[16 % 64]);
    assert.equal(two.post.previous_justified_checkpoint.epoch, 0);
    assert.deepEqual(two.post.justification_bits.toBoolArray(), [true, true, false, false]);
    assert.equal(two.post.finalized_checkpoint.epoch, 0);
    const three = loadCase("epoch_processing", "justification_and_finalization", "full_participation_epoch_3");
    // epochs 3 and 2 justified, the old current justified is 2 = 3 - 1: epoch 2 is finalized
    assert.equal(three.post.current_justified_checkpoint.epoch, 3);
    assert.equal(three.post.finalized_checkpoint.epoch, 2);
    assert.deepEqual(three.post.finalized_checkpoint.root, three.pre.current_justified_checkpoint.root);
  });

  it("registry_updates/mixed_participation: validator 4 at EJECTION_BALANCE (16 ETH) is ejected", () => {
    const { pre, post } = loadCase("epoch_processing", "registry_updates", "mixed_participation");
    assert.equal(pre.validators[4].effective_balance, 16 * ETH);
    // current epoch 2: exit at 2 + 1 + 4 = 7, withdrawable 7 + 256 = 263
    assert.deepEqual([post.validators[4].exit_epoch, post.validators[4].withdrawable_epoch], [7, 263]);
  });

  it("slashings/mixed_participation: validator 5's correlation penalty is 3 ETH", () => {
    const { pre, post } = loadCase("epoch_processing", "slashings", "mixed_participation");
    // withdrawable 34 = current epoch 2 + EPOCHS_PER_SLASHINGS_VECTOR / 2
    assert.equal(pre.validators[5].withdrawable_epoch, 34);
    // total active 62 * 32 + 16 (v4) + 30 (v6) = 2030 ETH; slashings 64 + 5 = 69 ETH, * 3 = 207 ETH;
    // penalty = 32 * 207 // 2030 = 3 increments = 3 ETH
    assert.equal(
      pre.slashings.reduce((a, b) => a + b, 0),
      69 * ETH,
    );
    assert.equal(pre.balances[5] - post.balances[5], 3 * ETH);
  });

  it("effective_balance_updates/mixed_participation: hysteresis both ways", () => {
    const { pre, post } = loadCase("epoch_processing", "effective_balance_updates", "mixed_participation");
    // downward threshold 0.25 ETH, upward 1.25 ETH
    // v1: balance ~31.7 ETH < 32 - 0.25: effective drops to 31 ETH
    assert.ok(pre.balances[1] < 31.75 * ETH && pre.balances[1] > 31 * ETH);
    assert.equal(post.validators[1].effective_balance, 31 * ETH);
    // v2: ~31.8 ETH, within the threshold: stays 32 ETH
    assert.ok(pre.balances[2] > 31.75 * ETH);
    assert.equal(post.validators[2].effective_balance, 32 * ETH);
    // v6: effective 30 ETH, balance ~32 ETH > 30 + 1.25: rises to 32 ETH
    assert.equal(pre.validators[6].effective_balance, 30 * ETH);
    assert.equal(post.validators[6].effective_balance, 32 * ETH);
    // v3: ~33.5 ETH, capped at MAX_EFFECTIVE_BALANCE
    assert.equal(post.validators[3].effective_balance, 32 * ETH);
  });

  it("slashings_reset, randao_mixes_reset, participation_flag_updates at the end of epoch 2", () => {
    const reset = loadCase("epoch_processing", "slashings_reset", "mixed_participation");
    // next epoch 3: slashings[3] = 0
    assert.deepEqual([reset.pre.slashings[3], reset.post.slashings[3]], [5 * ETH, 0]);
    const mixes = loadCase("epoch_processing", "randao_mixes_reset", "full_participation_epoch_2");
    assert.deepEqual(mixes.post.randao_mixes[3], mixes.pre.randao_mixes[2]);
    const flags = loadCase("epoch_processing", "participation_flag_updates", "full_participation_epoch_2");
    assert.deepEqual(flags.post.previous_epoch_participation, flags.pre.current_epoch_participation);
    assert.ok(flags.post.current_epoch_participation.every((f) => f === 0));
  });
});
