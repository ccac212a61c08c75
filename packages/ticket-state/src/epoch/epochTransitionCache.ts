import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import {
  GENESIS_EPOCH,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_SOURCE_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
} from "../params/constants.ts";
import type { Validator } from "../types/index.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { readAllValues } from "../util/readAll.ts";
import { isActiveValidator } from "../util/validator.ts";

/**
 * One read of the registry for the whole epoch transition (the spec re-scans it in every
 * sub-step): flat arrays of what the sub-steps need, and the working balances they all update.
 * `flushEpochTransitionCache` writes balances and inactivity scores back to the state once.
 */
export interface EpochTransitionCache {
  currentEpoch: number;
  previousEpoch: number;
  validators: Validator[];
  /** Eligible for rewards/penalties: active in the previous epoch, or slashed and not yet withdrawable. */
  isEligible: Uint8Array;
  isActiveCurrent: Uint8Array;
  previousParticipation: Uint8Array;
  currentParticipation: Uint8Array;
  /** Unslashed participating effective balance, in increments, per flag in the previous epoch. */
  previousFlagIncrements: [number, number, number];
  currentTargetIncrements: number;
  totalActiveIncrements: number;
  balances: number[];
  inactivityScores: number[];
  balancesChanged: boolean;
  inactivityScoresChanged: boolean;
}

export function hasFlag(flags: number, flagIndex: number): boolean {
  return (flags & (1 << flagIndex)) !== 0;
}

export function beforeProcessEpoch(cs: CachedBeaconState): EpochTransitionCache {
  const { state, ctx, epochCtx } = cs;
  const currentEpoch = computeEpochAtSlot(ctx, state.slot);
  const previousEpoch = currentEpoch === GENESIS_EPOCH ? GENESIS_EPOCH : currentEpoch - 1;
  const validators = readAllValues(state.validators);
  const n = validators.length;
  // One byte per validator: the SSZ serialization is the flag array itself, far cheaper than getAll()
  const previousParticipation = state.previous_epoch_participation.serialize();
  const currentParticipation = state.current_epoch_participation.serialize();
  const isEligible = new Uint8Array(n);
  const isActiveCurrent = new Uint8Array(n);
  const previousFlagIncrements: [number, number, number] = [0, 0, 0];
  let currentTargetIncrements = 0;
  let totalActiveIncrements = 0;
  const increments = epochCtx.effectiveBalanceIncrements;
  for (let i = 0; i < n; i++) {
    const v = validators[i];
    const activePrevious = isActiveValidator(v, previousEpoch);
    const activeCurrent = isActiveValidator(v, currentEpoch);
    isActiveCurrent[i] = activeCurrent ? 1 : 0;
    isEligible[i] = activePrevious || (v.slashed && previousEpoch + 1 < v.withdrawable_epoch) ? 1 : 0;
    if (activeCurrent) totalActiveIncrements += increments[i];
    if (v.slashed) continue;
    if (activePrevious) {
      const flags = previousParticipation[i];
      if (hasFlag(flags, TIMELY_SOURCE_FLAG_INDEX)) previousFlagIncrements[TIMELY_SOURCE_FLAG_INDEX] += increments[i];
      if (hasFlag(flags, TIMELY_TARGET_FLAG_INDEX)) previousFlagIncrements[TIMELY_TARGET_FLAG_INDEX] += increments[i];
      if (hasFlag(flags, TIMELY_HEAD_FLAG_INDEX)) previousFlagIncrements[TIMELY_HEAD_FLAG_INDEX] += increments[i];
    }
    if (activeCurrent && hasFlag(currentParticipation[i], TIMELY_TARGET_FLAG_INDEX)) {
      currentTargetIncrements += increments[i];
    }
  }
  return {
    currentEpoch,
    previousEpoch,
    validators,
    isEligible,
    isActiveCurrent,
    previousParticipation,
    currentParticipation,
    previousFlagIncrements,
    currentTargetIncrements,
    totalActiveIncrements: Math.max(1, totalActiveIncrements),
    balances: state.balances.getAll(),
    inactivityScores: state.inactivity_scores.getAll(),
    balancesChanged: false,
    inactivityScoresChanged: false,
  };
}

export function flushEpochTransitionCache(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  const { state, ctx } = cs;
  if (cache.balancesChanged) {
    state.balances = ctx.ssz.BeaconState.fields.balances.toViewDU(cache.balances);
    cache.balancesChanged = false;
  }
  if (cache.inactivityScoresChanged) {
    state.inactivity_scores = ctx.ssz.BeaconState.fields.inactivity_scores.toViewDU(cache.inactivityScores);
    cache.inactivityScoresChanged = false;
  }
}
