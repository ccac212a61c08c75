import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  beforeProcessEpoch,
  type CachedBeaconState,
  flushEpochTransitionCache,
  processTicketRevenue,
  TIMELY_TARGET_FLAG_INDEX,
} from "@turnstile/ticket-state";
import { devChain, minimalContext } from "../../utils/chain.ts";
import { ETH, type HandValidator, handMadeState, validatorBalances } from "./epochHelpers.ts";

const SOURCE = 0b001;
const TARGET = 0b010;
const HEAD = 0b100;

/** Run processTicketRevenue as processEpoch does: on the transition cache, then flushed. */
function runRevenue(cs: CachedBeaconState): void {
  const cache = beforeProcessEpoch(cs);
  processTicketRevenue(cs, cache);
  flushEpochTransitionCache(cs, cache);
}

// Eight validators at the last slot of epoch 1 (previous epoch 0), all with a 32 ETH balance
const SETUP: HandValidator[] = [
  { effectiveBalance: 32 * ETH, balance: 32 * ETH, previousFlags: SOURCE | TARGET | HEAD }, // 0: paid, 32
  { effectiveBalance: 31 * ETH, balance: 32 * ETH, previousFlags: TARGET }, // 1: paid, 31
  { effectiveBalance: 20 * ETH, balance: 32 * ETH, previousFlags: SOURCE | HEAD }, // 2: no target flag
  { effectiveBalance: 32 * ETH, balance: 32 * ETH, previousFlags: SOURCE | TARGET | HEAD, slashed: true }, // 3: slashed
  { effectiveBalance: 17 * ETH, balance: 32 * ETH, previousFlags: 0 }, // 4: did nothing
  { effectiveBalance: 16 * ETH, balance: 32 * ETH, previousFlags: SOURCE | TARGET }, // 5: paid, 16
  { effectiveBalance: 32 * ETH, balance: 32 * ETH, previousFlags: TARGET, activationEpoch: 5 }, // 6: not active yet
  { effectiveBalance: 9 * ETH, balance: 32 * ETH, previousFlags: TARGET | HEAD }, // 7: paid, 9
];

describe("processTicketRevenue, sink = validators", () => {
  it("pays one epoch's revenue pro rata effective balance to the timely-target validators, remainder carried", () => {
    const cs = handMadeState(minimalContext({ TICKET_REVENUE_SINK: "validators" }), 15, SETUP);
    // Participants: 0 (32), 1 (31), 5 (16), 7 (9) → 88 increments
    assert.equal(beforeProcessEpoch(cs).previousFlagIncrements[TIMELY_TARGET_FLAG_INDEX], 88);
    const revenue = 1_000_000_007;
    cs.state.ticket_revenue = revenue;
    runRevenue(cs);
    // 1_000_000_007 × 32 = 32_000_000_224; / 88 = 363_636_366 rem 16
    // 1_000_000_007 × 31 = 31_000_000_217; / 88 = 352_272_729 rem 65
    // 1_000_000_007 × 16 = 16_000_000_112; / 88 = 181_818_183 rem 8
    // 1_000_000_007 × 9  =  9_000_000_063; / 88 = 102_272_727 rem 87
    // paid 1_000_000_005 → 2 Gwei carried
    const base = 32 * ETH;
    assert.deepEqual(validatorBalances(cs), [
      base + 363_636_366,
      base + 352_272_729,
      base,
      base,
      base,
      base + 181_818_183,
      base,
      base + 102_272_727,
    ]);
    assert.equal(cs.state.ticket_revenue, 2);

    // The next epoch: the 2 carried plus 86 new = 88 = exactly 32 + 31 + 16 + 9, no remainder
    cs.state.ticket_revenue += 86;
    runRevenue(cs);
    assert.deepEqual(validatorBalances(cs), [
      base + 363_636_366 + 32,
      base + 352_272_729 + 31,
      base,
      base,
      base,
      base + 181_818_183 + 16,
      base,
      base + 102_272_727 + 9,
    ]);
    assert.equal(cs.state.ticket_revenue, 0);
  });

  it("a revenue smaller than the participants' increments carries over whole", () => {
    const cs = handMadeState(minimalContext({ TICKET_REVENUE_SINK: "validators" }), 15, SETUP);
    // 1 × 32 / 88 = 0 for everyone: nothing paid, 1 Gwei carried
    cs.state.ticket_revenue = 1;
    const before = validatorBalances(cs);
    runRevenue(cs);
    assert.deepEqual(validatorBalances(cs), before);
    assert.equal(cs.state.ticket_revenue, 1);
  });

  it("nobody with the timely-target flag: everything carries over", () => {
    const setup = SETUP.map((v) => ({ ...v, previousFlags: (v.previousFlags ?? 0) & ~TARGET }));
    const cs = handMadeState(minimalContext({ TICKET_REVENUE_SINK: "validators" }), 15, setup);
    cs.state.ticket_revenue = 5 * ETH;
    const before = validatorBalances(cs);
    runRevenue(cs);
    assert.deepEqual(validatorBalances(cs), before);
    assert.equal(cs.state.ticket_revenue, 5 * ETH);
  });

  it("the genesis epoch pays nothing (no previous epoch's work)", () => {
    const cs = handMadeState(minimalContext({ TICKET_REVENUE_SINK: "validators" }), 7, SETUP);
    cs.state.ticket_revenue = 5 * ETH;
    const before = validatorBalances(cs);
    runRevenue(cs);
    assert.deepEqual(validatorBalances(cs), before);
    assert.equal(cs.state.ticket_revenue, 5 * ETH);
  });
});

