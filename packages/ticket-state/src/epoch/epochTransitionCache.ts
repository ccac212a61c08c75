import { getNodesAtDepth, type Node, zeroHash } from "@chainsafe/persistent-merkle-tree";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { PreparedShuffling } from "../cache/epochContext.ts";
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
  /** The shuffle of `currentEpoch + 2`, started by `processEpoch` and joined by the rotation. */
  preparedNextShuffling: PreparedShuffling | null;
  /**
   * Effective balance increments of the validators active at `currentEpoch + 1` (the rotation's
   * total active balance), kept up to date by `processEffectiveBalanceUpdates`.
   */
  nextEpochActiveIncrements: number;
  /** Effective balance increments after `process_effective_balance_updates`; null before it. */
  nextEffectiveBalanceIncrements: Uint16Array | null;
  /** Working balances, read from the state on first use (`getWorkingBalances`). */
  balances: number[] | null;
  /** Working inactivity scores, read from the state on first use (`getWorkingInactivityScores`). */
  inactivityScores: number[] | null;
  /** Every inactivity score is 0 and `processInactivityUpdates` left them so: nobody reads them. */
  inactivityScoresAllZero: boolean;
  balancesChanged: boolean;
  inactivityScoresChanged: boolean;
}

export function hasFlag(flags: number, flagIndex: number): boolean {
  return (flags & (1 << flagIndex)) !== 0;
}

/** uint64 elements per 32-byte chunk, and 32-bit words per element. */
const UINT64_PER_CHUNK = 4;
const TWO_POW_32 = 2 ** 32;

interface Uint64ListView {
  commit(): void;
  readonly length: number;
  readonly node: Node;
  readonly type: { readonly chunkDepth: number; tree_getChunksNode(node: Node): Node };
}

/**
 * Every element of a `List[uint64]` view as numbers, read straight from its leaf chunks (each
 * leaf keeps its 32 bytes as eight 32-bit words): one walk of the tree, no per-element calls and
 * no intermediate bytes. Same values as `getAll()` of a UintNum64 list: `low + high * 2^32`,
 * inexact above 2^53 as there.
 */
export function readUint64List(list: Uint64ListView): number[] {
  list.commit();
  const n = list.length;
  const out = new Array<number>(n);
  const chunkCount = Math.ceil(n / UINT64_PER_CHUNK);
  const chunks = getNodesAtDepth(list.type.tree_getChunksNode(list.node), list.type.chunkDepth, 0, chunkCount);
  const full = Math.floor(n / UINT64_PER_CHUNK);
  for (let c = 0; c < full; c++) {
    const leaf = chunks[c];
    const i = c * UINT64_PER_CHUNK;
    out[i] = (leaf.h0 >>> 0) + (leaf.h1 >>> 0) * TWO_POW_32;
    out[i + 1] = (leaf.h2 >>> 0) + (leaf.h3 >>> 0) * TWO_POW_32;
    out[i + 2] = (leaf.h4 >>> 0) + (leaf.h5 >>> 0) * TWO_POW_32;
    out[i + 3] = (leaf.h6 >>> 0) + (leaf.h7 >>> 0) * TWO_POW_32;
  }
  if (full < chunkCount) {
    const leaf = chunks[full];
    const words = [leaf.h0, leaf.h1, leaf.h2, leaf.h3, leaf.h4, leaf.h5, leaf.h6, leaf.h7];
    for (let i = full * UINT64_PER_CHUNK, w = 0; i < n; i++, w += 2) {
      out[i] = (words[w] >>> 0) + (words[w + 1] >>> 0) * TWO_POW_32;
    }
  }
  return out;
}

/**
 * Whether every element of a `List[uint64]` view is 0, from its chunks' root alone (the root of
 * all-zero chunks is the zero hash of their depth): no element is read. The root is the one the
 * state's root needs anyway, usually cached already by the last `process_slot`.
 */
export function isUint64ListAllZero(list: Uint64ListView): boolean {
  list.commit();
  const root = list.type.tree_getChunksNode(list.node).root;
  const zero = zeroHash(list.type.chunkDepth);
  for (let i = 0; i < root.length; i++) if (root[i] !== zero[i]) return false;
  return true;
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
  const nextEpoch = currentEpoch + 1;
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
  let nextEpochActiveIncrements = 0;
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
    if (activationEpoch <= nextEpoch && nextEpoch < exitEpoch) nextEpochActiveIncrements += increments[i];
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
    nextShufflingActiveIndices: nextActiveCount === n ? nextActive : nextActive.slice(0, nextActiveCount),
    preparedNextShuffling: null,
    nextEpochActiveIncrements,
    nextEffectiveBalanceIncrements: null,
    balances: null,
    inactivityScores: null,
    inactivityScoresAllZero: false,
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
