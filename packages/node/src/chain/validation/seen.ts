/**
 * "The first block with valid signature received for the proposer for the slot": which proposers
 * already showed a validly signed block, by slot. Entries enter only after a signature check, so a
 * sender cannot grow this beyond one per validator and slot; slots at or below finality are dropped.
 */
export class SeenProposals {
  private readonly bySlot = new Map<number, Set<number>>();

  has(slot: number, proposerIndex: number): boolean {
    return this.bySlot.get(slot)?.has(proposerIndex) ?? false;
  }

  add(slot: number, proposerIndex: number): void {
    let proposers = this.bySlot.get(slot);
    if (!proposers) {
      proposers = new Set();
      this.bySlot.set(slot, proposers);
    }
    proposers.add(proposerIndex);
  }

  /** Forget slots at or below `slot`. */
  prune(slot: number): void {
    for (const s of this.bySlot.keys()) if (s <= slot) this.bySlot.delete(s);
  }
}
