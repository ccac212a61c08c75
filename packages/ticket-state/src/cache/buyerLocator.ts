import type { BeaconStateView } from "../types/index.ts";
import { toHex } from "../util/bytes.ts";

/**
 * BLS pubkey → buyer index, as a hint: each answer is checked against the state, and a miss
 * rescans the registry once (refreshing every hint), so one locator serves every fork of a chain.
 * Used to find the buyer account of a validator granted tickets.
 */
export class BuyerLocator {
  private readonly hints = new Map<string, number>();

  /** The lowest index of an account with `pubkey`, or -1. */
  find(state: BeaconStateView, pubkey: Uint8Array): number {
    const key = toHex(pubkey);
    const buyers = state.buyers;
    const hint = this.hints.get(key);
    if (hint !== undefined && hint < buyers.length && toHex(buyers.getReadonly(hint).pubkey) === key) return hint;
    this.hints.clear();
    for (let i = buyers.length - 1; i >= 0; i--) this.hints.set(toHex(buyers.getReadonly(i).pubkey), i);
    return this.hints.get(key) ?? -1;
  }

  note(pubkey: Uint8Array, index: number): void {
    this.hints.set(toHex(pubkey), index);
  }
}
