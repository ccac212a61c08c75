import type { ChainContext } from "../config/chainContext.ts";
import type { BeaconStateView } from "../types/index.ts";
import { toHex } from "../util/bytes.ts";
import { computeStartSlotAtEpoch } from "../util/epoch.ts";
import type { EpochShuffling } from "./shuffling.ts";

/**
 * Shufflings kept: the previous, current and next epoch of a few competing heads. An entry is
 * 4 bytes per active validator twice (1 MiB at 262,144), so the bound stays small.
 */
export const SHUFFLING_CACHE_MAX_ENTRIES = 16;

/**
 * Where epoch `epoch`'s shuffling is decided: its seed is the randao mix at the end of epoch
 * `epoch - MIN_SEED_LOOKAHEAD - 1` and its active set was fixed by that epoch's transition, so
 * every state whose chain holds the same block at the last slot of that epoch has the same
 * shuffling. Returns a cache key, or null when the state no longer holds that block root.
 * `stateSlot`: the slot to judge that by, when it is not yet `state.slot`: the epoch transition
 * keys the shuffling its rotation will compute as of the next slot (`processSlot` has already
 * written the deciding block root, the state's own slot, and `processEpoch` leaves block roots alone).
 */
export function shufflingDecisionKey(
  ctx: ChainContext,
  state: BeaconStateView,
  epoch: number,
  stateSlot: number = state.slot,
): string | null {
  const { MIN_SEED_LOOKAHEAD, SLOTS_PER_HISTORICAL_ROOT } = ctx.preset;
  const decidingEpoch = epoch - MIN_SEED_LOOKAHEAD;
  // Decided by the genesis state alone: no block before the deciding epoch's start
  if (decidingEpoch <= 0) return `${epoch}:genesis:${toHex(state.genesis_validators_root)}`;
  const decisionSlot = computeStartSlotAtEpoch(ctx, decidingEpoch) - 1;
  if (!(decisionSlot < stateSlot && stateSlot <= decisionSlot + SLOTS_PER_HISTORICAL_ROOT)) return null;
  return `${epoch}:${toHex(state.block_roots.get(decisionSlot % SLOTS_PER_HISTORICAL_ROOT))}`;
}

/**
 * Shufflings by decision key, shared by the states of one chain: forks that agree on the deciding
 * block, regen replays and state loads reuse them instead of shuffling the registry again.
 * Bounded, least recently used evicted first.
 */
export class ShufflingCache {
  private readonly entries = new Map<string, EpochShuffling>();
  hits = 0;
  misses = 0;

  readonly maxEntries: number;

  constructor(maxEntries = SHUFFLING_CACHE_MAX_ENTRIES) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string | null): boolean {
    return key !== null && this.entries.has(key);
  }

  /** The shuffling under `key`, computed by `compute` on a miss (always computed when `key` is null). */
  getOrCompute(key: string | null, compute: () => EpochShuffling): EpochShuffling {
    if (key === null) return compute();
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.hits++;
      // Map keeps insertion order: re-inserting marks it most recently used
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    this.misses++;
    const shuffling = compute();
    this.entries.set(key, shuffling);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return shuffling;
  }

  clear(): void {
    this.entries.clear();
  }
}
