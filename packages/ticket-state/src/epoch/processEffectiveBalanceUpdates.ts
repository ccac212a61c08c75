import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { isActiveValidator } from "../util/validator.ts";
import { type EpochTransitionCache, getWorkingBalances } from "./epochTransitionCache.ts";

/**
 * `process_effective_balance_updates`: follow the balance with hysteresis, capped at MAX_EFFECTIVE_BALANCE.
 * Also leaves the next epoch's effective balance increments in the cache for the rotation (a copy:
 * the current array is shared with clones of the state).
 */
export function processEffectiveBalanceUpdates(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  const {
    EFFECTIVE_BALANCE_INCREMENT,
    HYSTERESIS_QUOTIENT,
    HYSTERESIS_DOWNWARD_MULTIPLIER,
    HYSTERESIS_UPWARD_MULTIPLIER,
    MAX_EFFECTIVE_BALANCE,
  } = cs.ctx.preset;
  const hysteresisIncrement = Math.floor(EFFECTIVE_BALANCE_INCREMENT / HYSTERESIS_QUOTIENT);
  const downward = hysteresisIncrement * HYSTERESIS_DOWNWARD_MULTIPLIER;
  const upward = hysteresisIncrement * HYSTERESIS_UPWARD_MULTIPLIER;
  const balances = getWorkingBalances(cs, cache);
  const nextEpoch = cache.currentEpoch + 1;
  const effectiveBalances = cache.effectiveBalances;
  let increments: Uint16Array | null = null;
  for (let i = 0; i < balances.length; i++) {
    const balance = balances[i];
    const effectiveBalance = effectiveBalances[i];
    if (balance + downward < effectiveBalance || effectiveBalance + upward < balance) {
      const next = Math.min(balance - (balance % EFFECTIVE_BALANCE_INCREMENT), MAX_EFFECTIVE_BALANCE);
      cs.state.validators.get(i).effective_balance = next;
      increments ??= cs.epochCtx.effectiveBalanceIncrements.slice();
      const nextIncrements = Math.floor(next / EFFECTIVE_BALANCE_INCREMENT);
      if (isActiveValidator(cache.validators[i], nextEpoch)) {
        cache.nextEpochActiveIncrements += nextIncrements - increments[i];
      }
      increments[i] = nextIncrements;
    }
  }
  cache.nextEffectiveBalanceIncrements = increments ?? cs.epochCtx.effectiveBalanceIncrements;
}
