import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectedWait, waitDiscount } from "../../src/market/agents.ts";
import type { RunResult, SlotRecord } from "../../src/market/labRun.ts";
import {
  blockCorrelation,
  capture,
  hhi,
  meanSd,
  pearson,
  presentValue,
  runMetrics,
  settleTime,
  summarize,
  topShare,
  volatility,
} from "../../src/market/metrics.ts";

const close = (a: number | null, b: number, eps = 1e-12) => {
  assert.ok(a !== null, "expected a number, got null");
  assert.ok(Math.abs(a - b) <= eps, `${a} is not ${b}`);
};

describe("market metrics: definitions on hand-computed cases", () => {
  it("capture is revenue over MEV, null without MEV", () => {
    close(capture(30, 100), 0.3);
    assert.equal(capture(5, 0), null);
  });

  it("HHI and top-holder share of slots 2:1:1 are 0.375 and 0.5; one holder is 1", () => {
    close(hhi([2, 1, 1]), 0.25 + 0.0625 + 0.0625);
    close(topShare([2, 1, 1]), 0.5);
    close(hhi([7]), 1);
    close(hhi([1, 1, 1, 1]), 0.25);
    assert.equal(hhi([]), null);
  });

  it("Pearson correlation: ±1 on lines, 0.8 on a hand-worked case, null on a constant", () => {
    close(pearson([1, 2, 3], [2, 4, 6]), 1);
    close(pearson([1, 2, 3], [3, 2, 1]), -1);
    // dx = dy-ish: Σdxdy = 2.25 - 0.25 - 0.25 + 2.25 = 4, Σdx² = Σdy² = 5
    close(pearson([1, 2, 3, 4], [1, 3, 2, 4]), 0.8);
    assert.equal(pearson([1, 2, 3], [5, 5, 5]), null);
    assert.equal(pearson([1], [1]), null);
  });

  it("block correlation compares block means, leaving out a trailing partial block", () => {
    // blocks of 2: x means 1, 3, 5; y means 10, 30, 50 (noise inside each block cancels)
    close(blockCorrelation([0, 2, 2, 4, 4, 6, 100], [11, 9, 29, 31, 49, 51, -100], 2), 1);
    // a 3rd block is needed
    assert.equal(blockCorrelation([1, 2, 3, 4], [1, 2, 3, 4], 2), null);
  });

  it("present value weights the lottery's draws and leaves out slots it cannot cover", () => {
    // pool 1 → n = 2, q = 1/2; no lookahead, no discounting: weights 1/2, 1/4, ... over slots 2..6
    const mev = [0, 0, 8, 8, 8, 8, 8];
    close(presentValue(1, 1, mev, 0, 0), 8 * (1 - 1 / 32));
    // from slot 2 only four draws remain: 15/16 < 95% covered
    assert.equal(presentValue(2, 1, mev, 0, 0), null);
    // an empty pool: the ticket is drawn at once and builds lookahead + 1 slots later, discounted
    const rho = 0.01;
    close(presentValue(1, 0, [0, 1, 2, 3, 40, 5], 2, rho), 40 / (1 + rho) ** 3, 1e-9);
  });

  it("volatility is the sample sd of log returns", () => {
    const a = Math.log(110 / 100);
    const b = Math.log(99 / 110);
    close(volatility([100, 110, 99]), Math.abs(a - b) / Math.SQRT2);
    close(volatility([5, 5, 5, 5]), 0);
  });

  it("settle time: the rolling mean of 16 prices reaches the 10% band of the post-shock level", () => {
    // shock at slot 11: 16 slots at 10, then 64 at 20. rolling[i] = 10 + 10 i / 16 ≥ 18 from i = 13,
    // and rolling[13] ends at slot 11 + 13 + 15: 28 slots after the shock
    const prices = [...Array(10).fill(10), ...Array(16).fill(10), ...Array(64).fill(20)];
    assert.equal(settleTime(prices, 1, 11), 28);
    assert.equal(settleTime(prices, 1, 500), null);
    // a price that never comes back within the band of where it ends does not settle
    const drifting = Array.from({ length: 80 }, (_, i) => 10 * 1.05 ** i);
    assert.equal(settleTime(drifting, 1, 1), null);
  });

  it("mean ± sample sd", () => {
    const m = meanSd([1, 2, 3, 4]);
    close(m.mean, 2.5);
    close(m.sd, Math.sqrt(5 / 3));
    assert.deepEqual(meanSd([]), { mean: null, sd: null, n: 0 });
    assert.equal(meanSd([3]).sd, null);
  });

  it("wait discount: an empty pool without lookahead or time preference is worth the slot", () => {
    close(waitDiscount(1, 0, 0), 1);
    // n = 4, ρ = 0: the ticket is drawn some day, worth the whole slot
    close(waitDiscount(4, 0, 0), 1);
    // ρ > 0 discounts a longer wait more
    assert.ok(waitDiscount(40, 8, 0.01) < waitDiscount(4, 8, 0.01));
    assert.equal(expectedWait(0, 8), 9);
  });
});

