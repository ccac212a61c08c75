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

/**
 * `process_rewards_and_penalties`: Altair flag deltas for the previous epoch plus the
 * Bellatrix inactivity penalty, applied to the working balances in one pass.
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
  const inactivityScores = getWorkingInactivityScores(cs, cache);
  const { isEligible, isSlashed, previousParticipation, effectiveBalances } = cache;
  for (let i = 0; i < balances.length; i++) {
    if (isEligible[i] === 0) continue;
    const baseReward = epochCtx.getBaseReward(i);
    const participating = isSlashed[i] === 0;
    const flags = previousParticipation[i];
    let reward = 0;
    let penalty = 0;
    for (let flagIndex = 0; flagIndex < PARTICIPATION_FLAG_WEIGHTS.length; flagIndex++) {
      const weight = PARTICIPATION_FLAG_WEIGHTS[flagIndex];
      if (participating && hasFlag(flags, flagIndex)) {
        if (!leaking) {
          const numerator = baseReward * weight * cache.previousFlagIncrements[flagIndex];
          reward += Math.floor(numerator / (activeIncrements * WEIGHT_DENOMINATOR));
        }
      } else if (flagIndex !== TIMELY_HEAD_FLAG_INDEX) {
        penalty += Math.floor((baseReward * weight) / WEIGHT_DENOMINATOR);
      }
    }
    if (!(participating && hasFlag(flags, TIMELY_TARGET_FLAG_INDEX))) {
      penalty += mulDiv(effectiveBalances[i], inactivityScores[i], penaltyDenominator);
    }
    if (reward !== 0 || penalty !== 0) {
      const balance = balances[i] + reward;
      balances[i] = penalty > balance ? 0 : balance - penalty;
      cache.balancesChanged = true;
    }
  }
}
