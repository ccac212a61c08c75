import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeNextTicketPrice, processTicketPricing } from "@turnstile/ticket-state";
import { devChain } from "../../utils/chain.ts";

/** No price ceiling in play: these cases test the step rule alone. */
const NO_CEILING = Number.MAX_SAFE_INTEGER;

// Defaults of the minimal chain config used throughout
const TARGET_POOL = 16;
const QUOTIENT = 8;
const FLOOR = 1_000_000;
const INITIAL = 10_000_000;
const NO_MAX = 10 ** 15;

describe("computeNextTicketPrice: pool_target arithmetic, slot after slot", () => {
  it("follows the hand-computed sequence (target 16, quotient 8, floor 0.001 ETH)", () => {
    // Each step: delta = floor(floor(price * |pool - 16| / 16) / 8)
    const steps: [pool: number, expected: number][] = [
      // 10_000_000 * 8 / 16 = 5_000_000; / 8 = 625_000 → up to 10_625_000
      [24, 10_625_000],
      // 10_625_000 * 4 = 42_500_000; / 16 = 2_656_250; / 8 = 332_031 (332_031.25) → 10_957_031
      [20, 10_957_031],
      // at target: unchanged
      [16, 10_957_031],
      // 10_957_031 * 6 = 65_742_186; / 16 = 4_108_886 (.625); / 8 = 513_610 (.75) → down to 10_443_421
      [10, 10_443_421],
      // 10_443_421 * 16 / 16 = 10_443_421; / 8 = 1_305_427 (.625) → 9_137_994
      [0, 9_137_994],
      // 9_137_994 * 1 / 16 = 571_124 (.625); / 8 = 71_390 (.5) → up to 9_209_384
      [17, 9_209_384],
    ];
    let price = INITIAL;
    for (const [pool, expected] of steps) {
      price = computeNextTicketPrice(price, pool, TARGET_POOL, QUOTIENT, FLOOR, NO_CEILING);
      assert.equal(price, expected, `pool ${pool}`);
    }
  });

  it("moves by at least 1 Gwei when off target, even when the proportional step rounds to 0", () => {
    // 100 * 1 / 16 / 8 = 0 → the step is 1
    assert.equal(computeNextTicketPrice(100, 17, 16, 8, 1, NO_CEILING), 101);
    assert.equal(computeNextTicketPrice(100, 15, 16, 8, 1, NO_CEILING), 99);
    // 1000 * 1 / 16 / 8 = 7 (7.8125): the proportional step, not the minimum
    assert.equal(computeNextTicketPrice(1000, 17, 16, 8, 1, NO_CEILING), 1007);
    assert.equal(computeNextTicketPrice(1000, 15, 16, 8, 1, NO_CEILING), 993);
    // at target, no minimum step
    assert.equal(computeNextTicketPrice(100, 16, 16, 8, 1, NO_CEILING), 100);
  });

  it("never goes below the floor", () => {
    // 1_050_000 / 8 = 131_250 → 918_750, below the floor of 1_000_000
    assert.equal(computeNextTicketPrice(1_050_000, 0, 16, 8, FLOOR, NO_CEILING), FLOOR);
    // at the floor and below target: stays at the floor
    assert.equal(computeNextTicketPrice(FLOOR, 3, 16, 8, FLOOR, NO_CEILING), FLOOR);
    // quotient 1, target 1, pool 0: the step (5) equals the price; clamps to the floor, not to 0 or below
    assert.equal(computeNextTicketPrice(5, 0, 1, 1, 2, NO_CEILING), 2);
    // at target, a price below the floor is lifted to the floor
    assert.equal(computeNextTicketPrice(500, 16, 16, 8, 1000, NO_CEILING), 1000);
    // an empty pool for ever: (7/8)^k decay reaches the floor and stays there
    let price = INITIAL;
    let slots = 0;
    while (price > FLOOR) {
      price = computeNextTicketPrice(price, 0, TARGET_POOL, QUOTIENT, FLOOR, NO_CEILING);
      slots++;
    }
    assert.equal(price, FLOOR);
    // 10_000_000 * (7/8)^17 ≈ 1_034_000 > floor; (7/8)^18 ≈ 905_000 < floor → 18 steps
    assert.equal(slots, 18);
    assert.equal(computeNextTicketPrice(price, 0, TARGET_POOL, QUOTIENT, FLOOR, NO_CEILING), FLOOR);
  });

  it("caps the distance at the target: one step is at most price / quotient", () => {
    // pool 48, target 16: distance 32 is capped to 16 → 10_000_000 * 16 / 16 / 8 = 1_250_000
    assert.equal(computeNextTicketPrice(INITIAL, 48, TARGET_POOL, QUOTIENT, FLOOR, NO_CEILING), 11_250_000);
    // the same step as at pool 32 (distance 16, uncapped)
    assert.equal(computeNextTicketPrice(INITIAL, 32, TARGET_POOL, QUOTIENT, FLOOR, NO_CEILING), 11_250_000);
    // just under the cap: pool 31, distance 15 → 10_000_000 * 15 / 16 / 8 = 1_171_875
    assert.equal(computeNextTicketPrice(INITIAL, 31, TARGET_POOL, QUOTIENT, FLOOR, NO_CEILING), 11_171_875);
  });

  it("keeps exact integer arithmetic when price × distance passes 2^53", () => {
    // (2^53 - 1) * 3 = 3 * 2^53 - 3; / 4 / 1 = 3 * 2^51 - 1 (floor of 3 * 2^51 - 0.75)
    // → (2^53 - 1) - (3 * 2^51 - 1) = 2^51
    assert.equal(computeNextTicketPrice(2 ** 53 - 1, 1, 4, 1, 1, NO_CEILING), 2 ** 51);
    // (2^52 + 1) * 4 / 4 / 2 = 2^51 (floor of 2^51 + 0.5) → 2^52 + 1 + 2^51
    assert.equal(computeNextTicketPrice(2 ** 52 + 1, 8, 4, 2, 1, NO_CEILING), 2 ** 52 + 2 ** 51 + 1);
  });
});

