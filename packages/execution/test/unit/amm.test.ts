import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { bytesToHex } from "@ethereumjs/util";
import { compileAmm, renderArtifact } from "../../contracts/compile.ts";
import { AMM_RUNTIME_BYTECODE } from "../../src/amm/ammArtifact.ts";
import {
  AMM_ADDRESS,
  AMM_BPS,
  AMM_FEE_BPS,
  ammCalldata,
  bigintSqrt,
  DEV_ACCOUNT_TOKENS,
  DEV_POOL_RESERVES,
  devAccounts,
  devGenesis,
  devPoolPrice,
  ExecutionLayer,
  getAmountOut,
  optimalArbitrage,
  PRICE_SCALE,
  parseGenesisJson,
  poolPrice,
  ReferencePrice,
  returnWord,
  valueAt,
} from "../../src/index.ts";

const GENESIS_TIME = 1_700_000_000;
const ETHER = 10n ** 18n;

describe("constant-product AMM", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-amm-"));
  let el: ExecutionLayer;
  before(async () => {
    el = await ExecutionLayer.open({ path: dir, genesis: devGenesis(), genesisTime: GENESIS_TIME });
  });
  after(async () => {
    await el.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the committed bytecode is what solc compiles from the committed source", () => {
    const fresh = compileAmm();
    assert.equal(fresh.runtime, AMM_RUNTIME_BYTECODE);
    const committed = readFileSync(fileURLToPath(new URL("../../src/amm/ammArtifact.ts", import.meta.url)), "utf8");
    assert.equal(renderArtifact(fresh), committed);
  });

  it("the genesis holds the pool's reserves and the dev accounts' TKN", async () => {
    const r = await el.call({ to: AMM_ADDRESS, data: bytesToHex(ammCalldata.getReserves()) });
    assert.equal(r.error, null);
    assert.equal(returnWord(r.returnValue, 0), DEV_POOL_RESERVES.eth);
    assert.equal(returnWord(r.returnValue, 1), DEV_POOL_RESERVES.token);
    const balance = await el.getAccount(AMM_ADDRESS);
    assert.equal(balance.balance, DEV_POOL_RESERVES.eth);
    const b = await el.call({ to: AMM_ADDRESS, data: bytesToHex(ammCalldata.balanceOf(devAccounts(3)[2].address)) });
    assert.equal(returnWord(b.returnValue, 0), DEV_ACCOUNT_TOKENS);
  });

  it("getAmountOut in TypeScript is the contract's, both ways, across sizes", async () => {
    const trader = devAccounts(1)[0].address;
    for (const amount of [1n, 10n ** 15n, ETHER, 123n * ETHER, 5_000n * ETHER]) {
      const buy = await el.call({
        from: trader,
        to: AMM_ADDRESS,
        value: `0x${amount.toString(16)}`,
        data: bytesToHex(ammCalldata.swapEthForToken(0n)),
      });
      assert.equal(buy.error, null);
      assert.equal(
        returnWord(buy.returnValue, 0),
        getAmountOut(amount, DEV_POOL_RESERVES.eth, DEV_POOL_RESERVES.token),
      );
      const sell = await el.call({
        from: trader,
        to: AMM_ADDRESS,
        data: bytesToHex(ammCalldata.swapTokenForEth(amount, 0n)),
      });
      assert.equal(sell.error, null);
      assert.equal(
        returnWord(sell.returnValue, 0),
        getAmountOut(amount, DEV_POOL_RESERVES.token, DEV_POOL_RESERVES.eth),
      );
    }
  });

  it("a swap below its minimum output, or selling more TKN than held, reverts", async () => {
    const trader = devAccounts(1)[0].address;
    const tooGreedy = await el.call({
      from: trader,
      to: AMM_ADDRESS,
      value: `0x${ETHER.toString(16)}`,
      data: bytesToHex(ammCalldata.swapEthForToken(10_000n * ETHER)),
    });
    assert.equal(tooGreedy.error, "revert");
    const overdrawn = await el.call({
      from: trader,
      to: AMM_ADDRESS,
      data: bytesToHex(ammCalldata.swapTokenForEth(DEV_ACCOUNT_TOKENS + 1n, 0n)),
    });
    assert.equal(overdrawn.error, "revert");
  });

  it("a genesis.json with code and storage round-trips through parseGenesisJson", () => {
    const g = devGenesis();
    const alloc: Record<string, unknown> = {};
    for (const [a, balance] of Object.entries(g.alloc)) alloc[a] = { balance: `0x${balance.toString(16)}` };
    for (const [a, c] of Object.entries(g.contracts ?? {})) alloc[a] = { ...(alloc[a] as object), ...c };
    const parsed = parseGenesisJson(JSON.stringify({ config: { chainId: g.chainId }, alloc }));
    assert.deepEqual(parsed.contracts, g.contracts);
    assert.deepEqual(parsed.alloc, g.alloc);
  });
});

