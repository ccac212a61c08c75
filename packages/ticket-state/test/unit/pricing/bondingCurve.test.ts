import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConfigError,
  ConfigErrorCode,
  computeCurvePrice,
  computeCurvePurchasePrices,
  computeCurveReserve,
  minimalChainConfig,
  processSlotsCopy,
  processTicketPurchase,
  TicketError,
  TicketErrorCode,
  validateChainConfig,
} from "@turnstile/ticket-state";
import fc from "fast-check";
import { devChain } from "../../utils/chain.ts";
import { assertRuleRejects, collecting } from "../block/helpers.ts";

const ONE = 1n << 64n;

/** The spec's `compute_curve_price` written literally: square-and-multiply to the end, no early exit. */
function specCurvePrice(initial: number, max: number, quotient: number, n: number): number {
  let result = ONE;
  let base = ONE + ONE / BigInt(quotient);
  let rest = n;
  while (rest > 0) {
    if (rest % 2 === 1) result = (result * base) / ONE;
    base = (base * base) / ONE;
    rest = Math.floor(rest / 2);
  }
  const price = (BigInt(initial) * result) / ONE;
  return price < BigInt(max) ? Number(price) : max;
}

const curve = { ...minimalChainConfig, TICKET_PRICING: "bonding_curve" as const };

describe("bonding_curve: compute_curve_price", () => {
  it("starts at INITIAL_TICKET_PRICE and grows by 1/quotient per ticket", () => {
    assert.equal(computeCurvePrice(curve, 0), curve.INITIAL_TICKET_PRICE);
    // (1 + 1/16) in 64-bit fixed point is exact, so point 1 is exactly 17/16 of the initial price
    assert.equal(computeCurvePrice(curve, 1), (curve.INITIAL_TICKET_PRICE * 17) / 16);
    assert.equal(computeCurvePrice(curve, 2), Math.floor((curve.INITIAL_TICKET_PRICE * 289) / 256));
    // 16 tickets: (17/16)^16 = 2.6379...
    assert.equal(Math.floor(computeCurvePrice(curve, 16) / 10_000), 2637);
  });

  it("saturates at MAX_TICKET_PRICE", () => {
    assert.equal(computeCurvePrice(curve, 10_000), curve.MAX_TICKET_PRICE);
    assert.equal(computeCurvePrice(curve, 2 ** 40), curve.MAX_TICKET_PRICE);
  });

  it("equals the spec's unbounded square-and-multiply for any quotient and point (the early exit changes nothing)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 0, max: 3000 }),
        (initial, headroom, quotient, n) => {
          const config = {
            ...curve,
            INITIAL_TICKET_PRICE: initial,
            MAX_TICKET_PRICE: initial + headroom,
            BONDING_CURVE_GROWTH_QUOTIENT: quotient,
          };
          assert.equal(computeCurvePrice(config, n), specCurvePrice(initial, initial + headroom, quotient, n));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("is non-decreasing along the curve", () => {
    for (const quotient of [1, 3, 16, 256]) {
      const config = { ...curve, BONDING_CURVE_GROWTH_QUOTIENT: quotient };
      let previous = 0;
      for (let n = 0; n < 600; n++) {
        const price = computeCurvePrice(config, n);
        assert.ok(price >= previous, `quotient ${quotient}: point ${n} below point ${n - 1}`);
        previous = price;
      }
    }
  });

  it("prices a purchase point by point and the reserve as the sum of the points below the supply", () => {
    assert.deepEqual(
      computeCurvePurchasePrices(curve, 5, 3),
      [5, 6, 7].map((n) => computeCurvePrice(curve, n)),
    );
    assert.equal(
      computeCurveReserve(curve, 3),
      [0, 1, 2].reduce((s, n) => s + computeCurvePrice(curve, n), 0),
    );
  });
});

describe("bonding_curve: genesis and purchases", () => {
  const chain = devChain({ TICKET_PRICING: "bonding_curve" }, { initialTicketsPerBuyer: 4 });

  it("genesis tickets are the curve's first points: supply, reserve, price and each ticket's price", () => {
    const { state } = chain.head;
    assert.equal(state.ticket_curve_supply, 16);
    assert.equal(state.ticket_curve_reserve, computeCurveReserve(chain.ctx.config, 16));
    assert.equal(state.ticket_price, computeCurvePrice(chain.ctx.config, 16));
    // buyer 0 bought tickets 0..3 at points 0..3
    const buyer0 = state.buyers.getReadonly(0).balance;
    assert.equal(buyer0, 1000 * 10 ** 9 - computeCurveReserve(chain.ctx.config, 4));
  });

  it("a purchase pays the sum along the curve, each ticket its own point, and the price moves to the next point", () => {
    const cs = processSlotsCopy(chain.head, 1);
    const supply = cs.state.ticket_curve_supply;
    const prices = computeCurvePurchasePrices(chain.ctx.config, supply, 3);
    const balance = cs.state.buyers.getReadonly(1).balance;
    const reserve = cs.state.ticket_curve_reserve;
    processTicketPurchase(cs, chain.signPurchase(1, 3, prices[2]), collecting());
    const total = prices[0] + prices[1] + prices[2];
    assert.equal(cs.state.buyers.getReadonly(1).balance, balance - total);
    assert.equal(cs.state.ticket_curve_supply, supply + 3);
    assert.equal(cs.state.ticket_curve_reserve, reserve + total);
    assert.equal(cs.state.ticket_curve_reserve, computeCurveReserve(chain.ctx.config, supply + 3));
    assert.equal(cs.state.ticket_price, computeCurvePrice(chain.ctx.config, supply + 3));
    const pool = cs.state.ticket_pool;
    const bought = [pool.length - 3, pool.length - 2, pool.length - 1].map((i) => pool.getReadonly(i).price);
    assert.deepEqual(bought, prices);
  });

  it("max_price bounds every ticket of the purchase: the highest point above it is refused", () => {
    const cs = processSlotsCopy(chain.head, 1);
    const prices = computeCurvePurchasePrices(chain.ctx.config, cs.state.ticket_curve_supply, 3);
    // enough for the first two tickets (and the average) but not the third
    assertRuleRejects(
      cs,
      () => processTicketPurchase(cs, chain.signPurchase(1, 3, prices[2] - 1), collecting()),
      TicketError,
      TicketErrorCode.PRICE_ABOVE_MAX,
    );
  });
});

describe("bonding_curve: configuration", () => {
  it("refuses validator ticket grants (a granted ticket has nothing in the reserve)", () => {
    assert.throws(
      () => validateChainConfig({ ...curve, VALIDATOR_TICKET_GRANTS_PER_EPOCH: 1 }),
      (e: unknown) => e instanceof ConfigError && e.code === ConfigErrorCode.INVALID_VALUE,
    );
    assert.doesNotThrow(() => validateChainConfig({ ...minimalChainConfig, VALIDATOR_TICKET_GRANTS_PER_EPOCH: 1 }));
  });
});
