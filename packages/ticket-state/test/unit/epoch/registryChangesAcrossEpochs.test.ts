import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CachedBeaconState,
  computeEpochAtSlot,
  FAR_FUTURE_EPOCH,
  processSlots,
  readAllValues,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";

/**
 * Regression: any change to the registry inside a block or an epoch transition (slashing, exit,
 * ejection) left `state.validators` with uncommitted changes, and the epoch context's rotation
 * then read the whole list and threw "Must commit changes before reading all nodes" at every
 * epoch boundary afterwards: the chain halted.
 */
const EPOCHS_AFTER = 5;

function runEpochs(chain: DevChain, epochs: number): void {
  const { SLOTS_PER_EPOCH } = chain.ctx.preset;
  const end = chain.slot + epochs * SLOTS_PER_EPOCH;
  while (chain.slot < end) chain.advance();
}

/** A validator the next block's proposer is not (its balance moves with the proposer reward too). */
function notNextProposer(chain: DevChain, candidates: number[]): number {
  const proposer = chain.produceBlock(chain.slot + 1).message.proposer_index;
  const chosen = candidates.find((i) => i !== proposer);
  assert.ok(chosen !== undefined);
  return chosen;
}

describe("registry changes do not halt the chain at later epoch boundaries", () => {
  it("a proposer slashing, then 5 epochs of blocks", () => {
    const chain = devChain();
    const culprit = notNextProposer(chain, [7, 8]);
    chain.advance({ proposerSlashings: [chain.doubleProposal(culprit, 0)] });
    runEpochs(chain, EPOCHS_AFTER);
    const v = chain.head.state.validators.getReadonly(culprit);
    assert.equal(v.slashed, true);
    assert.ok(v.exit_epoch <= computeEpochAtSlot(chain.ctx, chain.slot), "the slashed validator has exited");
    assert.equal(chain.head.epochCtx.effectiveBalanceIncrements.length, 64);
  });

  it("an attester slashing, then 5 epochs of blocks", () => {
    const chain = devChain();
    chain.advance({ attesterSlashings: [chain.doubleVote([20, 21], 0)] });
    runEpochs(chain, EPOCHS_AFTER);
    for (const i of [20, 21]) assert.equal(chain.head.state.validators.getReadonly(i).slashed, true);
  });

  it("a voluntary exit, then 5 epochs of blocks; the exited validator leaves the shuffling", () => {
    const chain = devChain({ SHARD_COMMITTEE_PERIOD: 0 });
    chain.advance({ voluntaryExits: [chain.signVoluntaryExit(30)] });
    runEpochs(chain, EPOCHS_AFTER);
    const v = chain.head.state.validators.getReadonly(30);
    const epoch = computeEpochAtSlot(chain.ctx, chain.slot);
    assert.ok(v.exit_epoch !== FAR_FUTURE_EPOCH && v.exit_epoch <= epoch);
    assert.ok(!chain.head.epochCtx.currentShuffling.activeIndices.includes(30));
  });

  it("an ejection (effective balance at EJECTION_BALANCE), then 5 epochs of blocks", () => {
    const chain = devChain();
    const { EJECTION_BALANCE } = chain.ctx.config;
    // Make validator 40 poor, as a long leak would, and rebuild the caches from that state
    const state = chain.head.state;
    state.balances.set(40, EJECTION_BALANCE);
    const v = state.validators.get(40);
    v.effective_balance = EJECTION_BALANCE;
    state.commit();
    chain.head = CachedBeaconState.create(chain.ctx, state);
    runEpochs(chain, EPOCHS_AFTER);
    const exitEpoch = chain.head.state.validators.getReadonly(40).exit_epoch;
    assert.ok(exitEpoch <= computeEpochAtSlot(chain.ctx, chain.slot), `validator 40 exits (exit epoch ${exitEpoch})`);
  });

  /** Nobody votes from genesis: every epoch of `epochs` is a leak epoch (no finality). */
  function leak(overrides: Parameters<typeof devChain>[0], epochs: number) {
    const chain = devChain(overrides);
    const cs = chain.head.clone();
    processSlots(cs, epochs * chain.ctx.preset.SLOTS_PER_EPOCH);
    assert.equal(computeEpochAtSlot(chain.ctx, cs.state.slot), epochs);
    assert.equal(cs.state.finalized_checkpoint.epoch, 0);
    return readAllValues(cs.state.validators);
  }

  it("an inactivity leak from genesis runs past the first effective-balance drop (epoch 228 on minimal)", () => {
    const validators = leak({}, 240);
    assert.ok(validators.every((v) => v.effective_balance < 32 * 10 ** 9));
  });

  it("an inactivity leak from genesis runs past ejections", () => {
    // With EJECTION_BALANCE one increment below the start, the first drop ejects every validator,
    // a churn limit's worth per epoch
    const validators = leak({ EJECTION_BALANCE: 31 * 10 ** 9 }, 240);
    const exits = validators.map((v) => v.exit_epoch);
    assert.ok(
      exits.every((e) => e !== FAR_FUTURE_EPOCH),
      "every validator is queued to exit",
    );
    assert.ok(
      exits.some((e) => e <= 240),
      "the first ones have exited",
    );
  });
});

describe("processSlots", () => {
  it("refuses a slot that is not an exact integer instead of looping for ever", () => {
    const chain = devChain();
    const cs = chain.head.clone();
    const root = cs.hashTreeRoot();
    for (const slot of [Number.POSITIVE_INFINITY, 2 ** 64 - 1, 2 ** 53, Number.NaN]) {
      assert.throws(
        () => processSlots(cs, slot),
        (e: unknown) => (e as { code?: string }).code === "BLOCK_SLOT_OUT_OF_RANGE",
      );
    }
    assert.deepEqual(cs.hashTreeRoot(), root);
  });
});
