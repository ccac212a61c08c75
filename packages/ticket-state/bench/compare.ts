/**
 * Turnstile against `@lodestar/state-transition` (Altair, mainnet preset), in one process, runs
 * interleaved (the order alternates each run) so that both sides see the same machine load.
 * Figures: block processing without BLS (128 full aggregates), `processEpoch`, the epoch-cache
 * rotation, the whole epoch transition (processEpoch + hashTreeRoot + rotation) and state
 * deserialization + cache build, each as p50 per side and the ratio Turnstile/Lodestar (target ≤ 1).
 * What overlaps: Turnstile's `processEpoch` starts the shuffle of the epoch after next on a
 * worker thread (a registry of ≥ 8,192, see `cache/shuffleWorker.ts`) and the rotation joins it,
 * so the rotation figure includes any wait for that shuffle and the whole-transition figure all of
 * it. Turnstile's phases run in `processSlots`' order (processEpoch, rotation, then the root that
 * the next slot hashes), so the shuffle overlaps `processEpoch` only, as in a node; Lodestar 1.46
 * shuffles inside its rotation, on the main thread. With `--clock cpu` the three phases count the
 * main thread's CPU time only (the worker's shuffle is no phase's own work) and the whole
 * transition counts the process's, every thread's, from the start of processEpoch to the end of
 * the root: the worker's shuffle is in it in full, as are both sides' GC helper threads.
 * The ratio is the median of the per-iteration ratios (each iteration times both sides back to
 * back, so a load spike on the shared machine moves both); the ratio of the two p50s is printed
 * beside it. With `--expose-gc` (the npm script passes it) a full collection runs before every
 * timed side, so that neither side pays for the other's garbage.
 * One JSON line `{"name","value","unit"}` per figure; `#` lines are notes. Installs nothing.
 *
 * Run: `npm run bench:compare` (root or packages/ticket-state).
 * Options: `--validators 16384,262144` (default both), `--runs N` (timed iterations per figure, odd
 * so that the median is one sample; block processing runs twice as many), `--clock wall|cpu`.
 */
import {
  CachedBeaconState,
  configureShuffleWorker,
  createChainContext,
  mainnetChainConfig,
  processBlock,
  processEpoch,
  useFastHasher,
} from "@turnstile/ticket-state";
import { buildBenchBlock } from "./buildBlock.ts";
import { advancedCopy, buildGenesis, repeatedValidatorPubkeys, setRealisticParticipation } from "./buildState.ts";
import { type Stats, summarize, timed } from "./measure.ts";
import { note, reportFigure, reportValue, setupTime, summarizeTargets } from "./report.ts";

// @lodestar/params picks its preset from LODESTAR_PRESET once, when first imported: set it before
// the dynamic import below. Turnstile's preset comes from its chain config, never from this variable.
const LODESTAR_PRESET = "mainnet";
const presetEnv = process.env.LODESTAR_PRESET;
if (presetEnv !== undefined && presetEnv !== LODESTAR_PRESET) {
  throw new Error(`bench:compare runs the mainnet preset; LODESTAR_PRESET=${presetEnv} is set`);
}
process.env.LODESTAR_PRESET = LODESTAR_PRESET;
const lodestar = await import("./compareLodestar.ts");
const { PublicKey } = await import("@chainsafe/blst");
if (lodestar.LODESTAR_PRESET_NAME !== LODESTAR_PRESET) {
  throw new Error(`Lodestar loaded the ${lodestar.LODESTAR_PRESET_NAME} preset`);
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const validatorCounts = (argValue("--validators") ?? "16384,262144").split(",").map(Number);
const baseRuns = Number(argValue("--runs") ?? 15);
const clock = argValue("--clock") ?? "wall";
if (clock !== "wall" && clock !== "cpu") throw new Error(`--clock is wall or cpu, not ${clock}`);
/** A full collection before each timed side, when the process runs with `--expose-gc`. */
const exposedGc = (globalThis as { gc?: () => void }).gc;
const collect: () => void = exposedGc ?? (() => {});

const hasher = await useFastHasher();
note(`SSZ hasher (shared by both): ${hasher}; clock: ${clock}; GC before each side: ${exposedGc !== undefined}`);
const ctx = createChainContext(mainnetChainConfig);
if (ctx.config.PRESET_BASE !== LODESTAR_PRESET) throw new Error("Turnstile's bench chain is not on the mainnet preset");
note(`presets: Turnstile ${ctx.config.PRESET_BASE}, Lodestar ${lodestar.LODESTAR_PRESET_NAME}`);

const { SLOTS_PER_EPOCH, MAX_ATTESTATIONS } = ctx.preset;
const BLOCK_SLOT = 2 * SLOTS_PER_EPOCH + SLOTS_PER_EPOCH / 2;
const EPOCH_SLOT = 3 * SLOTS_PER_EPOCH - 1;
const DISTINCT_KEYS = 16;
const BUYERS = 32;
const RATIO_TARGET = { max: 1.0 };

/** One phase of both sides: per-side summaries and the per-iteration ratios Turnstile/Lodestar. */
interface PairedPhase {
  ours: Stats;
  theirs: Stats;
  ratio: Stats;
}

/**
 * `warmup` then `runs` interleaved iterations of both sides, the side that goes first alternating,
 * a full collection before each side (see `collect`); each side returns its phase durations.
 * Returns per phase both sides' summaries and the summary of the iteration-by-iteration ratios.
 */
function interleave(warmup: number, runs: number, ours: () => number[], theirs: () => number[]): PairedPhase[] {
  const samples: [number[][], number[][]] = [[], []];
  const sides = [ours, theirs];
  for (let r = -warmup; r < runs; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const side of order) {
      collect();
      const phases = sides[side]();
      if (r < 0) continue;
      phases.forEach((ms, i) => {
        samples[side][i] ??= [];
        samples[side][i].push(ms);
      });
    }
  }
  return samples[0].map((oursPhase, i) => {
    const theirsPhase = samples[1][i];
    return {
      ours: summarize(oursPhase),
      theirs: summarize(theirsPhase),
      // A CPU-time sample can read 0 for a phase of about a millisecond (the kernel's accounting
      // moves in steps): a pair with a zero on either side has no ratio
      ratio: summarize(oursPhase.flatMap((ms, r) => (ms > 0 && theirsPhase[r] > 0 ? [ms / theirsPhase[r]] : []))),
    };
  });
}

