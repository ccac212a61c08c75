import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import {
  CachedBeaconState,
  type ChainContext,
  configureShuffleWorker,
  createChainCaches,
  EpochContext,
  hash,
  processEpoch,
  processSlots,
  ShuffleJob,
  ShufflingCache,
  shuffleJobCounts,
  shuffleListNative,
  uintToBytes8,
} from "@turnstile/ticket-state";
import { JOB_FAILED, JOB_RUNNING } from "../../../src/cache/shuffleJob.ts";
import { devChain, minimalContext } from "../../utils/chain.ts";
import { ETH, handMadeState } from "../epoch/epochHelpers.ts";

/**
 * Attacks on the worker-thread shuffle: whatever the worker does (runs the job, has not started
 * it, is stuck or failed on it), and however forks, replays and chains interleave their epoch
 * transitions, every shuffling must equal the one computed synchronously on the main thread.
 */
const defaults = configureShuffleWorker();
after(() => configureShuffleWorker(defaults));

/** Seeded PRNG (mulberry32): every case is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes32(next: () => number): Uint8Array {
  return Uint8Array.from({ length: 32 }, () => Math.floor(next() * 256));
}

async function untilDone(job: ShuffleJob): Promise<void> {
  for (let waited = 0; !job.isDone(); waited += 5) {
    if (waited > 20_000) throw new Error("the worker never finished the job");
    await sleep(5);
  }
}

/** The job's shared status word, as the worker sees it (private to ShuffleJob). */
function statusOf(job: ShuffleJob): Int32Array {
  const status = (job as unknown as { status: Int32Array | null }).status;
  assert.ok(status !== null, "the job was posted to the worker");
  return status;
}

/** A sorted list of distinct indices, as active indices are. */
function activeList(next: () => number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) {
    v += 1 + Math.floor(next() * 3);
    out[i] = v;
  }
  return out;
}

