import type { SecretKey } from "@chainsafe/blst";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_INCLUSION_LIST } from "../params/constants.ts";
import type { SignedInclusionList } from "../types/index.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { signObject } from "./signObject.ts";

/**
 * The beacon proposer of `pre.state.slot` lists transactions for that slot's payload: candidates in
 * the order given (a mempool's order), skipping empty ones and duplicates, while the count and the
 * byte bound allow, then signs the list under DOMAIN_INCLUSION_LIST.
 */
export function buildInclusionList(
  pre: CachedBeaconState,
  candidates: Iterable<Uint8Array>,
  signer: SecretKey,
): SignedInclusionList {
  const { ctx, state } = pre;
  const { MAX_TRANSACTIONS_PER_INCLUSION_LIST, MAX_BYTES_PER_INCLUSION_LIST } = ctx.preset;
  const transactions: Uint8Array[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const tx of candidates) {
    if (transactions.length >= MAX_TRANSACTIONS_PER_INCLUSION_LIST) break;
    if (tx.length === 0 || bytes + tx.length > MAX_BYTES_PER_INCLUSION_LIST) continue;
    const key = Buffer.from(tx).toString("hex");
    if (seen.has(key)) continue;
    seen.add(key);
    transactions.push(tx);
    bytes += tx.length;
  }
  const message = { slot: state.slot, proposer_index: pre.epochCtx.getBeaconProposer(state.slot), transactions };
  const epoch = computeEpochAtSlot(ctx, state.slot);
  return { message, signature: signObject(pre, signer, ctx.ssz.InclusionList, message, DOMAIN_INCLUSION_LIST, epoch) };
}
