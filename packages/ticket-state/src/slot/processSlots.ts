import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { processEpoch } from "../epoch/processEpoch.ts";
import { BlockError, BlockErrorCode } from "../errors/index.ts";
import { processSlot } from "./processSlot.ts";
import { processTicketSlot } from "./processTicketSlot.ts";

/**
 * `process_slots`: advance through empty slots to `slot`, running the epoch transition at each
 * epoch's last slot and the ticket market's step on entering each slot. Mutates `cs`.
 */
export function processSlots(cs: CachedBeaconState, slot: number): void {
  const { state, ctx } = cs;
  // A slot of 2^64-1 decodes to Infinity: the loop below would never end
  if (!Number.isSafeInteger(slot)) {
    throw new BlockError(BlockErrorCode.SLOT_OUT_OF_RANGE, "target slot is not an exact integer", { slot });
  }
  if (!(state.slot < slot)) {
    throw new BlockError(BlockErrorCode.SLOT_NOT_IN_FUTURE, "target slot is not after the state's slot", {
      slot,
      stateSlot: state.slot,
    });
  }
  while (state.slot < slot) {
    processSlot(cs);
    const isEpochEnd = (state.slot + 1) % ctx.preset.SLOTS_PER_EPOCH === 0;
    const transition = isEpochEnd ? processEpoch(cs) : null;
    state.slot += 1;
    if (transition !== null) cs.epochCtx.afterProcessEpoch(state, transition);
    processTicketSlot(cs);
  }
}
