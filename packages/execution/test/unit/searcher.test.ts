import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import {
  AMM_ADDRESS,
  AMM_SWAP_GAS_LIMIT,
  ammCalldata,
  DEV_POOL_RESERVES,
  devAccounts,
  devGenesis,
  devPoolPrice,
  ExecutionLayer,
  engineMethods,
  getAmountOut,
  INITIAL_BASE_FEE,
  optimalArbitrage,
  PayloadStatusV1,
  ReferencePrice,
  returnWord,
  searcherAccount,
} from "../../src/index.ts";

const GENESIS_TIME = 1_700_000_000;
const SLOT_SECONDS = 6;
const ETHER = 10n ** 18n;
const HOLDER = `0x${"bb".repeat(20)}` as const;
const SELF = `0x${"aa".repeat(20)}` as const;

/** A reference price that is the pool's at genesis and stays there (volatility 0). */
const flatPrice = () =>
  new ReferencePrice({
    seed: 1,
    initial: devPoolPrice(),
    volatility: 0,
    startTime: GENESIS_TIME,
    stepSeconds: SLOT_SECONDS,
  });

async function build(el: ExecutionLayer, slot: number, feeRecipient: `0x${string}`) {
  const head = bytesToHex(el.headBlock().hash());
  const fcu = await el.forkchoiceUpdated(
    { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head },
    {
      timestamp: `0x${(GENESIS_TIME + slot * SLOT_SECONDS).toString(16)}`,
      prevRandao: `0x${"11".repeat(32)}`,
      suggestedFeeRecipient: feeRecipient,
    },
  );
  return fcu.payloadId!;
}

function userSwap(el: ExecutionLayer, nonce: bigint, ethIn: bigint) {
  return createFeeMarket1559Tx(
    {
      chainId: BigInt(el.chainId),
      nonce,
      to: AMM_ADDRESS,
      value: ethIn,
      data: ammCalldata.swapEthForToken(0n),
      gasLimit: AMM_SWAP_GAS_LIMIT,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
    },
    { common: el.common },
  ).sign(devAccounts(1)[0].privateKey);
}

describe("the payload builder's arbitrage (searcher)", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-searcher-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("back-runs a user's swap: the pool returns to the reference, the profit is realised, importers agree", async () => {
    const searcher = searcherAccount(0);
    const el = await ExecutionLayer.open({
      path: join(dir, "builder"),
      genesis: devGenesis(),
      genesisTime: GENESIS_TIME,
      searcher: { privateKey: searcher.privateKey, referencePrice: flatPrice(), feeRecipient: HOLDER },
    });
    const importer = await ExecutionLayer.open({
      path: join(dir, "importer"),
      genesis: devGenesis(),
      genesisTime: GENESIS_TIME,
    });
    try {
      // A large buy pushes TKN's pool price above the reference: selling TKN back earns
      await el.sendRawTransaction(userSwap(el, 0n, 200n * ETHER).serialize());
      const payloadId = await build(el, 1, HOLDER);
      const payload = el.getPayload(payloadId);
      assert.equal(payload.transactions.length, 2, "the user's swap, then the arbitrage");
      const mev = el.getPayloadMev(payloadId);
      assert.ok(mev.realisedWei > 0n, `realised ${mev.realisedWei}`);
      assert.equal(mev.referencePrice, devPoolPrice());
      assert.ok(mev.txHash !== null);
      // The profit is what the formula expects on the post-swap pool, less the gas burnt
      const bought = getAmountOut(200n * ETHER, DEV_POOL_RESERVES.eth, DEV_POOL_RESERVES.token);
      const expected = optimalArbitrage(
        { eth: DEV_POOL_RESERVES.eth + 200n * ETHER, token: DEV_POOL_RESERVES.token - bought },
        devPoolPrice(),
      );
      assert.ok(expected && !expected.ethIn);
      const maxGasCost = AMM_SWAP_GAS_LIMIT * INITIAL_BASE_FEE;
      assert.ok(mev.realisedWei <= expected.profitWei && mev.realisedWei > expected.profitWei - maxGasCost);
      assert.equal((await importer.newPayload(payload)).status, PayloadStatusV1.VALID);
      await importer.forkchoiceUpdated(
        { headBlockHash: payload.blockHash, safeBlockHash: payload.blockHash, finalizedBlockHash: payload.blockHash },
        null,
      );
      const r = await importer.call({ to: AMM_ADDRESS, data: bytesToHex(ammCalldata.getReserves()) });
      const reserves = { eth: returnWord(r.returnValue, 0), token: returnWord(r.returnValue, 1) };
      // Back within the fee band: no profitable arbitrage is left
      assert.equal(optimalArbitrage(reserves, devPoolPrice()), null);
      // The engine API extension reports the same figure
      const methods = engineMethods(el);
      const json = (await methods.engine_getPayloadMevV1([payloadId])) as { realisedMevWei: string };
      assert.equal(BigInt(json.realisedMevWei), mev.realisedWei);
    } finally {
      await el.close();
      await importer.close();
    }
  });

  it("leaves payloads for another fee recipient, and a pool at the reference, alone", async () => {
    const el = await ExecutionLayer.open({
      path: join(dir, "b2"),
      genesis: devGenesis(),
      genesisTime: GENESIS_TIME,
      searcher: { privateKey: searcherAccount(1).privateKey, referencePrice: flatPrice(), feeRecipient: HOLDER },
    });
    try {
      const atReference = await build(el, 1, HOLDER);
      assert.equal(el.getPayload(atReference).transactions.length, 0);
      assert.equal(el.getPayloadMev(atReference).realisedWei, 0n);
      await el.sendRawTransaction(userSwap(el, 0n, 200n * ETHER).serialize());
      const other = await build(el, 2, SELF);
      assert.equal(el.getPayload(other).transactions.length, 1, "only the user's swap");
      assert.equal(el.getPayloadMev(other).txHash, null);
      assert.throws(() => el.getPayloadMev("0x0000000000000001"), /unknown payload/);
    } finally {
      await el.close();
    }
  });

  it("a build takes mempool transactions only within its budget; listed ones still go in", async () => {
    const el = await ExecutionLayer.open({
      path: join(dir, "budget"),
      genesis: devGenesis(),
      genesisTime: GENESIS_TIME,
      buildBudgetMs: 0,
    });
    try {
      const swap = userSwap(el, 0n, ETHER);
      await el.sendRawTransaction(swap.serialize());
      const payloadId = await build(el, 1, SELF);
      assert.equal(el.getPayload(payloadId).transactions.length, 0, "no time for the pool");
      await el.updatePayloadWithInclusionList(payloadId, [swap.serialize()]);
      assert.equal(el.getPayload(payloadId).transactions.length, 1, "the inclusion list is not cut");
    } finally {
      await el.close();
    }
  });
});
