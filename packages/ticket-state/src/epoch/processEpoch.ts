import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { beforeProcessEpoch, type EpochTransitionCache, flushEpochTransitionCache } from "./epochTransitionCache.ts";
import { processEffectiveBalanceUpdates } from "./processEffectiveBalanceUpdates.ts";
import { processInactivityUpdates } from "./processInactivityUpdates.ts";
import { processJustificationAndFinalization } from "./processJustificationAndFinalization.ts";
import { processRegistryUpdates } from "./processRegistryUpdates.ts";
import { processParticipationFlagUpdates, processRandaoMixesReset, processSlashingsReset } from "./processResets.ts";
import { processRewardsAndPenalties } from "./processRewardsAndPenalties.ts";
import { processSlashings } from "./processSlashings.ts";
import { processTicketExpiry } from "./processTicketExpiry.ts";
import { processTicketRevenue } from "./processTicketRevenue.ts";
import { processValidatorTicketGrants } from "./processValidatorTicketGrants.ts";

/**
 * `process_epoch`, run at the last slot of an epoch. Returns the transition cache, which the
 * epoch-cache rotation (`EpochContext.afterProcessEpoch`) reuses instead of re-reading the registry
 * and from which it joins the shuffle this starts.
 */
export function processEpoch(cs: CachedBeaconState): EpochTransitionCache {
  const cache = beforeProcessEpoch(cs);
  // The epoch after next is shuffled (off-thread for a large registry) while the rules below run
  if (cache.nextShufflingActiveIndices !== null) {
    cache.preparedNextShuffling = cs.epochCtx.prepareNextShuffling(
      cs.state,
      cache.currentEpoch + 2,
      cache.nextShufflingActiveIndices,
    );
  }
  processJustificationAndFinalization(cs, cache);
  processInactivityUpdates(cs, cache);
  processRewardsAndPenalties(cs, cache);
  processRegistryUpdates(cs, cache);
  processSlashings(cs, cache);
  processTicketExpiry(cs);
  processTicketRevenue(cs, cache);
  processValidatorTicketGrants(cs, cache);
  flushEpochTransitionCache(cs, cache);
  processEffectiveBalanceUpdates(cs, cache);
  processSlashingsReset(cs);
  processRandaoMixesReset(cs);
  processParticipationFlagUpdates(cs);
  return cache;
}