describe("ShuffleJob against the native shuffle", () => {
  it("equals it for random lists and seeds around the 8,192 threshold, joined at once, later or after the worker", async () => {
    configureShuffleWorker({ ...defaults });
    const next = rng(0x5eed);
    const sizes = [
      8191,
      8192,
      8193,
      2,
      3,
      8190,
      9000,
      12_345,
      ...Array.from({ length: 12 }, () => 2 + Math.floor(next() * 20_000)),
    ];
    let byWorker = 0;
    for (const [c, n] of sizes.entries()) {
      const input = activeList(next, n);
      const seed = randomBytes32(next);
      const rounds = c % 2 === 0 ? 90 : 10;
      const expected = shuffleListNative(input, seed, rounds);
      const job = new ShuffleJob(input, seed, rounds);
      const when = c % 3;
      // (a job under the threshold is never posted: only join finishes it)
      if (when === 1 && n >= defaults.minListLength) await untilDone(job);
      if (when === 2) await sleep(Math.floor(next() * 4));
      const got = job.join();
      assert.deepEqual(got, expected, `n=${n} join=${when}`);
      if (n < defaults.minListLength) assert.equal(job.runner, "caller", `n=${n}: under the threshold`);
      if (when === 1 && n >= defaults.minListLength) assert.equal(job.runner, "worker", `n=${n}`);
      if (job.runner === "worker") byWorker++;
      assert.equal(job.join(), got, "a second join returns the first result");
    }
    assert.ok(byWorker >= 3, `the worker ran some (${byWorker})`);
  });

  it("equals it for empty and one-element lists posted to the worker", async () => {
    configureShuffleWorker({ enabled: true, minListLength: 0 });
    for (const n of [0, 1]) {
      const input = Uint32Array.from({ length: n }, () => 7);
      const seed = hash(uintToBytes8(n));
      const job = new ShuffleJob(input, seed, 90);
      await untilDone(job);
      assert.deepEqual(job.join(), shuffleListNative(input, seed, 90));
      assert.equal(job.runner, "worker");
    }
  });

  it("a job the worker is stuck on (crashed mid-job) is shuffled by the caller after the join timeout", async () => {
    configureShuffleWorker({ enabled: true, minListLength: 2, joinTimeoutMs: 150 });
    const next = rng(7);
    // Warm the worker, then keep it busy so the next job stays queued while we mark it running
    await untilDone(new ShuffleJob(activeList(next, 100), randomBytes32(next), 90));
    const busy = new ShuffleJob(activeList(next, 1_000_000), randomBytes32(next), 90);
    const input = activeList(next, 10_000);
    const seed = randomBytes32(next);
    const stuck = new ShuffleJob(input, seed, 90);
    // As if the worker had claimed it and died before finishing: RUNNING forever
    Atomics.store(statusOf(stuck), 0, JOB_RUNNING);
    const t0 = performance.now();
    const got = stuck.join();
    const waited = performance.now() - t0;
    assert.equal(stuck.runner, "caller");
    assert.deepEqual(got, shuffleListNative(input, seed, 90));
    assert.ok(waited >= 140 && waited < 5_000, `waited ${waited.toFixed(0)} ms`);
    // The worker skips it (not QUEUED) and still serves later jobs
    busy.join();
    const later = new ShuffleJob(input, seed, 90);
    await untilDone(later);
    assert.deepEqual(later.join(), got);
    assert.equal(later.runner, "worker");
  });

  it("a job cancelled while the worker was busy leaves nothing that reaches the next job on its buffers", async () => {
    configureShuffleWorker({ enabled: true, minListLength: 2, joinTimeoutMs: 10_000 });
    const next = rng(10);
    for (let round = 0; round < 3; round++) {
      const busy = new ShuffleJob(activeList(next, 500_000), randomBytes32(next), 90);
      // Queued behind the busy one, joined at once: cancelled and shuffled here, its message still queued
      const cancelledInput = activeList(next, 30_000);
      const cancelled = new ShuffleJob(cancelledInput, randomBytes32(next), 90);
      cancelled.join();
      assert.equal(cancelled.runner, "caller");
      // The next job, a little shorter, gets the cancelled one's buffers; the stale message, taken
      // after it was posted, must not run on them
      const input = activeList(next, 20_000 + round * 1000);
      const seed = randomBytes32(next);
      const job = new ShuffleJob(input, seed, 90);
      await untilDone(job);
      assert.deepEqual(job.join(), shuffleListNative(input, seed, 90), `round ${round}`);
      assert.equal(job.runner, "worker");
      busy.join();
    }
  });

  it("a job the worker failed is shuffled by the caller", () => {
    configureShuffleWorker({ enabled: true, minListLength: 2, joinTimeoutMs: 10_000 });
    const next = rng(8);
    // Queue it behind a long job so the worker cannot claim it before we fail it
    const busy = new ShuffleJob(activeList(next, 1_000_000), randomBytes32(next), 90);
    const input = activeList(next, 10_000);
    const seed = randomBytes32(next);
    const failed = new ShuffleJob(input, seed, 90);
    Atomics.store(statusOf(failed), 0, JOB_FAILED);
    assert.deepEqual(failed.join(), shuffleListNative(input, seed, 90));
    assert.equal(failed.runner, "caller");
    busy.join();
  });

  it("a seed the native shuffle refuses throws on join as it does synchronously, every time", async () => {
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    const input = activeList(rng(9), 10_000);
    const badSeed = new Uint8Array(5);
    assert.throws(() => shuffleListNative(input, badSeed, 90));
    const job = new ShuffleJob(input, badSeed, 90);
    await sleep(50);
    assert.throws(() => job.join());
    assert.throws(() => job.join());
  });
});

const SLOTS_PER_EPOCH = 8;
const LAST_SLOT_OF_EPOCH_3 = 4 * SLOTS_PER_EPOCH - 1;

/**
 * A state at the last slot of epoch 3 with a random registry: activations due in the next epochs,
 * exits due in them, slashed validators, some at the ejection balance; random randao mix and
 * deciding block root, so the epoch after next has its own seed and key.
 */
