import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { GENESIS_EPOCH, TIMELY_TARGET_FLAG_INDEX } from "../params/constants.ts";
import { type EpochTransitionCache, getWorkingBalances, hasFlag } from "./epochTransitionCache.ts";

/**
 * `process_ticket_revenue`: the epoch's ticket revenue leaves the market. With
 * TICKET_REVENUE_SINK = burn it is destroyed; with `validators` it is paid to the unslashed
 * validators that earned the timely-target flag in the previous epoch, in proportion to
 * effective balance. Integer remainders (and everything, when nobody qualifies) carry over.
 */
export function processTicketRevenue(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  const { state, ctx, epochCtx } = cs;
  const revenue = state.ticket_revenue;
  if (revenue === 0) return;
  if (ctx.config.TICKET_REVENUE_SINK === "burn") {
    state.ticket_revenue = 0;
    return;
  }
  if (cache.currentEpoch === GENESIS_EPOCH) return;
  const participantIncrements = cache.previousFlagIncrements[TIMELY_TARGET_FLAG_INDEX];
  if (participantIncrements === 0) return;
  const balances = getWorkingBalances(cs, cache);
  let paid = 0;
  for (let i = 0; i < balances.length; i++) {
    if (cache.isEligible[i] === 0 || cache.isSlashed[i] === 1) continue;
    if (!hasFlag(cache.previousParticipation[i], TIMELY_TARGET_FLAG_INDEX)) continue;
    const share = Number(
      (BigInt(revenue) * BigInt(epochCtx.effectiveBalanceIncrements[i])) / BigInt(participantIncrements),
    );
    if (share === 0) continue;
    balances[i] += share;
    paid += share;
  }
  if (paid > 0) cache.balancesChanged = true;
  state.ticket_revenue = revenue - paid;
}
