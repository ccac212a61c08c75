/**
 * Votes that named a block we had not seen, by block root, waiting for it (the p2p rules let a
 * client queue them): they were IGNOREd on gossip, so they are not forwarded, but once the block
 * arrives they are checked again and count in fork choice. Their signatures are not checked yet,
 * so the queue is bounded, and the votes for the root that waits longest go first.
 */
export class VotesAwaitingBlock<T> {
  private readonly byRoot = new Map<string, T[]>();
  private count = 0;
  private readonly maxVotes: number;

  /** @param maxVotes at least 1 */
  constructor(maxVotes: number) {
    this.maxVotes = maxVotes;
  }

  get size(): number {
    return this.count;
  }

  /** Keep `vote` until `root` arrives; returns how many older votes were dropped to make room. */
  add(root: string, vote: T): number {
    let dropped = 0;
    while (this.count >= this.maxVotes) {
      const [oldest, votes] = this.byRoot.entries().next().value!;
      this.byRoot.delete(oldest);
      this.count -= votes.length;
      dropped += votes.length;
    }
    const votes = this.byRoot.get(root);
    if (votes) votes.push(vote);
    else this.byRoot.set(root, [vote]);
    this.count++;
    return dropped;
  }

  /** The votes that waited for `root`, which leave the queue. */
  take(root: string): T[] {
    const votes = this.byRoot.get(root);
    if (!votes) return [];
    this.byRoot.delete(root);
    this.count -= votes.length;
    return votes;
  }
}
