/**
 * Work for one peer at a time, in the order peers were asked for: a peer already waiting is not
 * queued twice. Range sync and the parent fetcher each keep one, so that they never run twice at once.
 */
export class PeerQueue {
  private readonly work: (peer: string) => Promise<void>;
  private readonly onIdle: () => void;
  private readonly waiting = new Set<string>();
  private active = false;

  constructor(work: (peer: string) => Promise<void>, onIdle: () => void = () => {}) {
    this.work = work;
    this.onIdle = onIdle;
  }

  /** Whether work is under way or waiting. */
  get busy(): boolean {
    return this.active || this.waiting.size > 0;
  }

  /** Queue `peer`; the returned promise settles when the queue is drained (at once if it was already running). */
  add(peer: string): Promise<void> {
    this.waiting.add(peer);
    return this.active ? Promise.resolve() : this.drain();
  }

  private async drain(): Promise<void> {
    this.active = true;
    try {
      while (this.waiting.size > 0) {
        const peer = this.waiting.values().next().value as string;
        this.waiting.delete(peer);
        await this.work(peer);
      }
    } finally {
      this.active = false;
      this.onIdle();
    }
  }
}
