import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { getRandaoRevealSignatureSet } from "../signatureSets/index.ts";
import type { BeaconBlock } from "../types/index.ts";
import { xorBytes } from "../util/bytes.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { hash } from "../util/hash.ts";
import { getRandaoMix } from "../util/seed.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/** `process_randao`: the proposer's signature over the epoch, mixed into the current epoch's mix. */
export function processRandao(cs: CachedBeaconState, block: BeaconBlock, bctx: BlockProcessingContext): void {
  const { state, ctx } = cs;
  const epoch = computeEpochAtSlot(ctx, state.slot);
  const reveal = block.body.randao_reveal;
  collectSignatureSet(bctx, () => getRandaoRevealSignatureSet(cs, block.proposer_index, reveal));
  const mix = xorBytes(getRandaoMix(ctx, state, epoch), hash(reveal));
  state.randao_mixes.set(epoch % ctx.preset.EPOCHS_PER_HISTORICAL_VECTOR, mix);
}
