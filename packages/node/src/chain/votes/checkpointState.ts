import { type CachedBeaconState, processSlotsCopy } from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import { ChainErrorCode } from "../errors.ts";

/** Checkpoint states by "epoch:root", per chain: a vote's committees come from one, and few are live at once. */
const checkpointStates = new WeakMap<Chain, Map<string, CachedBeaconState>>();
const MAX_CHECKPOINT_STATES = 8;

/**
 * `store_target_checkpoint_state`: the target block's state advanced to the epoch start. A vote
 * is checked against the committees its voter saw, not our head's (a voter on a stale head is
 * still honest). Undefined when the target block is unknown or its state can no longer be made.
 */
export function checkpointState(chain: Chain, epoch: number, targetRoot: string): CachedBeaconState | undefined {
  let cache = checkpointStates.get(chain);
  if (!cache) {
    cache = new Map();
    checkpointStates.set(chain, cache);
  }
  const key = `${epoch}:${targetRoot}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!chain.hasBlock(targetRoot)) return undefined;
  let state: CachedBeaconState;
  try {
    // The spec's `store.block_states`: the post-block state
    state = chain.regen.getPostState(targetRoot, false);
  } catch (e) {
    // No ancestor state left to regenerate it from (pruned meanwhile)
    if ((e as { code?: string }).code === ChainErrorCode.PRUNED) return undefined;
    throw e;
  }
  const epochStart = epoch * chain.ctx.preset.SLOTS_PER_EPOCH;
  const advanced = state.state.slot < epochStart ? processSlotsCopy(state, epochStart) : state;
  cache.set(key, advanced);
  if (cache.size > MAX_CHECKPOINT_STATES) cache.delete(cache.keys().next().value as string);
  return advanced;
}