describe("arbitrage against the reference price", () => {
  const gamma = Number(AMM_BPS - AMM_FEE_BPS) / Number(AMM_BPS);
  const profitOf = (ethIn: boolean, amountIn: bigint, price: bigint) => {
    const r = DEV_POOL_RESERVES;
    return ethIn
      ? valueAt(0n, getAmountOut(amountIn, r.eth, r.token), price) - amountIn
      : getAmountOut(amountIn, r.token, r.eth) - valueAt(0n, amountIn, price);
  };

  it("no trade while the pool is within its fee of the reference", () => {
    const p = devPoolPrice();
    assert.equal(optimalArbitrage(DEV_POOL_RESERVES, p), null);
    assert.equal(optimalArbitrage(DEV_POOL_RESERVES, (p * 1002n) / 1000n), null);
    assert.equal(optimalArbitrage(DEV_POOL_RESERVES, (p * 998n) / 1000n), null);
  });

  for (const [label, factor] of [
    ["reference 5% above: buy TKN", 1050n],
    ["reference 5% below: sell TKN", 950n],
  ] as const) {
    it(`${label}, the profit is maximal and the pool ends at the reference net of fee`, () => {
      const price = (devPoolPrice() * factor) / 1000n;
      const arb = optimalArbitrage(DEV_POOL_RESERVES, price);
      assert.ok(arb);
      assert.equal(arb.ethIn, factor > 1000n);
      assert.ok(arb.profitWei > 0n);
      assert.equal(arb.profitWei, profitOf(arb.ethIn, arb.amountIn, price));
      // Optimal: trading 1% more or less earns less
      assert.ok(profitOf(arb.ethIn, (arb.amountIn * 101n) / 100n, price) < arb.profitWei);
      assert.ok(profitOf(arb.ethIn, (arb.amountIn * 99n) / 100n, price) < arb.profitWei);
      // After the trade the pool's marginal price, net of fee, is the reference (to the fee paid on the fee)
      const after = arb.ethIn
        ? { eth: DEV_POOL_RESERVES.eth + arb.amountIn, token: DEV_POOL_RESERVES.token - arb.amountOut }
        : { eth: DEV_POOL_RESERVES.eth - arb.amountOut, token: DEV_POOL_RESERVES.token + arb.amountIn };
      const marginal = Number(poolPrice(after)) / Number(PRICE_SCALE);
      const net = arb.ethIn ? marginal / gamma : marginal * gamma;
      const ref = Number(price) / Number(PRICE_SCALE);
      assert.ok(Math.abs(net / ref - 1) < 2e-4, `${net} vs ${ref}`);
    });
  }

  it("a cap on the input bounds the trade", () => {
    const price = (devPoolPrice() * 1100n) / 1000n;
    const arb = optimalArbitrage(DEV_POOL_RESERVES, price, { eth: ETHER, token: 0n });
    assert.ok(arb);
    assert.equal(arb.amountIn, ETHER);
    assert.equal(optimalArbitrage(DEV_POOL_RESERVES, price, { eth: 0n, token: 0n }), null);
  });

  it("bigintSqrt is the floor of the square root", () => {
    for (const n of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 40n + 7n, (1n << 255n) - 1n]) {
      const s = bigintSqrt(n);
      assert.ok(s * s <= n && (s + 1n) * (s + 1n) > n, `sqrt(${n})`);
    }
    assert.throws(() => bigintSqrt(-1n), RangeError);
  });

  it("the reference price is a deterministic walk from the pool's price", () => {
    const spec = { seed: 7, initial: devPoolPrice(), volatility: 0.02, startTime: GENESIS_TIME, stepSeconds: 6 };
    const a = new ReferencePrice(spec);
    const b = new ReferencePrice(spec);
    assert.equal(a.atStep(0), devPoolPrice());
    const path = Array.from({ length: 50 }, (_, i) => a.atStep(i));
    assert.deepEqual(Array.from({ length: 50 }, (_, i) => b.atStep(49 - i)).reverse(), path);
    assert.ok(new Set(path.map(String)).size > 40, "the price moves");
    assert.equal(a.stepAt(GENESIS_TIME + 13), 2);
    assert.equal(a.at(GENESIS_TIME - 100), devPoolPrice());
    assert.notDeepEqual(new ReferencePrice({ ...spec, seed: 8 }).atStep(10), path[10]);
  });
});
