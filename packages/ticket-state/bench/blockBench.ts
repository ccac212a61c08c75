import { type CachedBeaconState, processBlock } from "@turnstile/ticket-state";
import { type BenchBlockOptions, buildBenchBlock } from "./buildBlock.ts";
import { samplePhases, timed } from "./measure.ts";
import { reportFigure, setupTime } from "./report.ts";

export interface BlockBenchOptions extends BenchBlockOptions {
  warmup: number;
  runs: number;
}

/** DESIGN.md §10: block processing without BLS at 16,384 validators ≤ 10 ms. */
export const BLOCK_TARGET_MS = 10;

/**
 * `processBlock` with signatures off on a fresh clone of `pre` (already at the block's slot),
 * then the post-state's `hashTreeRoot`, timed separately. Clone and slot processing are not timed.
 */
export function benchBlockProcessing(pre: CachedBeaconState, opts: BlockBenchOptions): void {
  const validators = pre.state.validators.length;
  const built = timed(() => buildBenchBlock(pre, opts));
  const block = built.result;
  setupTime(
    `block for slot ${block.slot} (${block.body.attestations.length} attestations, ${block.body.ticket_purchases.length} purchases, ${block.body.ticket_transfers.length} transfers)`,
    built.ms,
  );
  // One untimed application first: it must be valid, not merely fast
  processBlock(pre.clone(), block, { signatureSets: null });

  const [process, root] = samplePhases(opts.warmup, opts.runs, () => {
    const cs = pre.clone();
    const a = timed(() => processBlock(cs, block, { signatureSets: null }));
    const b = timed(() => cs.hashTreeRoot());
    return [a.ms, b.ms];
  });
  reportFigure(`processBlock (no BLS) @${validators} validators`, process, "ms", { max: BLOCK_TARGET_MS });
  reportFigure(`hashTreeRoot after processBlock @${validators} validators`, root, "ms");
}
