import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CachedBeaconState,
  computeEpochShuffling,
  EpochContext,
  processEpoch,
  readUint64List,
  ShufflingCache,
} from "@turnstile/ticket-state";
import { minimalContext } from "../../utils/chain.ts";
import { ETH, type HandValidator, handMadeState } from "./epochHelpers.ts";

/**
 * The epoch-cache rotation reuses the transition's cache (next shuffling's active set, new
 * effective balances, the next epoch's total, an exit queue that only moves forward) instead of
 * reading the registry. Whatever the transition did, the rotated context must equal one rebuilt
 * from the post-state from scratch, and the one the registry-reading rotation gives.
 */
const SLOTS_PER_EPOCH = 8;
const LAST_SLOT_OF_EPOCH_3 = 4 * SLOTS_PER_EPOCH - 1;
const ALL_FLAGS = 0b111;
const VALIDATORS = 64;

function summary(ec: EpochContext) {
  return {
    epoch: ec.epoch,
    previous: [...ec.previousShuffling.shuffled],
    current: [...ec.currentShuffling.shuffled],
    next: [...ec.nextShuffling.shuffled],
    nextActive: [...ec.nextShuffling.activeIndices],
    proposers: ec.proposers,
    increments: [...ec.effectiveBalanceIncrements],
    totalActiveBalanceIncrements: ec.totalActiveBalanceIncrements,
    baseRewardPerIncrement: ec.baseRewardPerIncrement,
    churnLimit: ec.churnLimit,
    exitQueueEpoch: ec.exitQueueEpoch,
    exitQueueChurn: ec.exitQueueChurn,
  };
}

/** Rotate with the transition's cache, and compare with both other ways. */
function assertRotationsAgree(validators: HandValidator[]): CachedBeaconState {
  const ctx = minimalContext();
  const pre = handMadeState(ctx, LAST_SLOT_OF_EPOCH_3, validators);
  // The epoch boundary as processSlots crosses it (its per-slot ticket step needs a market)
  const fast = pre.clone();
  const transition = processEpoch(fast);
  fast.state.slot += 1;
  fast.epochCtx.afterProcessEpoch(fast.state, transition);
  const rebuilt = EpochContext.createFromState(ctx, fast.state, new ShufflingCache());
  assert.deepEqual(summary(fast.epochCtx), summary(rebuilt));
  // The registry-reading rotation (no transition cache) from the same post-epoch state
  const slow = pre.clone();
  slow.caches.shufflings.clear();
  const slowEpochCtx = slow.epochCtx;
  processEpoch(slow);
  slow.state.slot += 1;
  slowEpochCtx.afterProcessEpoch(slow.state);
  assert.deepEqual(summary(slowEpochCtx), summary(fast.epochCtx));
  return fast;
}

function everyoneAt32(overrides: Record<number, HandValidator> = {}): HandValidator[] {
  return Array.from(
    { length: VALIDATORS },
    (_, i) => overrides[i] ?? { effectiveBalance: 32 * ETH, previousFlags: ALL_FLAGS },
  );
}

describe("epoch-cache rotation from the transition's cache", () => {
  it("equals a rebuild when effective balances move up and down (total active balance changes)", () => {
    const post = assertRotationsAgree(
      everyoneAt32({
        3: { effectiveBalance: 32 * ETH, balance: 30 * ETH, previousFlags: ALL_FLAGS },
        9: { effectiveBalance: 20 * ETH, balance: 26 * ETH, previousFlags: ALL_FLAGS },
        17: { effectiveBalance: 31 * ETH, balance: 29 * ETH, previousFlags: 0 },
      }),
    );
    // 30 ETH plus this epoch's rewards: down by whole increments to 30 ETH
    assert.equal(post.state.validators.getReadonly(3).effective_balance, 30 * ETH);
    assert.equal(post.state.validators.getReadonly(9).effective_balance, 26 * ETH);
    // 32 -> 30, 20 -> 26, 31 -> 28: the total moves by +1 increment (2035 -> 2036)
    assert.equal(post.state.validators.getReadonly(17).effective_balance, 28 * ETH);
    assert.equal(post.epochCtx.totalActiveBalanceIncrements, (VALIDATORS - 3) * 32 + 30 + 26 + 28);
  });

  it("equals a rebuild when the transition ejects validators (exit queue and next active set)", () => {
    const post = assertRotationsAgree(
      everyoneAt32({
        5: { effectiveBalance: 16 * ETH, previousFlags: ALL_FLAGS },
        6: { effectiveBalance: 15 * ETH, previousFlags: 0 },
      }),
    );
    assert.notEqual(post.state.validators.getReadonly(5).exit_epoch, Number.POSITIVE_INFINITY);
    // Queued at activation_exit_epoch(3) = 8; in epoch 4 the queue's floor (9) is past it
    assert.equal(post.state.validators.getReadonly(5).exit_epoch, 8);
    assert.equal(post.epochCtx.exitQueueEpoch, 9);
  });

  it("equals a rebuild with slashed validators and validators not yet active", () => {
    assertRotationsAgree(
      everyoneAt32({
        2: { effectiveBalance: 32 * ETH, slashed: true, previousFlags: ALL_FLAGS },
        11: { effectiveBalance: 32 * ETH, activationEpoch: 5, previousFlags: 0 },
        12: { effectiveBalance: 32 * ETH, activationEpoch: 6, previousFlags: 0 },
      }),
    );
  });
});

describe("next shuffling after a state load", () => {
  it("is shuffled on first use, from what the state held at load, and cached for the chain", () => {
    const ctx = minimalContext();
    const source = handMadeState(ctx, LAST_SLOT_OF_EPOCH_3, everyoneAt32());
    const bytes = source.serialize();
    const loaded = CachedBeaconState.fromBytes(ctx, bytes);
    const shufflings = loaded.caches.shufflings;
    // previous and current epochs' shufflings only
    assert.equal(shufflings.size, 2);
    const expected = computeEpochShuffling(ctx, source.state, source.epochCtx.nextShuffling.activeIndices, 4);
    // A later change to the state (a new randao mix for the deciding epoch) cannot reach it
    loaded.state.randao_mixes.set(2, new Uint8Array(32).fill(7));
    const copy = loaded.clone();
    assert.deepEqual([...loaded.epochCtx.getShufflingAtEpoch(4).shuffled], [...expected.shuffled]);
    assert.equal(shufflings.size, 3);
    assert.equal(copy.epochCtx.getShufflingAtEpoch(4), loaded.epochCtx.getShufflingAtEpoch(4), "copies share it");
  });
});

describe("readUint64List", () => {
  it("reads the same numbers as getAll(), at every length modulo 4 and past 2^32", () => {
    const type = minimalContext().ssz.BeaconState.fields.balances;
    for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 9, 33]) {
      const values = Array.from(
        { length },
        (_, i) => (i % 3 === 0 ? 2 ** 40 + i : i * 1_000_003) + (i === 5 ? 2 ** 52 : 0),
      );
      const view = type.toViewDU(values);
      // An uncommitted change: read after committing it
      if (length > 0) view.set(length - 1, 123);
      assert.deepEqual(readUint64List(view), view.getAll(), `length ${length}`);
    }
  });
});
