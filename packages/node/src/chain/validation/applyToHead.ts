import {
  type BlockProcessingContext,
  type CachedBeaconState,
  type SignatureSet,
  verifySignatureSets,
} from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";

/**
 * Run a block-processing rule on a copy of `state` (the head's, never changed), then verify the
 * signatures it asked for. A rule that fails throws its own typed error (the state transition's
 * code; network/verdict.ts makes it a REJECT); a bad signature is a REJECT here.
 */
export function assertAppliesTo(
  state: CachedBeaconState,
  apply: (scratch: CachedBeaconState, bctx: BlockProcessingContext) => void,
): void {
  const signatureSets: SignatureSet[] = [];
  apply(state.clone(), { signatureSets });
  const invalid = verifySignatureSets(signatureSets);
  if (invalid >= 0) {
    throw new GossipValidationError("REJECT", ChainErrorCode.BAD_SIGNATURE, "invalid signature", {
      kind: signatureSets[invalid].kind,
    });
  }
}
