import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { Checkpoint } from "../types/index.ts";
import { beforeProcessEpoch } from "./epochTransitionCache.ts";
import { processJustificationAndFinalization } from "./processJustificationAndFinalization.ts";

/**
 * The justified and finalized checkpoints the state would have if its epoch ended now
 * (`compute_pulled_up_tip` in fork choice): justification counted from the votes already in
 * the state. Works on a clone; `cs` is unchanged.
 */
export function computeUnrealizedCheckpoints(cs: CachedBeaconState): { justified: Checkpoint; finalized: Checkpoint } {
  const copy = cs.clone();
  processJustificationAndFinalization(copy, beforeProcessEpoch(copy));
  return {
    justified: copy.state.current_justified_checkpoint.toValue(),
    finalized: copy.state.finalized_checkpoint.toValue(),
  };
}
