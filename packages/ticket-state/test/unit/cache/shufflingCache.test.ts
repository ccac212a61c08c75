import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CachedBeaconState,
  computeEpochAtSlot,
  computeProposerIndexNative,
  computeProposerIndexSpec,
  createChainContext,
  EpochContext,
  hash,
  mainnetChainConfig,
  processSlots,
  ShufflingCache,
  shufflingDecisionKey,
  uintToBytes8,
} from "@turnstile/ticket-state";
import { devChain } from "../../utils/chain.ts";

describe("shuffling cache", () => {
  it("a state reloaded from bytes reuses the chain's shufflings, and they equal a fresh computation", () => {
    const chain = devChain();
    const { SLOTS_PER_EPOCH } = chain.ctx.preset;
    while (chain.slot < 3 * SLOTS_PER_EPOCH + 2) chain.advance();
    const head = chain.head;
    const caches = head.caches;
    const reloaded = CachedBeaconState.fromBytes(chain.ctx, head.serialize(), caches);
    // Same decision roots: the very same objects, no shuffle done again
    assert.equal(reloaded.epochCtx.currentShuffling, head.epochCtx.currentShuffling);
    assert.equal(reloaded.epochCtx.nextShuffling, head.epochCtx.nextShuffling);
    assert.equal(reloaded.epochCtx.previousShuffling, head.epochCtx.previousShuffling);
    // And a context built without the cache agrees on every committee
    const fresh = EpochContext.createFromState(chain.ctx, head.state, new ShufflingCache());
    assert.notEqual(fresh.currentShuffling, head.epochCtx.currentShuffling);
    for (const which of ["previousShuffling", "currentShuffling", "nextShuffling"] as const) {
      assert.deepEqual(Array.from(fresh[which].shuffled), Array.from(head.epochCtx[which].shuffled), which);
    }
    assert.deepEqual(fresh.proposers, head.epochCtx.proposers);
  });

  it("a fork with a different deciding block gets its own shuffling", () => {
    const chain = devChain();
    const { SLOTS_PER_EPOCH } = chain.ctx.preset;
    while (chain.slot < 2 * SLOTS_PER_EPOCH) chain.advance();
    // Two branches from the same state: one with a block at the epoch's last slot, one skipping it
    const base = chain.head.clone();
    const epoch = computeEpochAtSlot(chain.ctx, base.state.slot);
    const withBlock = chain.head;
    while (chain.slot < (epoch + 1) * SLOTS_PER_EPOCH) chain.advance();
    const skipped = base.clone();
    processSlots(skipped, (epoch + 1) * SLOTS_PER_EPOCH);
    const nextEpoch = epoch + 2;
    const keyA = shufflingDecisionKey(chain.ctx, chain.head.state, nextEpoch);
    const keyB = shufflingDecisionKey(chain.ctx, skipped.state, nextEpoch);
    assert.notEqual(keyA, null);
    assert.notEqual(keyA, keyB);
    assert.notEqual(skipped.epochCtx.nextShuffling, withBlock.epochCtx.nextShuffling);
  });

  it("is bounded, least recently used first out", () => {
    const cache = new ShufflingCache(2);
    const make = (epoch: number) => () => ({
      epoch,
      activeIndices: new Uint32Array(0),
      shuffled: new Uint32Array(0),
      committeesPerSlot: 1,
      committees: [],
    });
    const a = cache.getOrCompute("a", make(1));
    cache.getOrCompute("b", make(2));
    assert.equal(cache.getOrCompute("a", make(9)), a);
    cache.getOrCompute("c", make(3));
    assert.equal(cache.size, 2);
    assert.equal(cache.getOrCompute("a", make(9)), a);
    assert.equal(cache.getOrCompute("b", make(8)).epoch, 8, "b was the least recently used: evicted");
  });
});

describe("native proposer sampling", () => {
  it("equals the spec's compute_proposer_index over mixed effective balances", () => {
    const ctx = createChainContext(mainnetChainConfig);
    const { MAX_EFFECTIVE_BALANCE, EFFECTIVE_BALANCE_INCREMENT, SHUFFLE_ROUND_COUNT } = ctx.preset;
    const n = 1000;
    const indices = Uint32Array.from({ length: n }, (_, i) => i * 2);
    const maxIncrements = MAX_EFFECTIVE_BALANCE / EFFECTIVE_BALANCE_INCREMENT;
    // Low balances force several rejected candidates before one is accepted
    const increments = Uint16Array.from({ length: 2 * n }, (_, i) => (i * 7919) % (maxIncrements + 1));
    for (let slot = 0; slot < 64; slot++) {
      const seed = hash(uintToBytes8(slot));
      const args = [
        seed,
        indices,
        increments,
        MAX_EFFECTIVE_BALANCE,
        EFFECTIVE_BALANCE_INCREMENT,
        SHUFFLE_ROUND_COUNT,
      ] as const;
      assert.equal(computeProposerIndexNative(...args), computeProposerIndexSpec(...args), `slot ${slot}`);
    }
  });
});
