import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { BlockError, BlockErrorCode } from "../errors/index.ts";
import { FAR_FUTURE_EPOCH } from "../params/constants.ts";
import { getVoluntaryExitSignatureSet } from "../signatureSets/index.ts";
import type { SignedVoluntaryExit } from "../types/index.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { isActiveValidator } from "../util/validator.ts";
import { initiateValidatorExit } from "./initiateValidatorExit.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

export function processVoluntaryExit(
  cs: CachedBeaconState,
  signed: SignedVoluntaryExit,
  bctx: BlockProcessingContext,
): void {
  const { state, ctx } = cs;
  const exit = signed.message;
  const currentEpoch = computeEpochAtSlot(ctx, state.slot);
  if (exit.validator_index >= state.validators.length) {
    throw new BlockError(BlockErrorCode.UNKNOWN_VALIDATOR, "unknown validator", { index: exit.validator_index });
  }
  const validator = state.validators.getReadonly(exit.validator_index);
  if (!isActiveValidator(validator, currentEpoch)) {
    throw new BlockError(BlockErrorCode.EXIT_NOT_ACTIVE, "validator is not active", { index: exit.validator_index });
  }
  if (validator.exit_epoch !== FAR_FUTURE_EPOCH) {
    throw new BlockError(BlockErrorCode.EXIT_ALREADY_EXITING, "validator is already exiting", {
      index: exit.validator_index,
      exitEpoch: validator.exit_epoch,
    });
  }
  if (currentEpoch < exit.epoch) {
    throw new BlockError(BlockErrorCode.EXIT_NOT_YET_VALID, "exit is for a future epoch", {
      exitEpoch: exit.epoch,
      currentEpoch,
    });
  }
  if (currentEpoch < validator.activation_epoch + ctx.config.SHARD_COMMITTEE_PERIOD) {
    throw new BlockError(BlockErrorCode.EXIT_TOO_YOUNG, "validator has not been active long enough", {
      activationEpoch: validator.activation_epoch,
      currentEpoch,
    });
  }
  collectSignatureSet(bctx, () => getVoluntaryExitSignatureSet(cs, signed));
  initiateValidatorExit(cs, exit.validator_index);
}
