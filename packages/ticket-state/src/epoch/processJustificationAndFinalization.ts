import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { GENESIS_EPOCH, TIMELY_TARGET_FLAG_INDEX } from "../params/constants.ts";
import { Checkpoint } from "../types/sszTypes.ts";
import { getBlockRoot } from "../util/blockRoots.ts";
import type { EpochTransitionCache } from "./epochTransitionCache.ts";

export function processJustificationAndFinalization(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  // Skip the first two epochs: there is no previous epoch to justify yet
  if (cache.currentEpoch <= GENESIS_EPOCH + 1) return;
  weighJustificationAndFinalization(
    cs,
    cache.totalActiveIncrements,
    cache.previousFlagIncrements[TIMELY_TARGET_FLAG_INDEX],
    cache.currentTargetIncrements,
  );
}

/** `weigh_justification_and_finalization`, with balances in increments (the 2/3 test is scale-free). */
export function weighJustificationAndFinalization(
  cs: CachedBeaconState,
  totalActive: number,
  previousTarget: number,
  currentTarget: number,
): void {
  const { state, ctx } = cs;
  const currentEpoch = Math.floor(state.slot / ctx.preset.SLOTS_PER_EPOCH);
  const previousEpoch = currentEpoch - 1;
  const oldPreviousJustified = state.previous_justified_checkpoint.toValue();
  const oldCurrentJustified = state.current_justified_checkpoint.toValue();

  state.previous_justified_checkpoint = Checkpoint.toViewDU(oldCurrentJustified);
  const bits = state.justification_bits.toBoolArray();
  const newBits = [false, bits[0], bits[1], bits[2]];
  if (previousTarget * 3 >= totalActive * 2) {
    state.current_justified_checkpoint = Checkpoint.toViewDU({
      epoch: previousEpoch,
      root: getBlockRoot(ctx, state, previousEpoch),
    });
    newBits[1] = true;
  }
  if (currentTarget * 3 >= totalActive * 2) {
    state.current_justified_checkpoint = Checkpoint.toViewDU({
      epoch: currentEpoch,
      root: getBlockRoot(ctx, state, currentEpoch),
    });
    newBits[0] = true;
  }
  for (let i = 0; i < newBits.length; i++) state.justification_bits.set(i, newBits[i]);

  // The 2nd/3rd/4th most recent epochs are justified, the 2nd using the 4th as source
  if (newBits[1] && newBits[2] && newBits[3] && oldPreviousJustified.epoch + 3 === currentEpoch) {
    state.finalized_checkpoint = Checkpoint.toViewDU(oldPreviousJustified);
  }
  // The 2nd/3rd most recent epochs are justified, the 2nd using the 3rd as source
  if (newBits[1] && newBits[2] && oldPreviousJustified.epoch + 2 === currentEpoch) {
    state.finalized_checkpoint = Checkpoint.toViewDU(oldPreviousJustified);
  }
  // The 1st/2nd/3rd most recent epochs are justified, the 1st using the 3rd as source
  if (newBits[0] && newBits[1] && newBits[2] && oldCurrentJustified.epoch + 2 === currentEpoch) {
    state.finalized_checkpoint = Checkpoint.toViewDU(oldCurrentJustified);
  }
  // The 1st/2nd most recent epochs are justified, the 1st using the 2nd as source
  if (newBits[0] && newBits[1] && oldCurrentJustified.epoch + 1 === currentEpoch) {
    state.finalized_checkpoint = Checkpoint.toViewDU(oldCurrentJustified);
  }
}