function randomPre(ctx: ChainContext, seed: number, count: number, slot = LAST_SLOT_OF_EPOCH_3): CachedBeaconState {
  const next = rng(seed);
  const built = handMadeState(
    ctx,
    slot,
    Array.from({ length: count }, () => {
      const r = next();
      return {
        effectiveBalance: r < 0.05 ? 16 * ETH : 32 * ETH,
        previousFlags: Math.floor(next() * 8),
        slashed: next() < 0.05,
        activationEpoch: r > 0.85 ? 3 + Math.floor(next() * 4) : undefined,
      };
    }),
  );
  const state = built.state;
  for (let i = 0; i < count; i++) {
    if (next() < 0.1) state.validators.get(i).exit_epoch = 3 + Math.floor(next() * 5);
  }
  const { EPOCHS_PER_HISTORICAL_VECTOR, SLOTS_PER_HISTORICAL_ROOT } = ctx.preset;
  for (let e = 0; e <= 5; e++) state.randao_mixes.set(e % EPOCHS_PER_HISTORICAL_VECTOR, randomBytes32(next));
  // Up to the state's own slot, as processSlot has written it by the time processEpoch runs
  for (let s = 0; s <= slot; s++) state.block_roots.set(s % SLOTS_PER_HISTORICAL_ROOT, randomBytes32(next));
  state.commit();
  return CachedBeaconState.create(ctx, state, createChainCaches());
}

function snapshot(ec: EpochContext) {
  return {
    epoch: ec.epoch,
    previous: [...ec.previousShuffling.shuffled],
    current: [...ec.currentShuffling.shuffled],
    next: [...ec.nextShuffling.shuffled],
    nextActive: [...ec.nextShuffling.activeIndices],
    proposers: ec.proposers,
  };
}

/** processSlots' epoch boundary in two halves, so tests can interleave branches between them. */
function startTransition(cs: CachedBeaconState) {
  return processEpoch(cs);
}
function finishTransition(cs: CachedBeaconState, transition: ReturnType<typeof processEpoch>): void {
  cs.state.slot += 1;
  cs.epochCtx.afterProcessEpoch(cs.state, transition);
}

/** The post-rotation context with the worker off, from a fresh cache (the reference). */
function reference(pre: CachedBeaconState) {
  const before = configureShuffleWorker();
  configureShuffleWorker({ enabled: false });
  const cs = pre.clone();
  cs.caches.shufflings.clear();
  finishTransition(cs, startTransition(cs));
  configureShuffleWorker(before);
  return { snap: snapshot(cs.epochCtx), root: cs.state.hashTreeRoot() };
}

