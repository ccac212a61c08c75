import { zeroNode } from "@chainsafe/persistent-merkle-tree";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { getRandaoMix } from "../util/seed.ts";

/** `process_slashings_reset`: clear the slot of the slashings vector the next epoch will use. */
export function processSlashingsReset(cs: CachedBeaconState): void {
  const nextEpoch = computeEpochAtSlot(cs.ctx, cs.state.slot) + 1;
  cs.state.slashings.set(nextEpoch % cs.ctx.preset.EPOCHS_PER_SLASHINGS_VECTOR, 0);
}

/** `process_randao_mixes_reset`: the next epoch's mix starts from this epoch's. */
export function processRandaoMixesReset(cs: CachedBeaconState): void {
  const currentEpoch = computeEpochAtSlot(cs.ctx, cs.state.slot);
  const mix = getRandaoMix(cs.ctx, cs.state, currentEpoch);
  cs.state.randao_mixes.set((currentEpoch + 1) % cs.ctx.preset.EPOCHS_PER_HISTORICAL_VECTOR, mix);
}

/** `process_participation_flag_updates`: current becomes previous; current starts empty. */
export function processParticipationFlagUpdates(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  const type = ctx.ssz.BeaconState.fields.current_epoch_participation;
  const current = state.current_epoch_participation;
  current.commit();
  state.previous_epoch_participation = current;
  // An all-zero list of the same length is the shared zero subtree under a new length: no leaf is built
  const zeroed = type.tree_setChunksNode(current.node, zeroNode(type.chunkDepth), state.validators.length);
  state.current_epoch_participation = type.getViewDU(zeroed);
}
