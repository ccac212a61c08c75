import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import {
  GENESIS_EPOCH,
  PARTICIPATION_FLAG_WEIGHTS,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
  WEIGHT_DENOMINATOR,
} from "../params/constants.ts";
import {
  type EpochTransitionCache,
  getWorkingBalances,
  getWorkingInactivityScores,
  hasFlag,
} from "./epochTransitionCache.ts";
import { isInInactivityLeak } from "./isInInactivityLeak.ts";

/** `a * b // c` exactly, also when the product passes 2^53 (long inactivity leaks). */
function mulDiv(a: number, b: number, c: number): number {
  const product = a * b;
  if (product <= Number.MAX_SAFE_INTEGER) return Math.floor(product / c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** The participation flags that `process_rewards_and_penalties` weighs: one bit per weight. */
const FLAG_COMBINATIONS = 1 << PARTICIPATION_FLAG_WEIGHTS.length;
const FLAGS_MASK = FLAG_COMBINATIONS - 1;

/**
 * `process_rewards_and_penalties`: Altair flag deltas for the previous epoch plus the
 * Bellatrix inactivity penalty, applied to the working balances in one pass.
 * The flag deltas depend only on a validator's effective balance increments and which flags it
 * earned (none when slashed): each combination is computed once, on first use, and looked up after.
 */
export function processRewardsAndPenalties(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  // No rewards are paid for the work done in the epoch before genesis
  if (cache.currentEpoch === GENESIS_EPOCH) return;
  const { preset, config } = cs.ctx;
  const { epochCtx } = cs;
  const leaking = isInInactivityLeak(cs, cache.previousEpoch);
  const activeIncrements = cache.totalActiveIncrements;
  const penaltyDenominator = config.INACTIVITY_SCORE_BIAS * preset.INACTIVITY_PENALTY_QUOTIENT;
  const balances = getWorkingBalances(cs, cache);
  // All 0 (see processInactivityUpdates): no inactivity penalty, nothing to read
  const inactivityScores = cache.inactivityScoresAllZero ? null : getWorkingInactivityScores(cs, cache);
  const { isEligible, isSlashed, previousParticipation, effectiveBalances, previousFlagIncrements } = cache;
  const increments = epochCtx.effectiveBalanceIncrements;
  const baseRewardPerIncrement = epochCtx.baseRewardPerIncrement;
  // rewards[key], penalties[key] with key = increments * FLAG_COMBINATIONS + earned flags; NaN: not computed yet
  const maxIncrements = Math.floor(preset.MAX_EFFECTIVE_BALANCE / preset.EFFECTIVE_BALANCE_INCREMENT);
  const rewards = new Float64Array((maxIncrements + 1) * FLAG_COMBINATIONS).fill(Number.NaN);
  const penalties = new Float64Array(rewards.length);
  // The deltas of one combination, left in these two
  let reward = 0;
  let penalty = 0;
  const flagDeltas = (baseReward: number, earned: number): void => {
    reward = 0;
    penalty = 0;
    for (let flagIndex = 0; flagIndex < PARTICIPATION_FLAG_WEIGHTS.length; flagIndex++) {
      const weight = PARTICIPATION_FLAG_WEIGHTS[flagIndex];
      if (hasFlag(earned, flagIndex)) {
        if (!leaking) {
          const numerator = baseReward * weight * previousFlagIncrements[flagIndex];
          reward += Math.floor(numerator / (activeIncrements * WEIGHT_DENOMINATOR));
        }
      } else if (flagIndex !== TIMELY_HEAD_FLAG_INDEX) {
        penalty += Math.floor((baseReward * weight) / WEIGHT_DENOMINATOR);
      }
    }
  };
  for (let i = 0; i < balances.length; i++) {
    if (isEligible[i] === 0) continue;
    const earned = isSlashed[i] === 0 ? previousParticipation[i] & FLAGS_MASK : 0;
    const validatorIncrements = increments[i];
    if (validatorIncrements <= maxIncrements) {
      const key = validatorIncrements * FLAG_COMBINATIONS + earned;
      if (Number.isNaN(rewards[key])) {
        flagDeltas(validatorIncrements * baseRewardPerIncrement, earned);
        rewards[key] = reward;
        penalties[key] = penalty;
      }
      reward = rewards[key];
      penalty = penalties[key];
    } else {
      // Above MAX_EFFECTIVE_BALANCE (not reachable by the rules): computed directly
      flagDeltas(validatorIncrements * baseRewardPerIncrement, earned);
    }
    if (inactivityScores !== null && !hasFlag(earned, TIMELY_TARGET_FLAG_INDEX)) {
      penalty += mulDiv(effectiveBalances[i], inactivityScores[i], penaltyDenominator);
    }
    if (reward !== 0 || penalty !== 0) {
      const balance = balances[i] + reward;
      balances[i] = penalty > balance ? 0 : balance - penalty;
      cache.balancesChanged = true;
    }
  }
}
