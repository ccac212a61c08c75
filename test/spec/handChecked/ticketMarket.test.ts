/**
 * Hand-checked ticket-market cases: the per-slot steps (settlement, lottery, pricing) and the epoch
 * steps (expiry, revenue). Minimal preset: TICKET_LOOKAHEAD_SLOTS 8 (a ring of 9 assignments);
 * default config: TARGET_TICKET_POOL_SIZE 16, TICKET_PRICE_ADJUSTMENT_QUOTIENT 8,
 * MIN_TICKET_PRICE 1_000_000, INITIAL_TICKET_PRICE 10_000_000 Gwei.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import type { BeaconState } from "@turnstile/ticket-state";
import { loadCase } from "./load.ts";

const RING = 9;
const SELF_BUILD = {
  ticket_id: Number.POSITIVE_INFINITY,
  owner: 0,
  purchase_slot: 0,
  price: 0,
  collateral: 0,
  nonce: 0,
};

function assignment(state: BeaconState, slot: number) {
  const a = state.ticket_assignments[slot % RING];
  assert.equal(a.slot, slot, `ring holds slot ${a.slot}, not ${slot}`);
  return a.ticket;
}

function uint64le(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

describe("hand-checked ticket market", () => {
  it("ticket_settlement/used_ticket: the used ticket's price becomes revenue", () => {
    const { pre, post } = loadCase("epoch_processing", "ticket_settlement", "used_ticket");
    const ticket = assignment(pre, pre.slot - 1);
    assert.equal(pre.latest_block_header.slot, pre.slot - 1, "the previous slot had a block");
    assert.equal(post.ticket_revenue, pre.ticket_revenue + ticket.price);
  });

  it("ticket_settlement/missed_*: return to pool, refund (+10_000_000 to the owner), forfeit (+10_000_000 revenue)", () => {
    const back = loadCase("epoch_processing", "ticket_settlement", "missed_return_to_pool");
    const ticket = assignment(back.pre, back.pre.slot - 1);
    // a genesis ticket, bought at INITIAL_TICKET_PRICE
    assert.deepEqual([ticket.purchase_slot, ticket.price], [0, 10_000_000]);
    assert.notEqual(back.pre.latest_block_header.slot, back.pre.slot - 1, "the previous slot had no block");
    assert.deepEqual(back.post.ticket_pool, [...back.pre.ticket_pool, ticket]);
    const refund = loadCase("epoch_processing", "ticket_settlement", "missed_refund");
    assert.equal(refund.post.buyers[ticket.owner].balance, refund.pre.buyers[ticket.owner].balance + 10_000_000);
    assert.deepEqual(refund.post.ticket_pool, refund.pre.ticket_pool);
    const forfeit = loadCase("epoch_processing", "ticket_settlement", "missed_forfeit");
    assert.equal(forfeit.post.ticket_revenue, forfeit.pre.ticket_revenue + 10_000_000);
    const full = loadCase("epoch_processing", "ticket_settlement", "missed_pool_full");
    // return_to_pool with TICKET_POOL_LIMIT (1024) tickets pooled: refunded instead
    assert.equal(full.pre.ticket_pool.length, 1024);
    assert.equal(full.post.buyers[ticket.owner].balance, full.pre.buyers[ticket.owner].balance + 10_000_000);
    const selfBuilt = loadCase("epoch_processing", "ticket_settlement", "self_build_slot");
    assert.deepEqual(assignment(selfBuilt.pre, selfBuilt.pre.slot - 1), SELF_BUILD);
    assert.deepEqual(selfBuilt.post, selfBuilt.pre);
  });

  it("ticket_lottery/draw_from_pool: index = bytes_to_uint64(sha256(0x24000000 ‖ slot ‖ mix)[0:8]) mod pool size", () => {
    const { pre, post } = loadCase("epoch_processing", "ticket_lottery", "draw_from_pool");
    const target = pre.slot + 8;
    const mix = pre.randao_mixes[Math.floor(pre.slot / 8) % 64];
    const seed = createHash("sha256")
      .update(Buffer.from([0x24, 0, 0, 0]))
      .update(uint64le(target))
      .update(mix)
      .digest();
    const index = Number(seed.readBigUInt64LE(0) % BigInt(pre.ticket_pool.length));
    assert.deepEqual(post.ticket_assignments[target % RING], { slot: target, ticket: pre.ticket_pool[index] });
    // swap-remove: the last ticket takes the drawn one's place
    const expected = pre.ticket_pool.slice(0, -1);
    if (index < expected.length) expected[index] = pre.ticket_pool[pre.ticket_pool.length - 1];
    assert.deepEqual(post.ticket_pool, expected);
    const empty = loadCase("epoch_processing", "ticket_lottery", "empty_pool");
    assert.equal(empty.pre.ticket_pool.length, 0);
    assert.deepEqual(empty.post.ticket_assignments[(empty.pre.slot + 8) % RING], {
      slot: empty.pre.slot + 8,
      ticket: SELF_BUILD,
    });
  });

  it("ticket_pricing: one EIP-1559-shaped step, by hand", () => {
    const price = (name: string) => {
      const { pre, post } = loadCase("epoch_processing", "ticket_pricing", name);
      return [pre.ticket_price, post.ticket_price, post.tickets_sold_in_slot];
    };
    // pool 20, target 16: + 8_000_000 * 4 // 16 // 8 = + 250_000
    assert.deepEqual(price("pool_above_target"), [8_000_000, 8_250_000, 0]);
    // pool 10: - 8_000_000 * 6 // 16 // 8 = - 375_000
    assert.deepEqual(price("pool_below_target"), [8_000_000, 7_625_000, 0]);
    assert.deepEqual(price("pool_at_target"), [8_000_000, 8_000_000, 0]);
    // pool 80: distance capped at the target: + 8_000_000 * 16 // 16 // 8 = + 1_000_000
    assert.deepEqual(price("pool_far_above_target"), [8_000_000, 9_000_000, 0]);
    // pool 0: distance 16: - 1_000_000
    assert.deepEqual(price("empty_pool"), [8_000_000, 7_000_000, 0]);
    // 100 * 1 // 16 // 8 = 0: the step is at least 1 Gwei
    assert.deepEqual(price("min_step_one_gwei"), [100, 101, 0]);
    // 1_000_001 - 1_000_001 * 13 // 16 // 8 = 898_439 < MIN_TICKET_PRICE: 1_000_000
    assert.deepEqual(price("price_floor"), [1_000_001, 1_000_000, 0]);
    // 10_000_000 + 312_500 above MAX_TICKET_PRICE 10_100_000: 10_100_000
    assert.deepEqual(price("price_ceiling"), [10_000_000, 10_100_000, 0]);
    // sales_target (target 1): 3 sold → distance min(2, 1) = 1: + 8_000_000 // 8; none sold: - 1_000_000
    assert.deepEqual(price("sales_above_target"), [8_000_000, 9_000_000, 0]);
    assert.deepEqual(price("sales_below_target"), [8_000_000, 7_000_000, 0]);
    assert.deepEqual(price("sales_at_target"), [8_000_000, 8_000_000, 0]);
    assert.deepEqual(price("fixed"), [8_000_000, 8_000_000, 0]);
  });

  it("ticket_expiry/ticket_expiry: tickets bought in epoch 0 expire at the end of epoch 1, refunded at their price", () => {
    const { pre, post } = loadCase("epoch_processing", "ticket_expiry", "ticket_expiry");
    assert.equal(Math.floor(pre.slot / 8), 1);
    // TICKET_EXPIRY_EPOCHS 1: expired iff epoch(purchase_slot) + 1 <= 1
    const expired = pre.ticket_pool.filter((t) => Math.floor(t.purchase_slot / 8) + 1 <= 1);
    const kept = pre.ticket_pool.filter((t) => Math.floor(t.purchase_slot / 8) + 1 > 1);
    assert.ok(expired.length > 0 && kept.length > 0);
    assert.deepEqual(
      post.ticket_pool.map((t) => t.ticket_id).sort((a, b) => a - b),
      kept.map((t) => t.ticket_id).sort((a, b) => a - b),
    );
    pre.buyers.forEach((b, owner) => {
      const refund = expired.filter((t) => t.owner === owner).reduce((sum, t) => sum + t.price, 0);
      assert.equal(post.buyers[owner].balance, b.balance + refund, `buyer ${owner}`);
    });
  });

  it("ticket_revenue/revenue_to_validators_partial: 1_000_000_007 Gwei shared by effective balance", () => {
    const { pre, post } = loadCase("epoch_processing", "ticket_revenue", "revenue_to_validators_partial");
    assert.equal(pre.ticket_revenue, 1_000_000_007);
    // odd validators earned the target flag: 31 of 32 ETH and validator 1 of 17 ETH: 31 * 32 + 17 = 1009 increments
    // 1_000_000_007 * 32 // 1009 = 31_714_569; 1_000_000_007 * 17 // 1009 = 16_848_364
    // remainder 1_000_000_007 - 31 * 31_714_569 - 16_848_364 = 4 stays for the next epoch
    post.balances.forEach((b, i) => {
      const share = i % 2 === 0 ? 0 : i === 1 ? 16_848_364 : 31_714_569;
      assert.equal(b - pre.balances[i], share, `validator ${i}`);
    });
    assert.equal(post.ticket_revenue, 4);
    const burn = loadCase("epoch_processing", "ticket_revenue", "revenue_burn");
    assert.ok(burn.pre.ticket_revenue > 0);
    assert.equal(burn.post.ticket_revenue, 0);
    assert.deepEqual(burn.post.balances, burn.pre.balances);
    const none = loadCase("epoch_processing", "ticket_revenue", "revenue_to_validators_none_eligible");
    assert.deepEqual(none.post, none.pre);
  });
});
