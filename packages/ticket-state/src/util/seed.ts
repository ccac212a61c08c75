import type { ChainContext } from "../config/chainContext.ts";
import type { DomainType } from "../params/constants.ts";
import type { BeaconStateView } from "../types/index.ts";
import { concatBytes, uintToBytes8 } from "./bytes.ts";
import { hash } from "./hash.ts";

export function getRandaoMix(ctx: ChainContext, state: BeaconStateView, epoch: number): Uint8Array {
  return state.randao_mixes.get(epoch % ctx.preset.EPOCHS_PER_HISTORICAL_VECTOR);
}

/** `get_seed`: the mix from MIN_SEED_LOOKAHEAD + 1 epochs back, bound to a domain and the epoch. */
export function getSeed(ctx: ChainContext, state: BeaconStateView, epoch: number, domainType: DomainType): Uint8Array {
  const { EPOCHS_PER_HISTORICAL_VECTOR, MIN_SEED_LOOKAHEAD } = ctx.preset;
  const mix = getRandaoMix(ctx, state, epoch + EPOCHS_PER_HISTORICAL_VECTOR - MIN_SEED_LOOKAHEAD - 1);
  return hash(concatBytes(domainType, uintToBytes8(epoch), mix));
}
