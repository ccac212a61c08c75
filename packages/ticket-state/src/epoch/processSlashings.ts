import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { type EpochTransitionCache, getWorkingBalances } from "./epochTransitionCache.ts";

/**
 * `process_slashings` (Bellatrix multiplier): the correlation penalty, half-way to withdrawability.
 * The validators it charges were listed by `beforeProcessEpoch` (slashed, withdrawable at
 * current epoch + EPOCHS_PER_SLASHINGS_VECTOR / 2).
 */
export function processSlashings(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  if (cache.indicesToSlash.length === 0) return;
  const { PROPORTIONAL_SLASHING_MULTIPLIER, EFFECTIVE_BALANCE_INCREMENT } = cs.ctx.preset;
  const totalBalance = cache.totalActiveIncrements * EFFECTIVE_BALANCE_INCREMENT;
  let totalSlashings = 0;
  for (const amount of cs.state.slashings.getAll()) totalSlashings += amount;
  const adjustedTotal = Math.min(totalSlashings * PROPORTIONAL_SLASHING_MULTIPLIER, totalBalance);
  const balances = getWorkingBalances(cs, cache);
  for (const i of cache.indicesToSlash) {
    const increments = Math.floor(cache.effectiveBalances[i] / EFFECTIVE_BALANCE_INCREMENT);
    const penaltyNumerator = BigInt(increments) * BigInt(adjustedTotal);
    const penalty = Number(penaltyNumerator / BigInt(totalBalance)) * EFFECTIVE_BALANCE_INCREMENT;
    balances[i] = penalty > balances[i] ? 0 : balances[i] - penalty;
    cache.balancesChanged = true;
  }
}
