import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { ZERO_HASH } from "../params/constants.ts";
import { bytesEqual } from "../util/bytes.ts";

/** `process_slot`: record the previous state and block roots; clear the next slot's payload bit. */
export function processSlot(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  const { SLOTS_PER_HISTORICAL_ROOT } = ctx.preset;
  const previousStateRoot = state.hashTreeRoot();
  state.state_roots.set(state.slot % SLOTS_PER_HISTORICAL_ROOT, previousStateRoot);
  if (bytesEqual(state.latest_block_header.state_root, ZERO_HASH)) {
    state.latest_block_header.state_root = previousStateRoot;
  }
  state.block_roots.set(state.slot % SLOTS_PER_HISTORICAL_ROOT, state.latest_block_header.hashTreeRoot());
  state.execution_payload_availability.set((state.slot + 1) % SLOTS_PER_HISTORICAL_ROOT, false);
}
