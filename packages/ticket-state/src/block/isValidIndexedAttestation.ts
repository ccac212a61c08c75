import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { BlockError, BlockErrorCode } from "../errors/index.ts";
import { getIndexedAttestationSignatureSet } from "../signatureSets/index.ts";
import type { IndexedAttestation } from "../types/index.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/**
 * `is_valid_indexed_attestation`, asserting: indices non-empty, strictly increasing, known;
 * the aggregate signature goes to the batch.
 */
export function assertValidIndexedAttestation(
  cs: CachedBeaconState,
  indexed: IndexedAttestation,
  bctx: BlockProcessingContext,
): void {
  const indices = indexed.attesting_indices;
  const validatorCount = cs.state.validators.length;
  let valid = indices.length > 0;
  for (let i = 0; valid && i < indices.length; i++) {
    if (indices[i] >= validatorCount || (i > 0 && indices[i] <= indices[i - 1])) valid = false;
  }
  if (!valid) {
    throw new BlockError(BlockErrorCode.INVALID_INDEXED_ATTESTATION, "attesting indices empty, unsorted or unknown", {
      count: indices.length,
    });
  }
  collectSignatureSet(bctx, () => getIndexedAttestationSignatureSet(cs, indexed));
}
