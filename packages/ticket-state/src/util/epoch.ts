import type { ChainContext } from "../config/chainContext.ts";

export function computeEpochAtSlot(ctx: ChainContext, slot: number): number {
  return Math.floor(slot / ctx.preset.SLOTS_PER_EPOCH);
}

export function computeStartSlotAtEpoch(ctx: ChainContext, epoch: number): number {
  return epoch * ctx.preset.SLOTS_PER_EPOCH;
}

/** The epoch at which an exit or activation initiated now takes effect. */
export function computeActivationExitEpoch(ctx: ChainContext, epoch: number): number {
  return epoch + 1 + ctx.preset.MAX_SEED_LOOKAHEAD;
}

export function computeTimestampAtSlot(ctx: ChainContext, genesisTime: number, slot: number): number {
  return genesisTime + slot * ctx.config.SECONDS_PER_SLOT;
}