describe("the epoch transition with the worker on, against it off", () => {
  const ctx = minimalContext();

  it("rotates to the same context for random registries, joined at once or after the worker ran it", async () => {
    for (let c = 0; c < 12; c++) {
      const pre = randomPre(ctx, 100 + c, 40 + c * 17);
      const expected = reference(pre);
      for (const wait of [false, true]) {
        configureShuffleWorker({ enabled: true, minListLength: 2 });
        const cs = pre.clone();
        cs.caches.shufflings.clear();
        const transition = startTransition(cs);
        const prepared = transition.preparedNextShuffling;
        assert.ok(prepared !== null, `case ${c}`);
        if (wait) await untilDone(prepared.job);
        finishTransition(cs, transition);
        if (wait) assert.equal(prepared.job.runner, "worker", `case ${c}: the worker's result was used`);
        assert.deepEqual(snapshot(cs.epochCtx), expected.snap, `case ${c} wait=${wait}`);
        assert.deepEqual(cs.state.hashTreeRoot(), expected.root, `case ${c} wait=${wait}`);
        // And a context rebuilt from the post-state agrees
        const rebuilt = EpochContext.createFromState(ctx, cs.state, new ShufflingCache());
        assert.deepEqual(snapshot(rebuilt), expected.snap, `case ${c}: rebuilt`);
      }
    }
  });

  it("sibling states of one chain interleaving their transitions each get their own shuffling", async () => {
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    for (let c = 0; c < 6; c++) {
      const pre = randomPre(ctx, 200 + c, 64 + c * 11);
      // A sibling on the same chain (shared caches) with another deciding block and randao mix:
      // another seed and key for the epoch after next; on odd cases also another active set
      const sibling = pre.clone();
      const next = rng(300 + c);
      const { EPOCHS_PER_HISTORICAL_VECTOR, SLOTS_PER_HISTORICAL_ROOT } = ctx.preset;
      sibling.state.randao_mixes.set(3 % EPOCHS_PER_HISTORICAL_VECTOR, randomBytes32(next));
      // Another block at the deciding slot (processSlot wrote its root): another chain of blocks
      sibling.state.block_roots.set(LAST_SLOT_OF_EPOCH_3 % SLOTS_PER_HISTORICAL_ROOT, randomBytes32(next));
      if (c % 2 === 1) {
        // Forked an epoch earlier (other roots from slot 16): there its registry may differ too, in
        // who is active at the epoch after next (epoch 5)
        for (let s = 16; s < LAST_SLOT_OF_EPOCH_3; s++) sibling.state.block_roots.set(s, randomBytes32(next));
        sibling.state.validators.get(0).exit_epoch = 5;
      }
      sibling.state.commit();
      const siblingCs = CachedBeaconState.create(ctx, sibling.state, pre.caches);
      const expectedA = reference(pre);
      const expectedB = reference(siblingCs);
      assert.notDeepEqual(expectedA.snap.next, expectedB.snap.next, "the branches differ");

      pre.caches.shufflings.clear();
      const a = pre.clone();
      const b = siblingCs.clone();
      const ta = startTransition(a);
      const tb = startTransition(b);
      assert.ok(ta.preparedNextShuffling !== null && tb.preparedNextShuffling !== null);
      if (c % 3 === 0)
        await Promise.all([untilDone(ta.preparedNextShuffling.job), untilDone(tb.preparedNextShuffling.job)]);
      // Joined in the other order than started
      finishTransition(b, tb);
      finishTransition(a, ta);
      assert.deepEqual(snapshot(a.epochCtx), expectedA.snap, `case ${c}: branch A`);
      assert.deepEqual(snapshot(b.epochCtx), expectedB.snap, `case ${c}: branch B`);
      // A replay of branch A on the same chain now hits the cache and starts nothing
      const replay = pre.clone();
      const tr = startTransition(replay);
      assert.equal(tr.preparedNextShuffling, null);
      finishTransition(replay, tr);
      assert.deepEqual(snapshot(replay.epochCtx), expectedA.snap, `case ${c}: replay`);
      // Branch A's shuffle handed to branch B's rotation (a mixed-up transition) is not used
      pre.caches.shufflings.clear();
      const a2 = pre.clone();
      const b2 = siblingCs.clone();
      const ta2 = startTransition(a2);
      const tb2 = startTransition(b2);
      assert.ok(ta2.preparedNextShuffling !== null);
      await untilDone(ta2.preparedNextShuffling.job);
      finishTransition(b2, { ...tb2, preparedNextShuffling: ta2.preparedNextShuffling });
      assert.deepEqual(snapshot(b2.epochCtx), expectedB.snap, `case ${c}: branch B given A's shuffle`);
      assert.equal(ta2.preparedNextShuffling.job.runner, null, "A's shuffle was not joined");
    }
  });

  it("two chains in one process interleaving transitions do not see each other's jobs", async () => {
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    const ctxB = minimalContext();
    const chainA = randomPre(ctx, 400, 96);
    const chainB = randomPre(ctxB, 401, 96);
    const expectedA = reference(chainA);
    const expectedB = reference(chainB);
    for (let round = 0; round < 3; round++) {
      const a = chainA.clone();
      const b = chainB.clone();
      a.caches.shufflings.clear();
      b.caches.shufflings.clear();
      const tb = startTransition(b);
      const ta = startTransition(a);
      if (round === 1) await sleep(20);
      finishTransition(a, ta);
      finishTransition(b, tb);
      assert.deepEqual(snapshot(a.epochCtx), expectedA.snap, `round ${round}: chain A`);
      assert.deepEqual(snapshot(b.epochCtx), expectedB.snap, `round ${round}: chain B`);
    }
  });
});