describe("computeNextTicketPrice: sales_target arithmetic", () => {
  it("follows the hand-computed sequence (target 1 per slot, quotient 8)", () => {
    // With a target of 1 the distance is capped at 1: every off-target step is price / 8
    const steps: [sold: number, expected: number][] = [
      // none sold: 10_000_000 * 1 / 1 / 8 = 1_250_000 → 8_750_000
      [0, 8_750_000],
      // 3 sold (distance 2, capped to 1): 8_750_000 / 8 = 1_093_750 → 9_843_750
      [3, 9_843_750],
      // at target
      [1, 9_843_750],
      // none: 9_843_750 / 8 = 1_230_468 (.75) → 8_613_282
      [0, 8_613_282],
      // 5 sold (capped to 1): 8_613_282 / 8 = 1_076_660 (.25) → 9_689_942
      [5, 9_689_942],
    ];
    let price = INITIAL;
    for (const [sold, expected] of steps) {
      price = computeNextTicketPrice(price, sold, 1, QUOTIENT, FLOOR, NO_CEILING);
      assert.equal(price, expected, `sold ${sold}`);
    }
  });
});

describe("ticket pricing on a dev chain", () => {
  it("pool_target: the price of each slot follows the pool size after the slot's draw", () => {
    // 4 buyers × 6 initial tickets = 24; genesis draws slots 1..8 → 16 pooled (= target), price 10_000_000
    const chain = devChain({}, { initialTicketsPerBuyer: 6 });
    const observed: [slot: number, pool: number, price: number][] = [];
    const record = () =>
      observed.push([chain.slot, chain.head.state.ticket_pool.length, chain.head.state.ticket_price]);
    assert.equal(chain.head.state.ticket_pool.length, 16);
    assert.equal(chain.head.state.ticket_price, INITIAL);

    // slot 1: draw → 15 pooled; 10_000_000 / 16 / 8 = 78_125 → 9_921_875; the block buys 8 → 23
    chain.advance({ purchases: [chain.signPurchase(0, 4, NO_MAX), chain.signPurchase(1, 4, NO_MAX)] });
    record();
    // slot 2: draw → 22; 9_921_875 * 6 = 59_531_250; / 128 = 465_087 → 10_386_962
    chain.advance();
    record();
    // slot 3: draw → 21; 10_386_962 * 5 = 51_934_810; / 128 = 405_740 → 10_792_702. No block.
    chain.advance({ skipBlock: true });
    record();
    // slot 4: slot 3's ticket returns to the pool (22), draw → 21; 10_792_702 * 5 / 128 = 421_589 → 11_214_291
    chain.advance();
    record();
    // slot 5: draw → 20; 11_214_291 * 4 = 44_857_164; / 128 = 350_446 → 11_564_737
    chain.advance();
    record();
    // slot 6: 19; 11_564_737 * 3 = 34_694_211; / 128 = 271_048 → 11_835_785
    chain.advance();
    record();
    // slot 7: 18; 11_835_785 * 2 = 23_671_570; / 128 = 184_934 → 12_020_719
    chain.advance();
    record();
    // slot 8 (after the epoch transition): 17; 12_020_719 / 128 = 93_911 → 12_114_630
    chain.advance();
    record();
    // slot 9: 16 = target: unchanged
    chain.advance();
    record();
    // slot 10: 15; 12_114_630 / 128 = 94_645 → 12_019_985
    chain.advance();
    record();

    assert.deepEqual(observed, [
      [1, 23, 9_921_875],
      [2, 22, 10_386_962],
      [3, 21, 10_792_702],
      [4, 21, 11_214_291],
      [5, 20, 11_564_737],
      [6, 19, 11_835_785],
      [7, 18, 12_020_719],
      [8, 17, 12_114_630],
      [9, 16, 12_114_630],
      [10, 15, 12_019_985],
    ]);
    // The block of slot 1 paid slot 1's price: 4 tickets each for buyers 0 and 1
    const initialBalance = 1000 * 10 ** 9 - 6 * INITIAL;
    assert.equal(chain.head.state.buyers.getReadonly(0).balance, initialBalance - 4 * 9_921_875);
    assert.equal(chain.head.state.buyers.getReadonly(1).balance, initialBalance - 4 * 9_921_875);
    assert.equal(chain.head.state.buyers.getReadonly(2).balance, initialBalance);
  });

  it("sales_target: the price follows the previous slot's sales, and the count resets each slot", () => {
    const chain = devChain({ TICKET_PRICING: "sales_target" });
    const prices: number[] = [];
    // slot 1: genesis sold none → 8_750_000; the block sells 3
    chain.advance({ purchases: [chain.signPurchase(0, 1, NO_MAX), chain.signPurchase(1, 2, NO_MAX)] });
    assert.equal(chain.head.state.tickets_sold_in_slot, 3);
    prices.push(chain.head.state.ticket_price);
    // slot 2: 3 sold → 9_843_750; the block sells 1
    chain.advance({ purchases: [chain.signPurchase(2, 1, NO_MAX)] });
    prices.push(chain.head.state.ticket_price);
    // slot 3: 1 sold (target) → unchanged; no block, hence no sales
    chain.advance({ skipBlock: true });
    assert.equal(chain.head.state.tickets_sold_in_slot, 0);
    prices.push(chain.head.state.ticket_price);
    // slot 4: 0 sold → 8_613_282; the block sells 5
    chain.advance({ purchases: [chain.signPurchase(0, 2, NO_MAX), chain.signPurchase(1, 3, NO_MAX)] });
    prices.push(chain.head.state.ticket_price);
    // slot 5: 5 sold → 9_689_942
    chain.advance();
    prices.push(chain.head.state.ticket_price);
    assert.deepEqual(prices, [8_750_000, 9_843_750, 9_843_750, 8_613_282, 9_689_942]);
    // buyer 1 paid 2 × 8_750_000 at slot 1 and 3 × 8_613_282 at slot 4
    assert.equal(chain.head.state.buyers.getReadonly(1).balance, 1000 * 10 ** 9 - 2 * 8_750_000 - 3 * 8_613_282);
  });

  it("fixed: the price never moves, whatever the pool and the sales", () => {
    const chain = devChain({ TICKET_PRICING: "fixed" }, { initialTicketsPerBuyer: 1 });
    for (let i = 0; i < 10; i++) {
      const purchases = i % 3 === 0 ? [chain.signPurchase(i % 4, 5, INITIAL)] : [];
      chain.advance({ purchases, skipBlock: i === 4 });
      assert.equal(chain.head.state.ticket_price, INITIAL, `slot ${chain.slot}`);
    }
    // buyer 0 bought 1 at genesis and 5 at slot 1 (i = 0); buyer 1 5 at slot 10 (i = 9)
    assert.equal(chain.head.state.buyers.getReadonly(0).balance, 1000 * 10 ** 9 - 6 * INITIAL);
    assert.equal(chain.head.state.buyers.getReadonly(1).balance, 1000 * 10 ** 9 - 6 * INITIAL);
  });

  it("processTicketPricing resets tickets_sold_in_slot under every rule", () => {
    for (const rule of ["pool_target", "sales_target", "fixed"] as const) {
      const chain = devChain({ TICKET_PRICING: rule });
      const cs = chain.head.clone();
      cs.state.tickets_sold_in_slot = 7;
      processTicketPricing(cs);
      assert.equal(cs.state.tickets_sold_in_slot, 0, rule);
    }
  });
});
