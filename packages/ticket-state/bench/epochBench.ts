import { type CachedBeaconState, processEpoch } from "@turnstile/ticket-state";
import { samplePhases, timed } from "./measure.ts";
import { reportFigure, type Target } from "./report.ts";

export interface EpochBenchOptions {
  warmup: number;
  runs: number;
  target?: Target;
}

/**
 * `processEpoch` on a fresh clone of `pre` (at an epoch's last slot), then the post-state's
 * `hashTreeRoot`, then the epoch cache rotation that `processSlots` does on entering the new
 * epoch (`afterProcessEpoch`: next shuffling, proposers, balances). Each phase timed on its own.
 */
export function benchEpochTransition(pre: CachedBeaconState, opts: EpochBenchOptions): void {
  const { ctx } = pre;
  if ((pre.state.slot + 1) % ctx.preset.SLOTS_PER_EPOCH !== 0)
    throw new Error("pre-state is not at an epoch's last slot");
  const validators = pre.state.validators.length;
  const [epoch, root, rotate] = samplePhases(opts.warmup, opts.runs, () => {
    const cs = pre.clone();
    const a = timed(() => processEpoch(cs));
    const b = timed(() => cs.hashTreeRoot());
    cs.state.slot += 1;
    const c = timed(() => cs.epochCtx.afterProcessEpoch(cs.state, a.result));
    return [a.ms, b.ms, c.ms];
  });
  reportFigure(`processEpoch @${validators} validators`, epoch, "ms", opts.target);
  reportFigure(`hashTreeRoot after processEpoch @${validators} validators`, root, "ms");
  reportFigure(`epoch cache rotation (afterProcessEpoch) @${validators} validators`, rotate, "ms");
}
