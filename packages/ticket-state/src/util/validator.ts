import type { Validator } from "../types/index.ts";

type ValidatorEpochs = Pick<Validator, "activation_epoch" | "exit_epoch">;

export function isActiveValidator(v: ValidatorEpochs, epoch: number): boolean {
  return v.activation_epoch <= epoch && epoch < v.exit_epoch;
}

export function isSlashableValidator(
  v: Pick<Validator, "slashed" | "activation_epoch" | "withdrawable_epoch">,
  epoch: number,
): boolean {
  return !v.slashed && v.activation_epoch <= epoch && epoch < v.withdrawable_epoch;
}
