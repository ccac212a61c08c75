import type { ChainContext } from "../config/chainContext.ts";
import { TicketStateError } from "../errors/TicketStateError.ts";
import type { BeaconStateView } from "../types/index.ts";
import { computeStartSlotAtEpoch } from "./epoch.ts";

/** `get_block_root_at_slot`: only the last SLOTS_PER_HISTORICAL_ROOT slots before the state's slot. */
export function getBlockRootAtSlot(ctx: ChainContext, state: BeaconStateView, slot: number): Uint8Array {
  const { SLOTS_PER_HISTORICAL_ROOT } = ctx.preset;
  if (!(slot < state.slot && state.slot <= slot + SLOTS_PER_HISTORICAL_ROOT)) {
    throw new TicketStateError("SLOT_OUT_OF_RANGE", `no block root for slot ${slot} at state slot ${state.slot}`, {
      slot,
      stateSlot: state.slot,
    });
  }
  return state.block_roots.get(slot % SLOTS_PER_HISTORICAL_ROOT);
}

export function getBlockRoot(ctx: ChainContext, state: BeaconStateView, epoch: number): Uint8Array {
  return getBlockRootAtSlot(ctx, state, computeStartSlotAtEpoch(ctx, epoch));
}
