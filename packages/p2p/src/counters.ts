/**
 * Named event counts for metrics: a flat map from dotted names to numbers, e.g.
 * `gossip.received.beacon_block`, `gossip.reject_reason.beacon_block.SSZ_INVALID`,
 * `reqresp.inbound.error.beacon_blocks_by_range.RATE_LIMITED`, `peers.banned`.
 * The first segments name the family, the last ones its labels; the node maps them to Prometheus.
 */
export class Counters {
  private readonly counts = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** Sum of every counter whose name starts with `prefix`. */
  sum(prefix: string): number {
    let total = 0;
    for (const [name, value] of this.counts) if (name.startsWith(prefix)) total += value;
    return total;
  }

  /** A copy, sorted by name. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of [...this.counts.keys()].sort()) out[name] = this.counts.get(name)!;
    return out;
  }
}