describe("a dev chain of signed blocks", () => {
  it("keeps the same state roots with the worker on and off, on two forks advanced in turn", () => {
    // Fork 1 misses blocks fork 0 has (other randao mixes and deciding roots); each fork is run
    // twice, with the worker on and off, the four chains one slot at a time
    const opts = { verifySignatures: false };
    const chains = [0, 1].flatMap((fork) =>
      [true, false].map((worker) => ({ fork, worker, chain: devChain({}, opts) })),
    );
    const before = shuffleJobCounts();
    for (let slot = 1; slot <= 4 * SLOTS_PER_EPOCH; slot++) {
      for (const { fork, worker, chain } of chains) {
        configureShuffleWorker(worker ? { enabled: true, minListLength: 2 } : { enabled: false });
        chain.advance({ skipBlock: fork === 1 && slot % 5 === 2 });
      }
      for (const fork of [0, 1]) {
        const [on, off] = chains.filter((c) => c.fork === fork);
        assert.deepEqual(
          on.chain.head.state.hashTreeRoot(),
          off.chain.head.state.hashTreeRoot(),
          `fork ${fork} slot ${slot}`,
        );
        assert.deepEqual(
          snapshot(on.chain.head.epochCtx),
          snapshot(off.chain.head.epochCtx),
          `fork ${fork} slot ${slot}`,
        );
      }
    }
    const [fork0, , fork1] = chains;
    assert.notDeepEqual(
      fork0.chain.head.state.hashTreeRoot(),
      fork1.chain.head.state.hashTreeRoot(),
      "the forks differ",
    );
    const after = shuffleJobCounts();
    assert.ok(after.started - before.started >= 6, "the transitions started jobs");
  });
});

describe("many transitions in a row", () => {
  it("joins every job it starts over 100 epochs, to the same roots as with the worker off", () => {
    const ctx = minimalContext();
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    // From slot 0: processSlots needs a state whose ticket market is in step with its slot
    const pre = randomPre(ctx, 500, 64, 0);
    // The same walk with the worker off, for the roots
    configureShuffleWorker({ enabled: false });
    const off = pre.clone();
    processSlots(off, off.state.slot + 100 * SLOTS_PER_EPOCH);
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    const cs = pre.clone();
    cs.caches.shufflings.clear();
    const before = shuffleJobCounts();
    for (let e = 0; e < 100; e++) processSlots(cs, cs.state.slot + SLOTS_PER_EPOCH);
    const counts = shuffleJobCounts();
    const started = counts.started - before.started;
    const joined = counts.byWorker + counts.byCaller - before.byWorker - before.byCaller;
    assert.ok(started >= 100, `a job per transition (${started})`);
    assert.equal(joined, started, "every job started was joined");
    assert.ok(cs.caches.shufflings.size <= cs.caches.shufflings.maxEntries);
    assert.deepEqual(cs.state.hashTreeRoot(), off.state.hashTreeRoot());
    assert.deepEqual(snapshot(cs.epochCtx), snapshot(off.epochCtx));
  });

  it("keeps no more shared memory than a job's while jobs are run and joined one after another", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    configureShuffleWorker({ enabled: true, minListLength: 2, joinTimeoutMs: 10_000 });
    const next = rng(600);
    const input = activeList(next, 200_000);
    /** After the worker has taken every message posted so far (it takes them in order) and a GC here. */
    const settled = async () => {
      await untilDone(new ShuffleJob(input.subarray(0, 100), randomBytes32(next), 90));
      gc();
      await sleep(10);
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    const base = await settled();
    // 1.6 MB of shared memory per job (input and output): as the epoch transition uses them,
    // one at a time, run by the worker or (joined at once) cancelled and shuffled here. The
    // worker's thread, whose small heap is rarely collected, must not keep the 60 jobs' buffers
    for (let i = 0; i < 60; i++) {
      const job = new ShuffleJob(input, randomBytes32(next), 90);
      if (i % 3 !== 0) await untilDone(job);
      job.join();
    }
    const grown = (await settled()) - base;
    assert.ok(grown < 16 * 2 ** 20, `array buffers grew ${(grown / 2 ** 20).toFixed(1)} MiB`);
  });
});

