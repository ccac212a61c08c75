import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";

/** `is_in_inactivity_leak`: finality has lagged more than MIN_EPOCHS_TO_INACTIVITY_PENALTY epochs. */
export function isInInactivityLeak(cs: CachedBeaconState, previousEpoch: number): boolean {
  return previousEpoch - cs.state.finalized_checkpoint.epoch > cs.ctx.preset.MIN_EPOCHS_TO_INACTIVITY_PENALTY;
}