describe("processTicketRevenue, sink = burn", () => {
  it("zeroes the revenue and pays nobody", () => {
    const cs = handMadeState(minimalContext({ TICKET_REVENUE_SINK: "burn" }), 15, SETUP);
    cs.state.ticket_revenue = 1_000_000_007;
    const before = validatorBalances(cs);
    runRevenue(cs);
    assert.equal(cs.state.ticket_revenue, 0);
    assert.deepEqual(validatorBalances(cs), before);
  });
});

describe("ticket revenue on a dev chain", () => {
  it("burn vs validators: the same chain, where validators receive exactly what the other burns", () => {
    const burn = devChain({ TICKET_REVENUE_SINK: "burn" }, { initialTicketsPerBuyer: 10 });
    const pay = devChain({ TICKET_REVENUE_SINK: "validators" }, { initialTicketsPerBuyer: 10 });
    let burned = 0;
    let revenueBeforeEpoch1End = 0;
    let targetInEpoch0: boolean[] = [];
    for (let slot = 1; slot <= 24; slot++) {
      const purchases = slot % 4 === 1 ? ([[slot % 4, 3]] as const) : [];
      burn.advance({ purchases: purchases.map(([b, n]) => burn.signPurchase(b, n, 10 ** 15)) });
      pay.advance({ purchases: purchases.map(([b, n]) => pay.signPurchase(b, n, 10 ** 15)) });
      assert.equal(pay.head.state.ticket_price, burn.head.state.ticket_price);
      if (slot % 8 === 7) {
        // the burn chain's epoch transition will burn exactly this
        assert.ok(burn.head.state.ticket_revenue > 0);
        burned += burn.head.state.ticket_revenue;
      }
      if (slot === 8) {
        // Epoch 0 pays nobody: balances are the same, the revenue carries over
        assert.deepEqual(validatorBalances(pay.head), validatorBalances(burn.head));
        // what was burned, plus the ticket of slot 7 settled after the epoch transition
        assert.equal(pay.head.state.ticket_revenue, burned + burn.head.state.ticket_revenue);
      }
      if (slot === 15) {
        revenueBeforeEpoch1End = pay.head.state.ticket_revenue;
        targetInEpoch0 = pay.head.state.previous_epoch_participation.getAll().map((f) => (f & TARGET) !== 0);
      }
      if (slot === 16) {
        // End of epoch 1: the validators with the target flag in epoch 0 share R equally (all 32 ETH).
        // Slot 0 had no block to attest to, so its committee (64 / 8 = 8 validators) earned nothing.
        const participants = targetInEpoch0.filter(Boolean).length;
        assert.equal(participants, 56);
        const share = Math.floor((revenueBeforeEpoch1End * 32) / (participants * 32));
        assert.ok(share > 0);
        const burnBalances = validatorBalances(burn.head);
        assert.deepEqual(
          validatorBalances(pay.head),
          burnBalances.map((b, i) => (targetInEpoch0[i] ? b + share : b)),
        );
      }
    }
    // Whatever the burn chain destroyed, the validators chain paid out or still holds
    const paid = validatorBalances(pay.head).reduce((acc, b, i) => acc + b - validatorBalances(burn.head)[i], 0);
    assert.equal(paid + pay.head.state.ticket_revenue, burned + burn.head.state.ticket_revenue);
    assert.ok(paid > 0);
  });
});
