import {
  type CachedBeaconState,
  computeEpochAtSlot,
  GENESIS_EPOCH,
  readAllValues,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_SOURCE_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
} from "@turnstile/ticket-state";

/** The previous epoch's votes as a state records them, by effective balance (the beacon-metrics gauges). */
export interface EpochParticipation {
  /** The epoch the figures are about: the state's previous epoch. */
  epoch: number;
  activeGwei: number;
  sourceGwei: number;
  targetGwei: number;
  headGwei: number;
  /** Validators active in the state's current epoch. */
  currentActiveValidators: number;
}

/**
 * Sum the state's `previous_epoch_participation` the way the epoch transition reads it: so far as
 * the state's blocks have included the previous epoch's attestations.
 */
export function previousEpochParticipation(cs: CachedBeaconState): EpochParticipation {
  const { state, ctx, epochCtx } = cs;
  const currentEpoch = computeEpochAtSlot(ctx, state.slot);
  // get_previous_epoch: the genesis epoch is its own previous epoch
  const epoch = currentEpoch === GENESIS_EPOCH ? GENESIS_EPOCH : currentEpoch - 1;
  const validators = readAllValues(state.validators);
  const flags = state.previous_epoch_participation.getAll();
  const increment = ctx.preset.EFFECTIVE_BALANCE_INCREMENT;
  const out = { epoch, activeGwei: 0, sourceGwei: 0, targetGwei: 0, headGwei: 0, currentActiveValidators: 0 };
  const has = (f: number, index: number) => (f & (1 << index)) !== 0;
  for (let i = 0; i < validators.length; i++) {
    const v = validators[i];
    // is_active_validator: activation_epoch <= epoch < exit_epoch
    if (v.activation_epoch <= currentEpoch && currentEpoch < v.exit_epoch) out.currentActiveValidators++;
    if (!(v.activation_epoch <= epoch && epoch < v.exit_epoch)) continue;
    const gwei = epochCtx.effectiveBalanceIncrements[i] * increment;
    out.activeGwei += gwei;
    // get_unslashed_participating_indices: slashed validators' votes do not count
    if (v.slashed) continue;
    if (has(flags[i], TIMELY_SOURCE_FLAG_INDEX)) out.sourceGwei += gwei;
    if (has(flags[i], TIMELY_TARGET_FLAG_INDEX)) out.targetGwei += gwei;
    if (has(flags[i], TIMELY_HEAD_FLAG_INDEX)) out.headGwei += gwei;
  }
  return out;
}
