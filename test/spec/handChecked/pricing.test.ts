/**
 * Hand-checked pricing cases for pi_pool_target and bonding_curve. Minimal preset, default config
 * but for the rule: TARGET_TICKET_POOL_SIZE 16, TICKET_PRICE_PROPORTIONAL_QUOTIENT 1,
 * TICKET_PRICE_INTEGRAL_QUOTIENT 8 (so the denominator is 16 * 1 * 8 = 128), MIN_TICKET_PRICE
 * 1_000_000, INITIAL_TICKET_PRICE 10_000_000, BONDING_CURVE_GROWTH_QUOTIENT 16.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCase } from "./load.ts";

/** `compute_curve_price` as the spec writes it (quotient 16, initial 10_000_000, cap far away). */
function curvePoint(n: number): number {
  const one = 2n ** 64n;
  let base = one + one / 16n;
  let result = one;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) result = (result * base) / one;
    base = (base * base) / one;
  }
  return Number((10_000_000n * result) / one);
}

describe("hand-checked pricing", () => {
  it("ticket_pricing/pi_*: the PI step on the pool and its change", () => {
    const cases: [string, number][] = [
      // change +4, error +4: 8_000_000 * (4*8 + 4*1) / 128 = 2_250_000
      ["pi_rising_above_target", 10_250_000],
      // change -1, error +1: 8_000_000 * (-8 + 1) / 128 = -437_500
      ["pi_terms_cancel", 7_562_500],
      // change -1, error -6: 8_000_000 * (-8 - 6) / 128 = -875_000
      ["pi_falling_below_target", 7_125_000],
      // nothing moves
      ["pi_at_target_unchanged", 8_000_001],
      // change -16 (capped), error -16: -8_000_000 * 144 / 128 < 0: the floor
      ["pi_empty_pool_floor", 1_000_000],
    ];
    for (const [name, expected] of cases) {
      const { pre, post } = loadCase("epoch_processing", "ticket_pricing", name);
      assert.equal(post.ticket_price, expected, name);
      assert.equal(post.ticket_pricing_previous_pool_size, pre.ticket_pool.length, `${name}: remembers the pool`);
    }
  });

  it("ticket_settlement/bonding_curve_*: the top point leaves the reserve; return_to_pool keeps the ticket outstanding", () => {
    const used = loadCase("epoch_processing", "ticket_settlement", "bonding_curve_used_ticket");
    const supply = used.pre.ticket_curve_supply;
    const top = used.pre.ticket_curve_reserve - used.post.ticket_curve_reserve;
    assert.equal(used.post.ticket_curve_supply, supply - 1);
    assert.equal(used.post.ticket_revenue - used.pre.ticket_revenue, top);
    assert.equal(top, curvePoint(supply - 1));
    const back = loadCase("epoch_processing", "ticket_settlement", "bonding_curve_missed_return_to_pool");
    assert.equal(back.post.ticket_curve_supply, back.pre.ticket_curve_supply);
    assert.equal(back.post.ticket_curve_reserve, back.pre.ticket_curve_reserve);
    const forfeit = loadCase("epoch_processing", "ticket_settlement", "bonding_curve_missed_forfeit");
    assert.equal(forfeit.post.ticket_curve_supply, forfeit.pre.ticket_curve_supply - 1);
    assert.equal(
      forfeit.post.ticket_revenue - forfeit.pre.ticket_revenue,
      forfeit.pre.ticket_curve_reserve - forfeit.post.ticket_curve_reserve,
    );
  });

  it("operations/ticket_sell_back/sell_back_pooled_ticket: the seller gets the top point, nonce + 1", () => {
    const { pre, post } = loadCase("operations", "ticket_sell_back", "sell_back_pooled_ticket");
    const paid = pre.ticket_curve_reserve - post.ticket_curve_reserve;
    assert.equal(post.ticket_curve_supply, pre.ticket_curve_supply - 1);
    assert.equal(post.ticket_pool.length, pre.ticket_pool.length - 1);
    assert.equal(paid, curvePoint(pre.ticket_curve_supply - 1));
    assert.equal(post.ticket_price, paid, "the next buyer pays the point just vacated");
    const seller = pre.ticket_pool[0].owner;
    assert.equal(post.buyers[seller].balance, pre.buyers[seller].balance + paid);
    assert.equal(post.buyers[seller].nonce, pre.buyers[seller].nonce + 1);
    assert.equal(post.ticket_revenue, pre.ticket_revenue);
    const fee = loadCase("operations", "ticket_sell_back", "sell_back_with_fee");
    const value = fee.pre.ticket_curve_reserve - fee.post.ticket_curve_reserve;
    // TICKET_SELL_BACK_FEE_QUOTIENT 10
    assert.equal(fee.post.ticket_revenue - fee.pre.ticket_revenue, Math.floor(value / 10));
  });
});
