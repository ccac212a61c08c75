import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { PROPOSER_WEIGHT, WEIGHT_DENOMINATOR } from "../params/constants.ts";
import { decreaseBalance, increaseBalance } from "../util/balance.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { initiateValidatorExit } from "./initiateValidatorExit.ts";

/** `slash_validator` (Bellatrix penalties); the block proposer is also the whistleblower. */
export function slashValidator(cs: CachedBeaconState, slashedIndex: number): void {
  const { state, ctx } = cs;
  const { EPOCHS_PER_SLASHINGS_VECTOR, MIN_SLASHING_PENALTY_QUOTIENT, WHISTLEBLOWER_REWARD_QUOTIENT } = ctx.preset;
  const epoch = computeEpochAtSlot(ctx, state.slot);
  initiateValidatorExit(cs, slashedIndex);
  const validator = state.validators.get(slashedIndex);
  validator.slashed = true;
  validator.withdrawable_epoch = Math.max(validator.withdrawable_epoch, epoch + EPOCHS_PER_SLASHINGS_VECTOR);
  const effectiveBalance = validator.effective_balance;
  const slot = epoch % EPOCHS_PER_SLASHINGS_VECTOR;
  state.slashings.set(slot, state.slashings.get(slot) + effectiveBalance);
  decreaseBalance(state, slashedIndex, Math.floor(effectiveBalance / MIN_SLASHING_PENALTY_QUOTIENT));

  const proposerIndex = cs.epochCtx.getBeaconProposer(state.slot);
  const whistleblowerReward = Math.floor(effectiveBalance / WHISTLEBLOWER_REWARD_QUOTIENT);
  const proposerReward = Math.floor((whistleblowerReward * PROPOSER_WEIGHT) / WEIGHT_DENOMINATOR);
  increaseBalance(state, proposerIndex, proposerReward);
  increaseBalance(state, proposerIndex, whistleblowerReward - proposerReward);
}
