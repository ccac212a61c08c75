import type { Chain } from "../chain.ts";
import { MAXIMUM_GOSSIP_CLOCK_DISPARITY_SECONDS } from "../validation/constants.ts";

/** The slot at Unix time `time` (0 before genesis). */
export function slotAtTime(chain: Chain, time: number): number {
  const { genesisTime, secondsPerSlot } = chain.forkChoice.config;
  return Math.max(0, Math.floor((time - genesisTime) / secondsPerSlot));
}

/**
 * The current slot as the slowest and the fastest honest clock may see it at `now` (ours off by
 * up to MAXIMUM_GOSSIP_CLOCK_DISPARITY either way): gossip windows are widened to both.
 */
export function gossipSlotRange(chain: Chain, now: number): { earliest: number; latest: number } {
  return {
    earliest: slotAtTime(chain, now - MAXIMUM_GOSSIP_CLOCK_DISPARITY_SECONDS),
    latest: slotAtTime(chain, now + MAXIMUM_GOSSIP_CLOCK_DISPARITY_SECONDS),
  };
}
