/** `quota` units per `periodMs`, refilled continuously. */
export interface RateLimitQuota {
  quota: number;
  periodMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets keyed by (peer, bucket name): a bucket holds at most `quota` tokens and refills at
 * `quota / periodMs`. A request of cost `n` passes if `n` tokens are there, and takes them.
 * A request larger than a whole quota is charged the whole quota (it waits for a full bucket).
 */
export class RateLimiter {
  private readonly quotas: Readonly<Record<string, RateLimitQuota>>;
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(quotas: Readonly<Record<string, RateLimitQuota>>, now: () => number = Date.now) {
    this.quotas = quotas;
    this.now = now;
  }

  /** True if `peer` may spend `cost` units of `bucket` now (and spends them); unknown buckets are unlimited. */
  allow(peer: string, bucket: string, cost = 1): boolean {
    const q = this.quotas[bucket];
    if (!q) return true;
    const key = `${peer}|${bucket}`;
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: q.quota, updatedAt: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(q.quota, b.tokens + ((now - b.updatedAt) * q.quota) / q.periodMs);
      b.updatedAt = now;
    }
    const charge = Math.min(cost, q.quota);
    if (b.tokens < charge) return false;
    b.tokens -= charge;
    return true;
  }

  /** Drop buckets untouched for a whole period: they would be full again, the same as a fresh one. */
  prune(): void {
    const now = this.now();
    for (const [key, b] of this.buckets) {
      const q = this.quotas[key.slice(key.indexOf("|") + 1)];
      if (!q || now - b.updatedAt >= q.periodMs) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}
