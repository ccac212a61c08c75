import type { ChainContext } from "../config/chainContext.ts";
import { DOMAIN_BEACON_ATTESTER } from "../params/constants.ts";
import type { BeaconStateView } from "../types/index.ts";
import { getSeed } from "../util/seed.ts";
import { shuffleListNative } from "./nativeShuffle.ts";

/** One epoch's committees, computed once from a whole-list shuffle. */
export interface EpochShuffling {
  epoch: number;
  activeIndices: Uint32Array;
  /** `shuffled[i] = activeIndices[compute_shuffled_index(i, n, seed)]` */
  shuffled: Uint32Array;
  committeesPerSlot: number;
  /** `committees[slot % SLOTS_PER_EPOCH][committee_index]` */
  committees: Uint32Array[][];
}

/** `get_committee_count_per_slot` for a given number of active validators. */
export function computeCommitteeCountPerSlot(ctx: ChainContext, activeValidatorCount: number): number {
  const { MAX_COMMITTEES_PER_SLOT, SLOTS_PER_EPOCH, TARGET_COMMITTEE_SIZE } = ctx.preset;
  return Math.max(
    1,
    Math.min(
      MAX_COMMITTEES_PER_SLOT,
      Math.floor(Math.floor(activeValidatorCount / SLOTS_PER_EPOCH) / TARGET_COMMITTEE_SIZE),
    ),
  );
}

/** Split the shuffled list into committees exactly as `compute_committee` slices it. */
export function computeEpochShuffling(
  ctx: ChainContext,
  state: BeaconStateView,
  activeIndices: Uint32Array,
  epoch: number,
): EpochShuffling {
  return computeEpochShufflingFromSeed(ctx, getSeed(ctx, state, epoch, DOMAIN_BEACON_ATTESTER), activeIndices, epoch);
}

/** `computeEpochShuffling` with the epoch's attester seed already known. */
export function computeEpochShufflingFromSeed(
  ctx: ChainContext,
  seed: Uint8Array,
  activeIndices: Uint32Array,
  epoch: number,
): EpochShuffling {
  return buildEpochShuffling(
    ctx,
    activeIndices,
    shuffleListNative(activeIndices, seed, ctx.preset.SHUFFLE_ROUND_COUNT),
    epoch,
  );
}

/** Epoch `epoch`'s committees from its active indices and their shuffle (`shuffleListNative`'s result). */
export function buildEpochShuffling(
  ctx: ChainContext,
  activeIndices: Uint32Array,
  shuffled: Uint32Array,
  epoch: number,
): EpochShuffling {
  const { SLOTS_PER_EPOCH } = ctx.preset;
  const committeesPerSlot = computeCommitteeCountPerSlot(ctx, activeIndices.length);
  const count = committeesPerSlot * SLOTS_PER_EPOCH;
  const n = shuffled.length;
  const committees: Uint32Array[][] = [];
  for (let slot = 0; slot < SLOTS_PER_EPOCH; slot++) {
    const slotCommittees: Uint32Array[] = [];
    for (let c = 0; c < committeesPerSlot; c++) {
      const index = slot * committeesPerSlot + c;
      const start = Math.floor((n * index) / count);
      const end = Math.floor((n * (index + 1)) / count);
      slotCommittees.push(shuffled.subarray(start, end));
    }
    committees.push(slotCommittees);
  }
  return { epoch, activeIndices, shuffled, committeesPerSlot, committees };
}
