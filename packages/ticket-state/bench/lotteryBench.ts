import { CachedBeaconState, createChainCaches, drawTicket, type ExecutionTicket } from "@turnstile/ticket-state";
import { type Stats, samplePhases, scaleStats, timed } from "./measure.ts";
import { reportFigure, reportValue } from "./report.ts";

export interface LotteryBenchOptions {
  poolSizes: number[];
  drawsPerSample: number;
  warmup: number;
  runs: number;
}

/** A copy of `base` (own caches) whose ticket pool holds exactly `size` tickets, hashed. */
function withPool(base: CachedBeaconState, size: number): CachedBeaconState {
  const { ctx } = base;
  base.state.commit();
  const cs = new CachedBeaconState(ctx, base.state.clone(), base.epochCtx.copy(), createChainCaches());
  const buyers = cs.state.buyers.length;
  const tickets: ExecutionTicket[] = Array.from({ length: size }, (_, i) => ({
    ticket_id: i,
    owner: i % buyers,
    purchase_slot: 0,
    price: ctx.config.INITIAL_TICKET_PRICE,
    collateral: 0,
    nonce: 0,
  }));
  cs.state.ticket_pool = ctx.ssz.BeaconState.fields.ticket_pool.toViewDU(tickets);
  cs.state.next_ticket_id = size;
  cs.hashTreeRoot();
  return cs;
}

/**
 * `drawTicket` (lottery index + O(1) swap-remove + assignment write) at several pool sizes:
 * `drawsPerSample` consecutive draws on a fresh clone, reported per draw. DESIGN.md §10 wants
 * the cost independent of the pool size.
 */
export function benchLottery(base: CachedBeaconState, opts: LotteryBenchOptions): void {
  const lookahead = base.ctx.preset.TICKET_LOOKAHEAD_SLOTS;
  const perSize: Stats[] = [];
  for (const size of opts.poolSizes) {
    if (opts.drawsPerSample > size) throw new Error("more draws than tickets in the pool");
    const pre = withPool(base, size);
    const firstSlot = pre.state.slot + lookahead + 1;
    const [batch] = samplePhases(opts.warmup, opts.runs, () => {
      const cs = pre.clone();
      const t = timed(() => {
        for (let k = 0; k < opts.drawsPerSample; k++) drawTicket(cs, firstSlot + k);
      });
      return [t.ms];
    });
    const perDraw = scaleStats(batch, 1000 / opts.drawsPerSample);
    perSize.push(perDraw);
    reportFigure(`drawTicket @pool ${size}`, perDraw, "µs");
  }
  if (perSize.length >= 2) {
    const ratio = perSize[perSize.length - 1].p50 / perSize[0].p50;
    const verdict = ratio <= 1.5 ? "MET" : "MISSED";
    reportValue(
      `drawTicket cost ratio pool ${opts.poolSizes[opts.poolSizes.length - 1]} / ${opts.poolSizes[0]}`,
      ratio,
      "x",
      `[target: O(1) in pool size, ratio ≈ 1 (≤ 1.5): ${verdict}]`,
    );
  }
}
