/**
 * A bounded FIFO of async jobs run with limited concurrency. `push` refuses a job when the queue is
 * full, so a flood of gossip cannot grow memory without bound: the caller IGNOREs what does not fit.
 * A job that throws anyway goes to `onJobError` (which must not throw); the queue goes on with the next.
 */
export class ValidationQueue {
  private readonly concurrency: number;
  private readonly maxLength: number;
  private readonly jobs: Array<() => Promise<void>> = [];
  private running = 0;
  private idleResolvers: Array<() => void> = [];
  private readonly onJobError: (error: unknown) => void;

  constructor(concurrency: number, maxLength: number, onJobError: (error: unknown) => void) {
    this.concurrency = concurrency;
    this.maxLength = maxLength;
    this.onJobError = onJobError;
  }

  get length(): number {
    return this.jobs.length;
  }

  get active(): number {
    return this.running;
  }

  /** Queue `job`; false (and the job is dropped) if the queue is full. Jobs should handle their own errors. */
  push(job: () => Promise<void>): boolean {
    if (this.jobs.length >= this.maxLength) return false;
    this.jobs.push(job);
    this.drain();
    return true;
  }

  /** Resolves when no job is queued or running. */
  onIdle(): Promise<void> {
    if (this.running === 0 && this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  /** Drop queued (not yet started) jobs. */
  clear(): void {
    this.jobs.length = 0;
    this.checkIdle();
  }

  private drain(): void {
    while (this.running < this.concurrency && this.jobs.length > 0) {
      const job = this.jobs.shift()!;
      this.running++;
      job()
        .catch(this.onJobError)
        .finally(() => {
          this.running--;
          this.drain();
          this.checkIdle();
        });
    }
  }

  private checkIdle(): void {
    if (this.running === 0 && this.jobs.length === 0) {
      const resolvers = this.idleResolvers;
      this.idleResolvers = [];
      for (const r of resolvers) r();
    }
  }
}
