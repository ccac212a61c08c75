import {
  type BuildPayloadArgs,
  type CachedBeaconState,
  computeEpochAtSlot,
  computeTimestampAtSlot,
  DEFAULT_GAS_LIMIT,
  getRandaoMix,
  getTicketAssignment,
  HOLDER_FEE_RECIPIENT,
  isSelfBuild,
  SELF_BUILD_FEE_RECIPIENT,
} from "@turnstile/ticket-state";

/**
 * What `buildCommitment` will ask the engine for `slot` on `pre` (the parent state advanced to
 * the slot): the same fields, so that a payload prepared ahead is the one it finds.
 */
export function payloadArgsFor(
  pre: CachedBeaconState,
  slot: number,
  inclusionListTransactions: readonly Uint8Array[] = [],
): BuildPayloadArgs {
  const { ctx, state } = pre;
  const ticket = getTicketAssignment(ctx, state, slot);
  return {
    parentHash: state.latest_block_hash,
    feeRecipient: isSelfBuild(ticket) ? SELF_BUILD_FEE_RECIPIENT : HOLDER_FEE_RECIPIENT,
    gasLimit: DEFAULT_GAS_LIMIT,
    timestamp: computeTimestampAtSlot(ctx, state.genesis_time, slot),
    prevRandao: getRandaoMix(ctx, state, computeEpochAtSlot(ctx, slot)),
    slot,
    inclusionListTransactions,
  };
}
