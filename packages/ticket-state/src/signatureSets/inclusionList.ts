import type { SignatureSet } from "../bls/signatureSet.ts";
import { computeSigningRoot } from "../bls/signingRoot.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_INCLUSION_LIST } from "../params/constants.ts";
import type { SignedInclusionList } from "../types/index.ts";
import { getDomain } from "../util/domain.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";

/** An inclusion list is signed by the beacon proposer of its slot, under DOMAIN_INCLUSION_LIST at that slot's epoch. */
export function getInclusionListSignatureSet(cs: CachedBeaconState, signed: SignedInclusionList): SignatureSet {
  const list = signed.message;
  const domain = getDomain(cs, DOMAIN_INCLUSION_LIST, computeEpochAtSlot(cs.ctx, list.slot));
  return {
    kind: "inclusion_list",
    type: "single",
    pubkey: cs.caches.pubkeys.index2pubkey[list.proposer_index],
    signingRoot: computeSigningRoot(cs.ctx.ssz.InclusionList, list, domain),
    signature: signed.signature,
  };
}