describe("process exit", () => {
  it("a script that runs a transition with the worker and returns exits promptly", async () => {
    const { spawnSync } = await import("node:child_process");
    const script = `
      import { configureShuffleWorker, ShuffleJob, hash, uintToBytes8 } from "@turnstile/ticket-state";
      configureShuffleWorker({ enabled: true, minListLength: 2 });
      // One job joined, one left on the worker (~100 ms of work) when the script returns
      new ShuffleJob(Uint32Array.from({ length: 20000 }, (_, i) => i), hash(uintToBytes8(1)), 90).join();
      new ShuffleJob(Uint32Array.from({ length: 500000 }, (_, i) => i), hash(uintToBytes8(2)), 90);
      await new Promise((r) => setTimeout(r, 100));
      console.log("returned");
    `;
    const t0 = performance.now();
    const child = spawnSync(process.execPath, ["--conditions=source", "--input-type=module", "-e", script], {
      cwd: process.cwd(),
      encoding: "utf8",
      timeout: 20_000,
    });
    const ms = performance.now() - t0;
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /returned/);
    assert.ok(ms < 10_000, `exited after ${ms.toFixed(0)} ms`);
  });

  it("without a worker to start (its file missing, as in a bundle) every job is shuffled by the caller", async () => {
    const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { spawnSync } = await import("node:child_process");
    const { join } = await import("node:path");
    const src = join(import.meta.dirname, "../../../src/cache");
    // The worker module and what it imports, beside no shuffleThread.ts
    const dir = mkdtempSync(join(import.meta.dirname, ".noThread-"));
    try {
      for (const f of ["shuffleWorker.ts", "shuffleJob.ts", "nativeShuffle.ts"]) cpSync(join(src, f), join(dir, f));
      writeFileSync(
        join(dir, "run.ts"),
        `
        import { configureShuffleWorker, ShuffleJob, shuffleJobCounts } from "./shuffleWorker.ts";
        import { shuffleListNative } from "./nativeShuffle.ts";
        configureShuffleWorker({ enabled: true, minListLength: 2 });
        const input = Uint32Array.from({ length: 20000 }, (_, i) => i * 2);
        const seed = new Uint8Array(32).fill(3);
        const expected = shuffleListNative(input, seed, 90);
        const same = (a) => a.length === expected.length && a.every((v, i) => v === expected[i]);
        const first = new ShuffleJob(input, seed, 90);
        if (!same(first.join())) throw new Error("first job");
        // After the worker's failure to load has been reported
        await new Promise((r) => setTimeout(r, 300));
        const second = new ShuffleJob(input, seed, 90);
        await new Promise((r) => setTimeout(r, 50));
        if (!same(second.join())) throw new Error("second job");
        console.log(JSON.stringify({ runners: [first.runner, second.runner], counts: shuffleJobCounts() }));
        `,
      );
      const child = spawnSync(process.execPath, [join(dir, "run.ts")], { encoding: "utf8", timeout: 20_000 });
      assert.equal(child.status, 0, child.stderr);
      const out = JSON.parse(child.stdout);
      assert.deepEqual(out.runners, ["caller", "caller"]);
      assert.deepEqual(out.counts, { started: 2, byWorker: 0, byCaller: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
