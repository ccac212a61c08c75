import { FAR_FUTURE_EPOCH } from "@turnstile/ticket-state";

/** Beacon-API validator statuses (the spec's ValidatorStatus enum). */
export const VALIDATOR_STATUSES = [
  "pending_initialized",
  "pending_queued",
  "active_ongoing",
  "active_exiting",
  "active_slashed",
  "exited_unslashed",
  "exited_slashed",
  "withdrawal_possible",
  "withdrawal_done",
] as const;
export type ValidatorStatus = (typeof VALIDATOR_STATUSES)[number];

/** The general statuses a filter may name: each stands for the statuses that start with it. */
export const GENERAL_STATUSES = ["pending", "active", "exited", "withdrawal"] as const;

interface ValidatorEpochs {
  activation_eligibility_epoch: number;
  activation_epoch: number;
  exit_epoch: number;
  withdrawable_epoch: number;
  slashed: boolean;
}

/** A validator's status at `epoch`, as the beacon-APIs validator-status table defines it. */
export function validatorStatus(v: ValidatorEpochs, balance: number, epoch: number): ValidatorStatus {
  if (v.activation_epoch > epoch) {
    return v.activation_eligibility_epoch === FAR_FUTURE_EPOCH ? "pending_initialized" : "pending_queued";
  }
  if (epoch < v.exit_epoch) {
    if (v.exit_epoch === FAR_FUTURE_EPOCH) return "active_ongoing";
    return v.slashed ? "active_slashed" : "active_exiting";
  }
  if (epoch < v.withdrawable_epoch) return v.slashed ? "exited_slashed" : "exited_unslashed";
  return balance > 0 ? "withdrawal_possible" : "withdrawal_done";
}

/** Whether `status` passes a filter of exact and general statuses (an empty filter passes all). */
export function statusMatches(status: ValidatorStatus, filter: readonly string[]): boolean {
  return filter.length === 0 || filter.some((f) => f === status || status.startsWith(`${f}_`));
}

export function isKnownStatusFilter(f: string): boolean {
  return (VALIDATOR_STATUSES as readonly string[]).includes(f) || (GENERAL_STATUSES as readonly string[]).includes(f);
}
