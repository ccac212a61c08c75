import { type SignatureSet, verifySignatureSet } from "../bls/signatureSet.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { InclusionListError, InclusionListErrorCode } from "../errors/index.ts";
import { getInclusionListSignatureSet } from "../signatureSets/inclusionList.ts";
import type { SignedInclusionList } from "../types/index.ts";

/**
 * `validate_inclusion_list`: `cs` is a state at the list's slot (the head advanced to it). The list
 * names that slot and its beacon proposer, each transaction is non-empty, the transactions together
 * stay within `MAX_BYTES_PER_INCLUSION_LIST`, and the proposer signed it (DOMAIN_INCLUSION_LIST).
 * Changes nothing; throws `InclusionListError`.
 *
 * With `verifySignature` false the signature set is returned for the caller to verify (in a batch).
 */
export function validateInclusionList(
  cs: CachedBeaconState,
  signed: SignedInclusionList,
  verifySignature = true,
): SignatureSet {
  const { ctx, state } = cs;
  const list = signed.message;
  if (list.slot !== state.slot) {
    throw new InclusionListError(InclusionListErrorCode.WRONG_SLOT, "inclusion list is not for the state's slot", {
      listSlot: list.slot,
      stateSlot: state.slot,
    });
  }
  const proposer = cs.epochCtx.getBeaconProposer(state.slot);
  if (list.proposer_index !== proposer) {
    throw new InclusionListError(InclusionListErrorCode.WRONG_PROPOSER, "inclusion list not by the slot's proposer", {
      proposerIndex: list.proposer_index,
      expected: proposer,
    });
  }
  let bytes = 0;
  for (let i = 0; i < list.transactions.length; i++) {
    const length = list.transactions[i].length;
    if (length === 0) {
      throw new InclusionListError(
        InclusionListErrorCode.EMPTY_TRANSACTION,
        "inclusion list has an empty transaction",
        {
          index: i,
        },
      );
    }
    bytes += length;
  }
  if (bytes > ctx.preset.MAX_BYTES_PER_INCLUSION_LIST) {
    throw new InclusionListError(InclusionListErrorCode.TOO_MANY_BYTES, "inclusion list transactions too large", {
      bytes,
      limit: ctx.preset.MAX_BYTES_PER_INCLUSION_LIST,
    });
  }
  const set = getInclusionListSignatureSet(cs, signed);
  if (verifySignature && !verifySignatureSet(set)) {
    throw new InclusionListError(InclusionListErrorCode.INVALID_SIGNATURE, "inclusion list signature invalid", {
      slot: list.slot,
      proposerIndex: list.proposer_index,
    });
  }
  return set;
}
