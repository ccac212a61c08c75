import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { EpochTransitionCache } from "./epochTransitionCache.ts";

/** `process_slashings` (Bellatrix multiplier): the correlation penalty, half-way to withdrawability. */
export function processSlashings(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  const { EPOCHS_PER_SLASHINGS_VECTOR, PROPORTIONAL_SLASHING_MULTIPLIER, EFFECTIVE_BALANCE_INCREMENT } = cs.ctx.preset;
  const targetWithdrawableEpoch = cache.currentEpoch + Math.floor(EPOCHS_PER_SLASHINGS_VECTOR / 2);
  const totalBalance = cache.totalActiveIncrements * EFFECTIVE_BALANCE_INCREMENT;
  let totalSlashings = 0;
  for (const amount of cs.state.slashings.getAll()) totalSlashings += amount;
  const adjustedTotal = Math.min(totalSlashings * PROPORTIONAL_SLASHING_MULTIPLIER, totalBalance);
  for (let i = 0; i < cache.validators.length; i++) {
    const v = cache.validators[i];
    if (!v.slashed || v.withdrawable_epoch !== targetWithdrawableEpoch) continue;
    const increments = Math.floor(v.effective_balance / EFFECTIVE_BALANCE_INCREMENT);
    const penaltyNumerator = BigInt(increments) * BigInt(adjustedTotal);
    const penalty = Number(penaltyNumerator / BigInt(totalBalance)) * EFFECTIVE_BALANCE_INCREMENT;
    cache.balances[i] = penalty > cache.balances[i] ? 0 : cache.balances[i] - penalty;
    cache.balancesChanged = true;
  }
}
