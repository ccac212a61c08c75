import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { BlockError, BlockErrorCode } from "../errors/index.ts";
import type { AttestationData, AttesterSlashing } from "../types/index.ts";
import { AttestationData as AttestationDataType } from "../types/sszTypes.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { isSlashableValidator } from "../util/validator.ts";
import { assertValidIndexedAttestation } from "./isValidIndexedAttestation.ts";
import { slashValidator } from "./slashValidator.ts";
import type { BlockProcessingContext } from "./types.ts";

/** `is_slashable_attestation_data`: a double vote or a surround vote. */
export function isSlashableAttestationData(data1: AttestationData, data2: AttestationData): boolean {
  const doubleVote = !AttestationDataType.equals(data1, data2) && data1.target.epoch === data2.target.epoch;
  const surroundVote = data1.source.epoch < data2.source.epoch && data2.target.epoch < data1.target.epoch;
  return doubleVote || surroundVote;
}

export function processAttesterSlashing(
  cs: CachedBeaconState,
  slashing: AttesterSlashing,
  bctx: BlockProcessingContext,
): void {
  const { state, ctx } = cs;
  const { attestation_1: a1, attestation_2: a2 } = slashing;
  if (!isSlashableAttestationData(a1.data, a2.data)) {
    throw new BlockError(
      BlockErrorCode.ATTESTER_SLASHING_NOT_SLASHABLE_DATA,
      "neither a double nor a surround vote",
      {},
    );
  }
  assertValidIndexedAttestation(cs, a1, bctx);
  assertValidIndexedAttestation(cs, a2, bctx);
  const second = new Set(a2.attesting_indices);
  const epoch = computeEpochAtSlot(ctx, state.slot);
  let slashedAny = false;
  // a1's indices are strictly increasing, so the intersection is already sorted
  for (const index of a1.attesting_indices) {
    if (second.has(index) && isSlashableValidator(state.validators.getReadonly(index), epoch)) {
      slashValidator(cs, index);
      slashedAny = true;
    }
  }
  if (!slashedAny) {
    throw new BlockError(
      BlockErrorCode.ATTESTER_SLASHING_NONE_SLASHED,
      "no slashable validator in the intersection",
      {},
    );
  }
}
