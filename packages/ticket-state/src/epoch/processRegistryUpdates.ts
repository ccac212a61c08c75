import { initiateValidatorExit } from "../block/initiateValidatorExit.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { EpochTransitionCache } from "./epochTransitionCache.ts";

/**
 * `process_registry_updates`: eject validators whose effective balance fell to EJECTION_BALANCE.
 * This chain has no deposits, so no validator ever waits in an activation queue.
 */
export function processRegistryUpdates(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  const ejectionBalance = cs.ctx.config.EJECTION_BALANCE;
  for (let i = 0; i < cache.validators.length; i++) {
    if (cache.isActiveCurrent[i] && cache.validators[i].effective_balance <= ejectionBalance) {
      initiateValidatorExit(cs, i);
    }
  }
}