function record(slot: number, fields: Partial<SlotRecord>): SlotRecord {
  return {
    slot,
    price: 10,
    pool: 0,
    mev: 0,
    builder: -1,
    realised: 0,
    ticketPrice: 0,
    withheld: false,
    sold: 0,
    revenue: 0,
    refunded: 0,
    missedRefunded: 0,
    forfeited: 0,
    resold: 0,
    soldBack: 0,
    collateralSlashed: 0,
    revealShock: 0,
    withheldByChoice: false,
    granted: 0,
    grantsSold: 0,
    grantSalesGwei: 0,
    ...fields,
  };
}

describe("market metrics of a hand-built run", () => {
  // Slot 1 is burn-in. In slots 2-5: holder 0 builds 2 slots, holder 1 one, one self-built;
  // revenue 6 of MEV 20; 4 tickets sold, one refunded, one resold; holder 1's payload withheld
  const run: RunResult = {
    setup: "tiny",
    mechanism: "fixed",
    seed: 1,
    wallMs: 0,
    validators: { slots: 0, realised: 0, salesGwei: 0 },
    slots: [
      record(1, { mev: 100, revenue: 50, builder: 0, sold: 9 }),
      record(2, { mev: 5, revenue: 2, builder: 0, sold: 2 }),
      record(3, { mev: 5, revenue: 2, builder: 1, withheld: true, refunded: 1 }),
      record(4, { mev: 5, revenue: 2, builder: 0, sold: 2, resold: 1 }),
      record(5, { mev: 5, revenue: 0, builder: -1 }),
    ],
    entities: [
      { id: 0, label: "a", skill: 1, members: 1, slots: 3, realised: 10, profit: 4 },
      { id: 1, label: "b", skill: 1, members: 1, slots: 0, realised: 0, profit: -1 },
    ],
  };
  const m = runMetrics(run, { burnIn: 1, lookahead: 0, discountPerSlot: 0, shockSlot: null });

  it("counts only the slots after the burn-in", () => {
    close(m.capture, 6 / 20);
    assert.equal(m.revenueGwei, 6);
    assert.equal(m.ticketsSold, 4);
  });

  it("concentration over ticket-built slots, self-builds apart", () => {
    close(m.hhi, (2 / 3) ** 2 + (1 / 3) ** 2);
    close(m.topHolderShare, 2 / 3);
    close(m.selfBuiltShare, 1 / 4);
  });

  it("rates per ticket sold and per ticket-built slot; profit share over the whole run", () => {
    close(m.refundRate, 1 / 4);
    close(m.resaleRate, 1 / 4);
    close(m.forfeitRate, 0);
    close(m.withholdRate, 1 / 3);
    assert.equal(m.holdersProfitGwei, 3);
    close(m.holdersProfitShare, 3 / 120);
    // a constant price has no volatility and no correlation
    close(m.volatility, 0);
    assert.equal(m.priceValueCorrelation, null);
  });

  it("summaries skip a run's null metric instead of counting it as zero", () => {
    const s = summarize([m, { ...m, capture: null }]);
    assert.equal(s.capture.n, 1);
    close(s.capture.mean, 0.3);
  });
});
