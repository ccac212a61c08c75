import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { EpochTransitionCache } from "./epochTransitionCache.ts";

/** `process_effective_balance_updates`: follow the balance with hysteresis, capped at MAX_EFFECTIVE_BALANCE. */
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
  for (let i = 0; i < cache.validators.length; i++) {
    const balance = cache.balances[i];
    const effectiveBalance = cache.validators[i].effective_balance;
    if (balance + downward < effectiveBalance || effectiveBalance + upward < balance) {
      const next = Math.min(balance - (balance % EFFECTIVE_BALANCE_INCREMENT), MAX_EFFECTIVE_BALANCE);
      cs.state.validators.get(i).effective_balance = next;
    }
  }
}
