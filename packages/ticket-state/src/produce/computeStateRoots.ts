import { processBlock } from "../block/processBlock.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { PayloadStatus } from "../engine/executionEngine.ts";
import { processExecutionPayload } from "../envelope/processExecutionPayload.ts";
import { G2_POINT_AT_INFINITY } from "../params/constants.ts";
import { processSlots } from "../slot/processSlots.ts";
import type { BeaconBlock, ExecutionPayloadEnvelope } from "../types/index.ts";

/**
 * The post-state root a block must carry: apply it to a copy of `pre` without signatures.
 * Block producers call this before signing; `pre` is unchanged.
 */
export function computeBlockStateRoot(pre: CachedBeaconState, block: BeaconBlock): Uint8Array {
  const scratch = pre.clone();
  if (scratch.state.slot < block.slot) processSlots(scratch, block.slot);
  processBlock(scratch, block, { signatureSets: null });
  return scratch.hashTreeRoot();
}

/** An engine that accepts anything: a dry run must not teach the real engine a payload before it is revealed. */
const DRY_RUN_ENGINE = { notifyNewPayload: () => PayloadStatus.VALID };

/** The post-state root an envelope must carry, from the post-block state of its slot; `postBlock` is unchanged. */
export function computeEnvelopeStateRoot(postBlock: CachedBeaconState, envelope: ExecutionPayloadEnvelope): Uint8Array {
  const scratch = postBlock.clone();
  processExecutionPayload(scratch, { message: envelope, signature: G2_POINT_AT_INFINITY }, DRY_RUN_ENGINE, {
    verifySignature: false,
    verifyStateRoot: false,
  });
  return scratch.hashTreeRoot();
}
