import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type CachedBeaconState,
  configureShuffleWorker,
  EpochContext,
  hash,
  processEpoch,
  ShuffleJob,
  ShufflingCache,
  shuffleJobCounts,
  shuffleListNative,
  uintToBytes8,
} from "@turnstile/ticket-state";
import { minimalContext } from "../../utils/chain.ts";
import { ETH, handMadeState } from "../epoch/epochHelpers.ts";

/**
 * The epoch transition starts the shuffle of the epoch after next on a worker thread and the
 * rotation joins it synchronously: whoever runs it, the result must be the native shuffle's.
 */
const defaults = configureShuffleWorker();
after(() => configureShuffleWorker(defaults));

const ROUNDS = 90;

async function untilDone(job: ShuffleJob): Promise<void> {
  for (let waited = 0; !job.isDone(); waited += 5) {
    if (waited > 20_000) throw new Error("the worker never finished the job");
    await sleep(5);
  }
}

function list(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i * 3 + 1);
}

describe("ShuffleJob", () => {
  it("returns the native shuffle when the worker ran it", async () => {
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    for (const n of [2, 33, 5000]) {
      const input = list(n);
      const seed = hash(uintToBytes8(n));
      const job = new ShuffleJob(input, seed, ROUNDS);
      await untilDone(job);
      const shuffled = job.join();
      assert.equal(job.runner, "worker", `n=${n}`);
      assert.deepEqual(shuffled, shuffleListNative(input, seed, ROUNDS), `n=${n}`);
      // An ordinary array, not a view of the shared buffer the worker wrote
      assert.ok(shuffled.buffer instanceof ArrayBuffer);
      assert.equal(job.join(), shuffled, "joined once");
    }
  });

  it("returns the same when joined at once (the worker may not have started it)", () => {
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    const input = list(20_000);
    const seed = hash(uintToBytes8(7));
    const expected = shuffleListNative(input, seed, ROUNDS);
    for (let i = 0; i < 5; i++) {
      const job = new ShuffleJob(input, seed, ROUNDS);
      assert.deepEqual(job.join(), expected);
      assert.ok(job.runner === "worker" || job.runner === "caller");
    }
  });

  it("shuffles on the caller when off, or for a list under the threshold", () => {
    const input = list(100);
    const seed = hash(uintToBytes8(100));
    configureShuffleWorker({ enabled: false, minListLength: 2 });
    const off = new ShuffleJob(input, seed, ROUNDS);
    assert.equal(off.isDone(), false);
    assert.deepEqual(off.join(), shuffleListNative(input, seed, ROUNDS));
    assert.equal(off.runner, "caller");
    configureShuffleWorker({ enabled: true, minListLength: 101 });
    const short = new ShuffleJob(input, seed, ROUNDS);
    short.join();
    assert.equal(short.runner, "caller");
  });
});

const SLOTS_PER_EPOCH = 8;
const LAST_SLOT_OF_EPOCH_3 = 4 * SLOTS_PER_EPOCH - 1;
const VALIDATORS = 64;

function shufflings(ec: EpochContext) {
  return {
    epoch: ec.epoch,
    current: [...ec.currentShuffling.shuffled],
    next: [...ec.nextShuffling.shuffled],
    nextActive: [...ec.nextShuffling.activeIndices],
    nextCommittees: ec.nextShuffling.committees.map((slot) => slot.map((c) => [...c])),
    proposers: ec.proposers,
  };
}

/** Cross the boundary at the end of epoch 3 as processSlots does; `beforeRotation` may wait or tamper. */
async function crossEpoch(
  pre: CachedBeaconState,
  beforeRotation: (transition: ReturnType<typeof processEpoch>) => Promise<void> | void = () => {},
) {
  const cs = pre.clone();
  cs.caches.shufflings.clear();
  const transition = processEpoch(cs);
  await beforeRotation(transition);
  cs.state.slot += 1;
  cs.epochCtx.afterProcessEpoch(cs.state, transition);
  return { cs, transition };
}

