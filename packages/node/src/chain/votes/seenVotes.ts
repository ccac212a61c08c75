/**
 * Which validators already had a valid vote admitted, per key (the target epoch for attestations,
 * the slot for PTC messages): gossip admits only the first one. Keys below the oldest one still
 * admitted are forgotten, so the memory is a few epochs' (or slots') worth of validator indices.
 */
export class SeenVotes {
  private readonly byKey = new Map<number, Set<number>>();

  has(key: number, validator: number): boolean {
    return this.byKey.get(key)?.has(validator) ?? false;
  }

  add(key: number, validator: number): void {
    let set = this.byKey.get(key);
    if (!set) {
      set = new Set();
      this.byKey.set(key, set);
    }
    set.add(validator);
  }

  /** Forget every key below `oldestKey` (votes for them are refused by their window anyway). */
  prune(oldestKey: number): void {
    for (const key of this.byKey.keys()) if (key < oldestKey) this.byKey.delete(key);
  }
}
