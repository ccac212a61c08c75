import { type CachedBeaconState, processEpoch } from "@turnstile/ticket-state";
import { samplePhases, timed } from "./measure.ts";
import { reportFigure, type Target } from "./report.ts";

export interface EpochBenchOptions {
  warmup: number;
  runs: number;
  target?: Target;
}

/**
 * `processEpoch` on a fresh clone of `pre` (at an epoch's last slot), then the epoch cache rotation
 * that `processSlots` does on entering the new epoch (`afterProcessEpoch`: next shuffling,
 * proposers, balances), then the post-state's `hashTreeRoot` (the next slot's), in `processSlots`'
 * order. Each phase timed on its own. A large registry's next shuffling runs on a worker thread
 * during `processEpoch` and the rotation joins it: the rotation figure includes that wait.
 * The chain's shufflings are cleared each run, so every rotation shuffles (none is a cache hit).
 */
export function benchEpochTransition(pre: CachedBeaconState, opts: EpochBenchOptions): void {
  const { ctx } = pre;
  if ((pre.state.slot + 1) % ctx.preset.SLOTS_PER_EPOCH !== 0)
    throw new Error("pre-state is not at an epoch's last slot");
  const validators = pre.state.validators.length;
  const [epoch, root, rotate, whole] = samplePhases(opts.warmup, opts.runs, () => {
    const cs = pre.clone();
    cs.caches.shufflings.clear();
    let a = 0;
    let b = 0;
    let c = 0;
    const all = timed(() => {
      const transition = timed(() => processEpoch(cs));
      a = transition.ms;
      cs.state.slot += 1;
      c = timed(() => cs.epochCtx.afterProcessEpoch(cs.state, transition.result)).ms;
      b = timed(() => cs.hashTreeRoot()).ms;
    });
    return [a, b, c, all.ms];
  });
  reportFigure(`processEpoch @${validators} validators`, epoch, "ms");
  reportFigure(`hashTreeRoot after processEpoch @${validators} validators`, root, "ms");
  reportFigure(`epoch cache rotation (afterProcessEpoch) @${validators} validators`, rotate, "ms");
  // DESIGN.md §10's "epoch transition" budget holds the whole of it, the worker's shuffle included
  reportFigure(
    `whole epoch transition (processEpoch + rotation + hashTreeRoot) @${validators} validators`,
    whole,
    "ms",
    opts.target,
  );
}
