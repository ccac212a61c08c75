import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  beforeProcessEpoch,
  type CachedBeaconState,
  processInactivityUpdates,
  processJustificationAndFinalization,
  processRewardsAndPenalties,
  readUint64List,
} from "@turnstile/ticket-state";
import { minimalContext } from "../../utils/chain.ts";
import { ETH, type HandValidator, handMadeState } from "./epochHelpers.ts";

/**
 * Outside a leak, an inactivity score of 0 stays 0 whether the target was made or not, so when
 * every score is 0 the transition skips reading them: the balances and scores must be those the
 * full read gives.
 */
const SLOTS_PER_EPOCH = 8;
const ALL_FLAGS = 0b111;
const SOURCE_ONLY = 0b001;

function registry(): HandValidator[] {
  return Array.from({ length: 64 }, (_, i) => ({
    effectiveBalance: 32 * ETH,
    // A quarter missed the target: they would pay the inactivity penalty of a non-zero score
    previousFlags: i % 4 === 0 ? SOURCE_ONLY : ALL_FLAGS,
  }));
}

/** Justification, inactivity updates and rewards on a clone; `readScores` reads the scores first, as before the shortcut. */
function runSteps(pre: CachedBeaconState, readScores: boolean) {
  const cs = pre.clone();
  const cache = beforeProcessEpoch(cs);
  if (readScores) cache.inactivityScores = readUint64List(cs.state.inactivity_scores);
  processJustificationAndFinalization(cs, cache);
  processInactivityUpdates(cs, cache);
  processRewardsAndPenalties(cs, cache);
  return { cache, balances: [...(cache.balances ?? [])], scores: cache.inactivityScores };
}

describe("inactivity updates when every score is 0", () => {
  const ctx = minimalContext();

  it("outside a leak: skips the scores and gives the balances the full read gives", () => {
    const pre = handMadeState(ctx, 4 * SLOTS_PER_EPOCH - 1, registry());
    const skipped = runSteps(pre, false);
    const read = runSteps(pre, true);
    assert.equal(skipped.cache.inactivityScoresAllZero, true);
    assert.equal(skipped.scores, null, "the scores were never read");
    assert.equal(read.cache.inactivityScoresAllZero, false);
    assert.deepEqual(read.scores, new Array(64).fill(0), "the full read leaves them 0");
    assert.equal(read.cache.inactivityScoresChanged, false);
    assert.deepEqual(skipped.balances, read.balances);
  });

  it("reads them when one score is not 0", () => {
    const pre = handMadeState(ctx, 4 * SLOTS_PER_EPOCH - 1, registry());
    pre.state.inactivity_scores.set(8, 20);
    pre.state.commit();
    const run = runSteps(pre, false);
    assert.equal(run.cache.inactivityScoresAllZero, false);
    // Validator 8 missed the target: +4, then recovers 16
    assert.equal(run.scores?.[8], 8);
  });

  it("reads them in a leak, where a missed target raises a score of 0", () => {
    // Epoch 9: the previous epoch is 8 past finality (epoch 0), beyond MIN_EPOCHS_TO_INACTIVITY_PENALTY
    const pre = handMadeState(ctx, 10 * SLOTS_PER_EPOCH - 1, registry());
    const run = runSteps(pre, false);
    assert.equal(run.cache.inactivityScoresAllZero, false);
    assert.equal(run.scores?.[0], ctx.config.INACTIVITY_SCORE_BIAS);
    assert.equal(run.scores?.[1], 0);
  });
});
