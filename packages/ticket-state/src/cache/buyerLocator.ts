import type { BeaconStateView } from "../types/index.ts";
import { toHex } from "../util/bytes.ts";

/**
 * BLS pubkey → buyer index, as a hint: each answer is checked against the state, and a miss
 * rescans the registry once (refreshing every hint), so one locator serves every fork of a chain.
 * Used to find the buyer account of a validator granted tickets.
 */
export class BuyerLocator {
  private readonly hints = new Map<string, number>();
  /** Full scans made so far (a test checks that a batch of grants makes at most one). */
  rescans = 0;

  /**
   * The lowest index of an account with `pubkey`, or -1. `batch`: lookups of one rule on one
   * state; once one of them has rescanned that state (and the rule has noted every account it
   * added since), a missing hint is a definite miss, so a batch of new accounts costs one scan.
   */
  find(state: BeaconStateView, pubkey: Uint8Array, batch?: { scanned: boolean }): number {
    const key = toHex(pubkey);
    const buyers = state.buyers;
    const hint = this.hints.get(key);
    if (hint !== undefined && hint < buyers.length && toHex(buyers.getReadonly(hint).pubkey) === key) return hint;
    if (batch?.scanned && hint === undefined) return -1;
    if (batch) batch.scanned = true;
    this.rescans++;
    this.hints.clear();
    for (let i = buyers.length - 1; i >= 0; i--) this.hints.set(toHex(buyers.getReadonly(i).pubkey), i);
    return this.hints.get(key) ?? -1;
  }

  note(pubkey: Uint8Array, index: number): void {
    this.hints.set(toHex(pubkey), index);
  }
}
