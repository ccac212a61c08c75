/**
 * Work for one peer at a time, in the order peers were asked for: a peer already waiting is not
 * queued twice. Range sync and the parent fetcher each keep one, so that they never run twice at once.
 * A job that throws is reported to `onError` and the queue goes on: nothing a peer causes escapes.
 */
export class PeerQueue {
  private readonly work: (peer: string) => Promise<void>;
  private readonly onIdle: () => void;
  private readonly onError: (peer: string, error: unknown) => void;
  private readonly waiting = new Set<string>();
  private active = false;

  constructor(
    work: (peer: string) => Promise<void>,
    opts: { onIdle?: () => void; onError?: (peer: string, error: unknown) => void } = {},
  ) {
    this.work = work;
    this.onIdle = opts.onIdle ?? (() => {});
    this.onError = opts.onError ?? (() => {});
  }

  /** Whether work is under way or waiting. */
  get busy(): boolean {
    return this.active || this.waiting.size > 0;
  }

  /** Queue `peer`; the returned promise settles (never rejects) when the queue is drained, at once if it was already running. */
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
        try {
          await this.work(peer);
        } catch (e) {
          this.onError(peer, e);
        }
      }
    } finally {
      this.active = false;
      this.onIdle();
    }
  }
}