/**
 * Both sides' p50 and the median per-iteration ratio; `targeted` figures are the ones the issue
 * holds to ≤ 1. The ratio of the two p50s goes beside it as a note.
 */
function reportPair(what: string, phase: PairedPhase, targeted = true): void {
  const { ours, theirs, ratio } = phase;
  reportFigure(`Turnstile ${what}`, ours, "ms");
  reportFigure(`Lodestar ${what}`, theirs, "ms");
  const note = `(paired median of ${ratio.runs}, range ${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)}; ratio of p50s ${(ours.p50 / theirs.p50).toFixed(3)})`;
  reportValue(`ratio Turnstile/Lodestar ${what}`, ratio.p50, "x", note, targeted ? RATIO_TARGET : undefined);
}

const MICROSECONDS_PER_MS = 1000;

/**
 * Duration of `fn` in ms on the chosen clock: `wall` (default) or `cpu`, the process's user+system
 * CPU time (all its threads, GC helpers and the shuffling worker included), which does not count
 * the time the process waits for a core: steadier when other jobs share the machine.
 */
function ms(fn: () => void): number {
  if (clock === "wall") return timed(fn).ms;
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / MICROSECONDS_PER_MS;
}

/** `ms`, but with `--clock cpu` the calling thread's CPU time only: the epoch transition's phases. */
function msMainThread(fn: () => void): number {
  if (clock === "wall") return timed(fn).ms;
  const before = process.threadCpuUsage();
  fn();
  const used = process.threadCpuUsage(before);
  return (used.user + used.system) / MICROSECONDS_PER_MS;
}

