import type { SignatureSet } from "../bls/signatureSet.ts";

/**
 * Per-block processing context. Rules push the signature sets they need into `signatureSets`;
 * the caller verifies them in one batch. `null` skips signatures (vectors, replays of trusted blocks).
 */
export interface BlockProcessingContext {
  signatureSets: SignatureSet[] | null;
}

export function collectSignatureSet(bctx: BlockProcessingContext, make: () => SignatureSet): void {
  if (bctx.signatureSets !== null) bctx.signatureSets.push(make());
}
