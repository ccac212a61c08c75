/**
 * Which validators already showed a valid object under a key (a slot, or a target epoch): gossip
 * admits only the first block per proposer and slot, the first vote per validator and target
 * epoch, the first PTC message per member and slot. Entries enter only after a signature check,
 * so a sender cannot grow this beyond one per validator and key; keys too old to matter are
 * forgotten, which keeps it to a few epochs' (or slots') worth of validator indices.
 */
export class SeenIndices {
  private readonly byKey = new Map<number, Set<number>>();

  has(key: number, validatorIndex: number): boolean {
    return this.byKey.get(key)?.has(validatorIndex) ?? false;
  }

  add(key: number, validatorIndex: number): void {
    let indices = this.byKey.get(key);
    if (!indices) {
      indices = new Set();
      this.byKey.set(key, indices);
    }
    indices.add(validatorIndex);
  }

  /** Forget every key below `oldestKey` (what they guarded is refused by its window anyway). */
  pruneBelow(oldestKey: number): void {
    for (const key of this.byKey.keys()) if (key < oldestKey) this.byKey.delete(key);
  }
}