function compareAt(validatorCount: number): void {
  const large = validatorCount > 16_384;
  // Odd counts: the median is one sample. Fewer at 262,144 only when asked for many
  const odd = (n: number) => n + (1 - (n % 2));
  const runs = odd(large ? Math.max(11, Math.round(baseRuns * 0.75)) : baseRuns);
  const tag = `@${validatorCount} validators`;
  note(`--- ${validatorCount} validators, mainnet preset, Altair ---`);

  const tGenesis = timed(() =>
    buildGenesis(ctx, {
      validatorCount,
      buyerCount: BUYERS,
      ticketsPerBuyer: 1,
      distinctKeys: DISTINCT_KEYS,
    }),
  );
  setupTime("Turnstile genesis", tGenesis.ms);
  const lGenesis = timed(() =>
    lodestar.buildLodestarGenesis(repeatedValidatorPubkeys(validatorCount, DISTINCT_KEYS), (b) =>
      PublicKey.fromBytes(b),
    ),
  );
  setupTime("Lodestar genesis", lGenesis.ms);
  const chain = lGenesis.result;

  // Block processing, BLS off, MAX_ATTESTATIONS full aggregates on both sides
  const tBlockPre = advancedCopy(tGenesis.result, BLOCK_SLOT);
  const lBlockPre = lodestar.lodestarAdvancedCopy(chain.genesis, BLOCK_SLOT);
  const tBlock = buildBenchBlock(tBlockPre, {
    attestations: MAX_ATTESTATIONS,
    purchases: 0,
    transfers: 0,
    ticketsPerPurchase: 1,
  });
  const lBlock = lodestar.buildLodestarBlock(lBlockPre, MAX_ATTESTATIONS);
  // One untimed application each: both blocks must be valid, not merely fast
  processBlock(tBlockPre.clone(), tBlock, { signatureSets: null });
  lodestar.lodestarProcessBlock(lBlockPre.clone(), lBlock);
  const [blockPhase] = interleave(
    5,
    odd(runs * 2),
    () => {
      const cs = tBlockPre.clone();
      return [ms(() => processBlock(cs, tBlock, { signatureSets: null }))];
    },
    () => {
      const cs = lBlockPre.clone();
      return [ms(() => lodestar.lodestarProcessBlock(cs, lBlock))];
    },
  );
  reportPair(`processBlock (no BLS, ${MAX_ATTESTATIONS} attestations) ${tag}`, blockPhase);

  // Epoch transition at the end of epoch 2 with realistic participation
  const tEpochPre = advancedCopy(tBlockPre, EPOCH_SLOT);
  setRealisticParticipation(tEpochPre);
  const lEpochPre = lodestar.lodestarAdvancedCopy(lBlockPre, EPOCH_SLOT);
  lodestar.lodestarSetRealisticParticipation(lEpochPre);
  const epochPhases = interleave(
    large ? 1 : 3,
    runs,
    () => {
      const cs = tEpochPre.clone();
      // Cold rotation, as Lodestar's here: no shuffling from an earlier run of the same chain
      cs.caches.shufflings.clear();
      // The rotation reuses the transition's cache, as Lodestar's afterProcessEpoch does, and joins
      // the shuffle processEpoch started; the root is hashed after it, as processSlots orders them
      let transition!: ReturnType<typeof processEpoch>;
      let epoch = 0;
      let rotate = 0;
      let root = 0;
      const whole = ms(() => {
        epoch = msMainThread(() => (transition = processEpoch(cs)));
        cs.state.slot += 1;
        rotate = msMainThread(() => cs.epochCtx.afterProcessEpoch(cs.state, transition));
        root = msMainThread(() => cs.hashTreeRoot());
      });
      return [epoch, root, rotate, whole];
    },
    () => {
      const cs = lEpochPre.clone();
      let phases: number[] = [];
      const whole = ms(() => {
        phases = lodestar.lodestarEpochPhases(cs, msMainThread);
      });
      return [...phases, whole];
    },
  );
  const offThread = configureShuffleWorker();
  note(
    `Turnstile shuffles the epoch after next ${offThread.enabled && validatorCount >= offThread.minListLength ? "on a worker thread during processEpoch (joined by the rotation)" : "in the rotation"}; Lodestar in its rotation`,
  );
  if (clock === "cpu") {
    note("epoch phases: main-thread CPU time; whole transition: CPU time of every thread over all three");
  }
  reportPair(`processEpoch ${tag}`, epochPhases[0]);
  reportPair(`hashTreeRoot after processEpoch ${tag}`, epochPhases[1], false);
  reportPair(`epoch cache rotation ${tag}`, epochPhases[2]);
  reportPair(`whole epoch transition (processEpoch + hashTreeRoot + rotation) ${tag}`, epochPhases[3]);

  // State deserialization + cache build, pubkey caches already synced (a running node's case)
  const tBytes = tEpochPre.serialize();
  const lBytes = lodestar.lodestarSerialize(lEpochPre);
  note(`state sizes: Turnstile ${tBytes.length} bytes, Lodestar ${lBytes.length} bytes`);
  const caches = tEpochPre.caches;
  const [loadPhase] = interleave(
    1,
    runs,
    () => {
      caches.shufflings.clear();
      return [ms(() => CachedBeaconState.fromBytes(ctx, tBytes, caches))];
    },
    () => [ms(() => lodestar.lodestarLoadState(chain, lBytes))],
  );
  reportPair(`state deserialization + cache build ${tag}`, loadPhase);
}

const total = timed(() => {
  for (const count of validatorCounts) compareAt(count);
});
setupTime("whole comparison", total.ms);
summarizeTargets();