describe("the epoch transition's shuffle of the epoch after next", () => {
  const ctx = minimalContext();
  const pre = handMadeState(
    ctx,
    LAST_SLOT_OF_EPOCH_3,
    Array.from({ length: VALIDATORS }, () => ({ effectiveBalance: 32 * ETH, previousFlags: 0b111 })),
  );

  it("is started by processEpoch, run on the worker, and rotates to the same context as shuffling in place", async () => {
    configureShuffleWorker({ enabled: false });
    const inPlace = await crossEpoch(pre);
    assert.equal(inPlace.transition.preparedNextShuffling?.job.runner, "caller");

    configureShuffleWorker({ enabled: true, minListLength: 2 });
    const offThread = await crossEpoch(pre, async (transition) => {
      const prepared = transition.preparedNextShuffling;
      assert.ok(prepared !== null, "processEpoch started the shuffle");
      assert.equal(prepared.epoch, 3 + 2);
      await untilDone(prepared.job);
    });
    assert.equal(offThread.transition.preparedNextShuffling?.job.runner, "worker");
    assert.deepEqual(shufflings(offThread.cs.epochCtx), shufflings(inPlace.cs.epochCtx));
    // And both equal a context rebuilt from the post-state from scratch
    const rebuilt = EpochContext.createFromState(ctx, offThread.cs.state, new ShufflingCache());
    assert.deepEqual(shufflings(rebuilt), shufflings(offThread.cs.epochCtx));
  });

  it("is not used when its inputs differ from the rotation's (the rotation shuffles in place)", async () => {
    configureShuffleWorker({ enabled: false });
    const expected = shufflings((await crossEpoch(pre)).cs.epochCtx);
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    for (const tamper of ["seed", "indices"] as const) {
      let bogus: ShuffleJob | null = null;
      const { cs } = await crossEpoch(pre, (transition) => {
        const prepared = transition.preparedNextShuffling;
        assert.ok(prepared !== null);
        const indices = tamper === "indices" ? prepared.activeIndices.slice(1) : prepared.activeIndices;
        const seed = tamper === "seed" ? hash(prepared.seed) : prepared.seed;
        bogus = new ShuffleJob(indices, seed, ROUNDS);
        transition.preparedNextShuffling = { ...prepared, activeIndices: indices, seed, job: bogus };
      });
      assert.deepEqual(shufflings(cs.epochCtx), expected, tamper);
      assert.equal((bogus as ShuffleJob | null)?.runner, null, `${tamper}: the prepared result was never joined`);
    }
  });

  it("is not started when the chain's cache already holds that shuffling", () => {
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    pre.caches.shufflings.clear();
    const cs = pre.clone();
    const transition = processEpoch(cs);
    assert.ok(transition.preparedNextShuffling !== null);
    cs.state.slot += 1;
    cs.epochCtx.afterProcessEpoch(cs.state, transition);
    // The same chain's caches (clones share them) now hold it: a replay starts nothing
    assert.equal(processEpoch(pre.clone()).preparedNextShuffling, null);
  });
});

describe("loading a state", () => {
  it("shuffles the previous epoch as a job beside the current one, to the same context", () => {
    const ctx = minimalContext();
    const loaded = handMadeState(
      ctx,
      LAST_SLOT_OF_EPOCH_3 - 3,
      Array.from({ length: VALIDATORS }, () => ({ effectiveBalance: 32 * ETH })),
    );
    configureShuffleWorker({ enabled: false });
    const inPlace = EpochContext.createFromState(ctx, loaded.state, new ShufflingCache());
    configureShuffleWorker({ enabled: true, minListLength: 2 });
    const before = shuffleJobCounts();
    const cache = new ShufflingCache();
    const withJob = EpochContext.createFromState(ctx, loaded.state, cache);
    const after = shuffleJobCounts();
    assert.equal(after.started - before.started, 1, "one job: the previous epoch's");
    assert.equal(after.byWorker + after.byCaller - before.byWorker - before.byCaller, 1, "and it was joined");
    assert.deepEqual(
      { previous: [...withJob.previousShuffling.shuffled], ...shufflings(withJob) },
      { previous: [...inPlace.previousShuffling.shuffled], ...shufflings(inPlace) },
    );
    // Loaded again with the same chain's cache: nothing to shuffle
    EpochContext.createFromState(ctx, loaded.state, cache);
    assert.equal(shuffleJobCounts().started, after.started);
  });
});
