import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { BlockError, BlockErrorCode } from "../errors/index.ts";
import { getBlockHeaderSignatureSet } from "../signatureSets/index.ts";
import type { ProposerSlashing } from "../types/index.ts";
import { BeaconBlockHeader } from "../types/sszTypes.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { isSlashableValidator } from "../util/validator.ts";
import { slashValidator } from "./slashValidator.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

export function processProposerSlashing(
  cs: CachedBeaconState,
  slashing: ProposerSlashing,
  bctx: BlockProcessingContext,
): void {
  const { state, ctx } = cs;
  const header1 = slashing.signed_header_1.message;
  const header2 = slashing.signed_header_2.message;
  if (header1.slot !== header2.slot) {
    throw new BlockError(BlockErrorCode.PROPOSER_SLASHING_SLOT_MISMATCH, "headers are for different slots", {
      slot1: header1.slot,
      slot2: header2.slot,
    });
  }
  if (header1.proposer_index !== header2.proposer_index) {
    throw new BlockError(BlockErrorCode.PROPOSER_SLASHING_PROPOSER_MISMATCH, "headers have different proposers", {
      proposer1: header1.proposer_index,
      proposer2: header2.proposer_index,
    });
  }
  if (BeaconBlockHeader.equals(header1, header2)) {
    throw new BlockError(BlockErrorCode.PROPOSER_SLASHING_SAME_HEADER, "headers are identical", {});
  }
  const index = header1.proposer_index;
  if (index >= state.validators.length) {
    throw new BlockError(BlockErrorCode.UNKNOWN_VALIDATOR, "unknown proposer", { index });
  }
  if (!isSlashableValidator(state.validators.getReadonly(index), computeEpochAtSlot(ctx, state.slot))) {
    throw new BlockError(BlockErrorCode.PROPOSER_NOT_SLASHABLE, "proposer is not slashable", { index });
  }
  collectSignatureSet(bctx, () => getBlockHeaderSignatureSet(cs, slashing.signed_header_1));
  collectSignatureSet(bctx, () => getBlockHeaderSignatureSet(cs, slashing.signed_header_2));
  slashValidator(cs, index);
}
