import { type CachedBeaconState, computeEpochAtSlot, FAR_FUTURE_EPOCH } from "@turnstile/ticket-state";

/** The state the pools judge their operations against (the head's, or a block's parent). */
export type RegistryView = Pick<CachedBeaconState, "state" | "ctx">;

/**
 * Whether a pooled exit can still apply: its validator is active and not exiting (a block
 * included the exit, or a slashing exited the validator, once this turns false).
 */
export function stillExitable(view: RegistryView, index: number): boolean {
  const { validators, slot } = view.state;
  if (index >= validators.length) return false;
  const v = validators.getReadonly(index);
  const epoch = computeEpochAtSlot(view.ctx, slot);
  return v.activation_epoch <= epoch && epoch < v.exit_epoch && v.exit_epoch === FAR_FUTURE_EPOCH;
}

/** `is_slashable_validator` at the state's epoch: not slashed, activated and not yet withdrawable. */
export function stillSlashable(view: RegistryView, index: number): boolean {
  const { validators, slot } = view.state;
  if (index >= validators.length) return false;
  const v = validators.getReadonly(index);
  const epoch = computeEpochAtSlot(view.ctx, slot);
  return !v.slashed && v.activation_epoch <= epoch && epoch < v.withdrawable_epoch;
}
