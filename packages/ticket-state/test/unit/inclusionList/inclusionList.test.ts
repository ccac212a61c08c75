import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildInclusionList,
  DEFAULT_GAS_LIMIT,
  DeterministicExecutionEngine,
  InclusionListError,
  processSlotsCopy,
  SYNTHETIC_TX_GAS,
  SYNTHETIC_TX_LENGTH,
  USER_TX_TYPE,
  validateInclusionList,
} from "@turnstile/ticket-state";
import { devChain } from "../../utils/chain.ts";

function userTx(seed: number, length = SYNTHETIC_TX_LENGTH): Uint8Array {
  const tx = new Uint8Array(length).fill(seed);
  tx[0] = USER_TX_TYPE;
  return tx;
}

describe("buildInclusionList", () => {
  const chain = devChain();
  const pre = processSlotsCopy(chain.head, 1);
  const key = chain.validatorKeys[pre.epochCtx.getBeaconProposer(1)];
  const { MAX_TRANSACTIONS_PER_INCLUSION_LIST, MAX_BYTES_PER_INCLUSION_LIST } = pre.ctx.preset;

  it("lists candidates in order, once each, up to MAX_TRANSACTIONS_PER_INCLUSION_LIST, and the list validates", () => {
    const candidates = Array.from({ length: MAX_TRANSACTIONS_PER_INCLUSION_LIST + 4 }, (_, i) => userTx(i + 1));
    const signed = buildInclusionList(pre, [candidates[0], candidates[0], new Uint8Array(0), ...candidates], key);
    assert.equal(signed.message.transactions.length, MAX_TRANSACTIONS_PER_INCLUSION_LIST);
    assert.deepEqual(signed.message.transactions, candidates.slice(0, MAX_TRANSACTIONS_PER_INCLUSION_LIST));
    assert.equal(signed.message.slot, 1);
    validateInclusionList(pre, signed);
  });

  it("skips a candidate that would pass MAX_BYTES_PER_INCLUSION_LIST and takes smaller ones after it", () => {
    const big = userTx(1, MAX_BYTES_PER_INCLUSION_LIST - 10);
    const signed = buildInclusionList(pre, [big, userTx(2, 64), userTx(3, 8)], key);
    assert.deepEqual(
      signed.message.transactions.map((tx) => tx.length),
      [MAX_BYTES_PER_INCLUSION_LIST - 10, 8],
    );
    validateInclusionList(pre, signed);
  });

  it("a list signed by another key fails with INCLUSION_LIST_INVALID_SIGNATURE and changes nothing", () => {
    const other = chain.validatorKeys[(pre.epochCtx.getBeaconProposer(1) + 1) % 64];
    const root = pre.hashTreeRoot();
    assert.throws(
      () => validateInclusionList(pre, buildInclusionList(pre, [userTx(1)], other)),
      (e) => e instanceof InclusionListError && e.code === "INCLUSION_LIST_INVALID_SIGNATURE",
    );
    assert.deepEqual(pre.hashTreeRoot(), root);
  });
});

describe("the built-in engine and inclusion lists", () => {
  const chain = devChain();
  const engine = new DeterministicExecutionEngine(chain.ctx);
  const args = {
    parentHash: new Uint8Array(32),
    feeRecipient: new Uint8Array(20),
    gasLimit: DEFAULT_GAS_LIMIT,
    timestamp: 12,
    prevRandao: new Uint8Array(32),
    slot: 1,
  };

  it("builds the valid listed transactions in after the MEV, and the payload satisfies the list", () => {
    const invalid = userTx(9);
    invalid[0] = 0x01;
    const listed = [userTx(1), invalid, userTx(2), userTx(1)];
    const payload = engine.buildPayload({ ...args, inclusionListTransactions: listed });
    const mev = 1 + (engine.slotMevValue(1) % 4);
    assert.equal(payload.transactions.length, mev + 2);
    assert.equal(payload.gas_used, (mev + 2) * SYNTHETIC_TX_GAS);
    assert.equal(engine.isInclusionListSatisfied(payload, listed), true);
    const censored = engine.buildPayload(args);
    assert.equal(engine.isInclusionListSatisfied(censored, listed), false);
  });

  it("counts room from the transactions, not from the gas_used a builder writes", () => {
    const censored = engine.buildPayload(args);
    const claimedFull = { ...censored, gas_used: censored.gas_limit };
    assert.equal(engine.isInclusionListSatisfied(claimedFull, [userTx(1)]), false);
  });
});
