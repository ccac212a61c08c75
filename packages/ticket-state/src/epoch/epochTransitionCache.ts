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

/**
 * One read of the registry for the whole epoch transition (the spec re-scans it in every
 * sub-step): flat arrays of what the sub-steps need, and the working balances they all update.
 * Each validator object is touched once, here; the sub-steps walk typed arrays.
 * `flushEpochTransitionCache` writes balances and inactivity scores back to the state once.
 */
export interface EpochTransitionCache {
  currentEpoch: number;
  previousEpoch: number;
  validators: Validator[];
  /** Eligible for rewards/penalties: active in the previous epoch, or slashed and not yet withdrawable. */
  isEligible: Uint8Array;
  isActiveCurrent: Uint8Array;
  isSlashed: Uint8Array;
  /** Every validator's effective balance (Gwei) at the start of the transition. */
  effectiveBalances: Float64Array;
  previousParticipation: Uint8Array;
  currentParticipation: Uint8Array;
  /** Unslashed participating effective balance, in increments, per flag in the previous epoch. */
  previousFlagIncrements: [number, number, number];
  currentTargetIncrements: number;
  totalActiveIncrements: number;
  /** Active in the current epoch with an effective balance at or below EJECTION_BALANCE. */
  indicesToEject: number[];
  /** Slashed and half-way to withdrawability: `process_slashings` charges these. */
  indicesToSlash: number[];
  /**
   * Validators active at `currentEpoch + 2`, the epoch whose shuffling the rotation computes; null
   * once this transition has changed an exit epoch (the rotation then reads the registry again).
   */
  nextShufflingActiveIndices: Uint32Array | null;
  /** Effective balance increments after `process_effective_balance_updates`; null before it. */
  nextEffectiveBalanceIncrements: Uint16Array | null;
  /** Working balances, read from the state on first use (`getWorkingBalances`). */
  balances: number[] | null;
  /** Working inactivity scores, read from the state on first use (`getWorkingInactivityScores`). */
  inactivityScores: number[] | null;
  balancesChanged: boolean;
  inactivityScoresChanged: boolean;
}

export function hasFlag(flags: number, flagIndex: number): boolean {
  return (flags & (1 << flagIndex)) !== 0;
}

/** Bytes per element of a `List[uint64]` serialization. */
const UINT64_BYTES = 8;
const TWO_POW_32 = 2 ** 32;

/**
 * Every element of a `List[uint64]` view as numbers, decoded from its serialization (one pass over
 * the leaves; several times cheaper than `getAll()`'s per-element reads). Same values as `getAll()`
 * of a UintNum64 list: `low + high * 2^32`, inexact above 2^53 as there.
 */
function readUint64List(list: { commit(): void; serialize(): Uint8Array }): number[] {
  list.commit();
  const bytes = list.serialize();
  const n = bytes.length / UINT64_BYTES;
  const out = new Array<number>(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < n; i++) {
    out[i] = view.getUint32(i * UINT64_BYTES, true) + view.getUint32(i * UINT64_BYTES + 4, true) * TWO_POW_32;
  }
  return out;
}

/** The working balances of this transition, read from the state the first time a sub-step needs them. */
export function getWorkingBalances(cs: CachedBeaconState, cache: EpochTransitionCache): number[] {
  cache.balances ??= readUint64List(cs.state.balances);
  return cache.balances;
}

/** The working inactivity scores, read from the state the first time a sub-step needs them. */
export function getWorkingInactivityScores(cs: CachedBeaconState, cache: EpochTransitionCache): number[] {
  cache.inactivityScores ??= readUint64List(cs.state.inactivity_scores);
  return cache.inactivityScores;
}

export function beforeProcessEpoch(cs: CachedBeaconState): EpochTransitionCache {
  const { state, ctx, epochCtx } = cs;
  const { EPOCHS_PER_SLASHINGS_VECTOR } = ctx.preset;
  const ejectionBalance = ctx.config.EJECTION_BALANCE;
  const currentEpoch = computeEpochAtSlot(ctx, state.slot);
  const previousEpoch = currentEpoch === GENESIS_EPOCH ? GENESIS_EPOCH : currentEpoch - 1;
  const nextShufflingEpoch = currentEpoch + 2;
  const slashingTargetWithdrawableEpoch = currentEpoch + Math.floor(EPOCHS_PER_SLASHINGS_VECTOR / 2);
  const validators = readAllValues(state.validators);
  const n = validators.length;
  // One byte per validator: the SSZ serialization is the flag array itself, far cheaper than getAll()
  const previousParticipation = state.previous_epoch_participation.serialize();
  const currentParticipation = state.current_epoch_participation.serialize();
  const isEligible = new Uint8Array(n);
  const isActiveCurrent = new Uint8Array(n);
  const isSlashed = new Uint8Array(n);
  const effectiveBalances = new Float64Array(n);
  const nextActive = new Uint32Array(n);
  let nextActiveCount = 0;
  const indicesToEject: number[] = [];
  const indicesToSlash: number[] = [];
  const previousFlagIncrements: [number, number, number] = [0, 0, 0];
  let currentTargetIncrements = 0;
  let totalActiveIncrements = 0;
  const increments = epochCtx.effectiveBalanceIncrements;
  for (let i = 0; i < n; i++) {
    const v = validators[i];
    const activationEpoch = v.activation_epoch;
    const exitEpoch = v.exit_epoch;
    const slashed = v.slashed;
    const effectiveBalance = v.effective_balance;
    effectiveBalances[i] = effectiveBalance;
    const activePrevious = activationEpoch <= previousEpoch && previousEpoch < exitEpoch;
    const activeCurrent = activationEpoch <= currentEpoch && currentEpoch < exitEpoch;
    if (activationEpoch <= nextShufflingEpoch && nextShufflingEpoch < exitEpoch) nextActive[nextActiveCount++] = i;
    if (activeCurrent) {
      isActiveCurrent[i] = 1;
      totalActiveIncrements += increments[i];
      if (effectiveBalance <= ejectionBalance) indicesToEject.push(i);
    }
    if (slashed) {
      isSlashed[i] = 1;
      const withdrawableEpoch = v.withdrawable_epoch;
      if (activePrevious || previousEpoch + 1 < withdrawableEpoch) isEligible[i] = 1;
      if (withdrawableEpoch === slashingTargetWithdrawableEpoch) indicesToSlash.push(i);
      continue;
    }
    if (activePrevious) {
      isEligible[i] = 1;
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
    isSlashed,
    effectiveBalances,
    previousParticipation,
    currentParticipation,
    previousFlagIncrements,
    currentTargetIncrements,
    totalActiveIncrements: Math.max(1, totalActiveIncrements),
    indicesToEject,
    indicesToSlash,
    nextShufflingActiveIndices: nextActive.slice(0, nextActiveCount),
    nextEffectiveBalanceIncrements: null,
    balances: null,
    inactivityScores: null,
    balancesChanged: false,
    inactivityScoresChanged: false,
  };
}

export function flushEpochTransitionCache(cs: CachedBeaconState, cache: EpochTransitionCache): void {
  const { state, ctx } = cs;
  if (cache.balancesChanged && cache.balances !== null) {
    state.balances = ctx.ssz.BeaconState.fields.balances.toViewDU(cache.balances);
    cache.balancesChanged = false;
  }
  if (cache.inactivityScoresChanged && cache.inactivityScores !== null) {
    state.inactivity_scores = ctx.ssz.BeaconState.fields.inactivity_scores.toViewDU(cache.inactivityScores);
    cache.inactivityScoresChanged = false;
  }
}
