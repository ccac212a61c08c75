import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { GENESIS_EPOCH, TIMELY_TARGET_FLAG_INDEX } from "../params/constants.ts";
import {
  type EpochTransitionCache,
  getWorkingInactivityScores,
  hasFlag,
  isUint64ListAllZero,
} from "./epochTransitionCache.ts";
import { isInInactivityLeak } from "./isInInactivityLeak.ts";

export function processInactivityUpdates(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  if (cache.currentEpoch === GENESIS_EPOCH) return;
  const { INACTIVITY_SCORE_BIAS, INACTIVITY_SCORE_RECOVERY_RATE } = cs.ctx.config;
  const leaking = isInInactivityLeak(cs, cache.previousEpoch);
  // Outside a leak a score of 0 stays 0, target made or missed (+BIAS, then -min(RECOVERY_RATE,
  // score), BIAS <= RECOVERY_RATE): with every score 0 this step changes nothing, so the
  // registry-sized read is skipped, and the rewards' inactivity penalties are all 0
  if (
    !leaking &&
    INACTIVITY_SCORE_BIAS <= INACTIVITY_SCORE_RECOVERY_RATE &&
    cache.inactivityScores === null &&
    isUint64ListAllZero(cs.state.inactivity_scores)
  ) {
    cache.inactivityScoresAllZero = true;
    return;
  }
  const scores = getWorkingInactivityScores(cs, cache);
  const { isEligible, isSlashed, previousParticipation } = cache;
  for (let i = 0; i < scores.length; i++) {
    if (isEligible[i] === 0) continue;
    let score = scores[i];
    const timelyTarget = isSlashed[i] === 0 && hasFlag(previousParticipation[i], TIMELY_TARGET_FLAG_INDEX);
    // Increase the score of a validator that missed the target, decrease one that made it
    if (timelyTarget) score -= Math.min(1, score);
    else score += INACTIVITY_SCORE_BIAS;
    // Recover outside a leak
    if (!leaking) score -= Math.min(INACTIVITY_SCORE_RECOVERY_RATE, score);
    if (score !== scores[i]) {
      scores[i] = score;
      cache.inactivityScoresChanged = true;
    }
  }
}
