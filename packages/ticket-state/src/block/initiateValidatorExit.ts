import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { FAR_FUTURE_EPOCH } from "../params/constants.ts";

/** `initiate_validator_exit`: queue the exit, at most `churn_limit` exits per epoch. */
export function initiateValidatorExit(cs: CachedBeaconState, index: number): void {
  const { state, epochCtx } = cs;
  const validator = state.validators.get(index);
  if (validator.exit_epoch !== FAR_FUTURE_EPOCH) return;
  // The epoch cache tracks max(exit epochs, activation_exit_epoch(current)) and its occupancy,
  // which the spec recomputes by scanning the registry.
  if (epochCtx.exitQueueChurn >= epochCtx.churnLimit) {
    epochCtx.exitQueueEpoch += 1;
    epochCtx.exitQueueChurn = 0;
  }
  epochCtx.exitQueueChurn += 1;
  validator.exit_epoch = epochCtx.exitQueueEpoch;
  validator.withdrawable_epoch = epochCtx.exitQueueEpoch + cs.ctx.config.MIN_VALIDATOR_WITHDRAWABILITY_DELAY;
}
