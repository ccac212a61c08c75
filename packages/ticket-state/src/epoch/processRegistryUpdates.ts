import { initiateValidatorExit } from "../block/initiateValidatorExit.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { EpochTransitionCache } from "./epochTransitionCache.ts";

/**
 * `process_registry_updates`: eject validators whose effective balance fell to EJECTION_BALANCE
 * (listed by `beforeProcessEpoch`: active now, effective balance at or below it).
 * This chain has no deposits, so no validator ever waits in an activation queue.
 */
export function processRegistryUpdates(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  if (cache.indicesToEject.length === 0) return;
  for (const i of cache.indicesToEject) initiateValidatorExit(cs, i);
  // Exit epochs changed: the rotation reads the next shuffling's active set from the registry again
  cache.nextShufflingActiveIndices = null;
}
