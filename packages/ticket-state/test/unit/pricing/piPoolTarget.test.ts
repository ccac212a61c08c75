import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeNextPiTicketPrice, minimalChainConfig, processTicketPricing } from "@turnstile/ticket-state";
import fc from "fast-check";
import { devChain } from "../../utils/chain.ts";
import { runDemandModel, tieredDemand } from "../../utils/pricingDemandModel.ts";

const config = { ...minimalChainConfig, TICKET_PRICING: "pi_pool_target" as const };
const NO_CEILING = Number.MAX_SAFE_INTEGER;

describe("pi_pool_target: compute_next_pi_ticket_price", () => {
  it("matches hand-computed steps (target 16, quotients 1 and 8)", () => {
    // pool 20 after 16: change 4, error 4 -> price * (4*8 + 4*1) / (16*1*8) = price * 36/128
    assert.equal(computeNextPiTicketPrice(1_280_000, 20, 16, 16, 1, 8, 1, NO_CEILING), 1_280_000 + 360_000);
    // pool back to 16 from 20: change -4, error 0 -> price * (-32) / 128
    assert.equal(computeNextPiTicketPrice(1_280_000, 16, 20, 16, 1, 8, 1, NO_CEILING), 1_280_000 - 320_000);
    // the terms cancel: pool 17 from 18 (change -1, error +1) -> -8 + 1 = -7 -> price * -7/128, toward zero
    assert.equal(computeNextPiTicketPrice(1_000_000, 17, 18, 16, 1, 8, 1, NO_CEILING), 1_000_000 - 54_687);
    // at the target and unchanged: no step (unlike pool_target there is no minimum 1 Gwei step)
    assert.equal(computeNextPiTicketPrice(1_000_001, 16, 16, 16, 1, 8, 1, NO_CEILING), 1_000_001);
  });

  it("caps both distances at the target and clamps to [floor, ceiling]", () => {
    // an empty pool after a full one: change -16 (capped from -100), error -16 -> -(128+16)/128 of the price
    assert.equal(computeNextPiTicketPrice(1_000_000, 0, 100, 16, 1, 8, 5, NO_CEILING), 5);
    // a huge jump up: both capped at +16 -> +144/128
    assert.equal(computeNextPiTicketPrice(1_280_000, 1000, 0, 16, 1, 8, 1, NO_CEILING), 1_280_000 + 1_440_000);
    assert.equal(computeNextPiTicketPrice(1_280_000, 1000, 0, 16, 1, 8, 1, 2_000_000), 2_000_000);
  });

  it("stays in [floor, ceiling] and is exact for any input (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (floor, above, pool, previous, target, qp, qi) => {
          const price = floor + above;
          const ceiling = floor + 2 ** 46;
          const next = computeNextPiTicketPrice(price, pool, previous, target, qp, qi, floor, ceiling);
          assert.ok(Number.isSafeInteger(next) && next >= floor && next <= ceiling);
          // At most 1/qp + 1/qi of the price per step
          const bound = (BigInt(price) * BigInt(qp + qi)) / BigInt(qp * qi) + 1n;
          assert.ok(BigInt(Math.abs(next - price)) <= bound);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("pi_pool_target against pool_target after a demand step (deterministic demand model)", () => {
  const model = tieredDemand(minimalChainConfig.INITIAL_TICKET_PRICE);
  const pi = runDemandModel(config, "pi_pool_target", model);
  const eip1559 = runDemandModel(config, "pool_target", model);

  it("pi_pool_target settles within 40 slots, with no sign-alternating oscillation of the pool", () => {
    assert.ok(pi.slotsToSettle <= 40, `settled after ${pi.slotsToSettle} slots`);
    assert.equal(pi.poolErrorSignChanges, 0);
    const final = pi.prices[model.horizon - 1];
    assert.ok(final > pi.band.above && final <= pi.band.atMost);
    assert.equal(pi.pools[model.horizon - 1], config.TARGET_TICKET_POOL_SIZE);
  });

  it("pool_target (1559) oscillates and takes over four times longer, if it settles at all", () => {
    assert.ok(eip1559.poolErrorSignChanges >= 5, `${eip1559.poolErrorSignChanges} sign changes`);
    assert.ok(
      eip1559.slotsToSettle > 4 * pi.slotsToSettle,
      `pool_target ${eip1559.slotsToSettle} vs pi_pool_target ${pi.slotsToSettle} slots`,
    );
  });

  it("settles demand falling by half too, without oscillation", () => {
    const down = runDemandModel(config, "pi_pool_target", { ...model, stepNumerator: 1, stepDenominator: 2 });
    assert.ok(down.slotsToSettle <= 40, `settled after ${down.slotsToSettle} slots`);
    assert.equal(down.poolErrorSignChanges, 0);
  });
});

describe("pi_pool_target in the state transition", () => {
  it("steps on the pool after the draw and remembers it for the next step", () => {
    const chain = devChain({ TICKET_PRICING: "pi_pool_target" }, { initialTicketsPerBuyer: 8 });
    const state = chain.head.state;
    // Genesis remembers the pool as left by its draws: the first step sees no change
    assert.equal(state.ticket_pricing_previous_pool_size, state.ticket_pool.length);
    const cs = chain.head.clone();
    const pool = cs.state.ticket_pool.length;
    const previous = 30;
    cs.state.ticket_pricing_previous_pool_size = previous;
    const price = cs.state.ticket_price;
    processTicketPricing(cs);
    const c = chain.ctx.config;
    assert.equal(
      cs.state.ticket_price,
      computeNextPiTicketPrice(
        price,
        pool,
        previous,
        c.TARGET_TICKET_POOL_SIZE,
        c.TICKET_PRICE_PROPORTIONAL_QUOTIENT,
        c.TICKET_PRICE_INTEGRAL_QUOTIENT,
        c.MIN_TICKET_PRICE,
        c.MAX_TICKET_PRICE,
      ),
    );
    assert.notEqual(cs.state.ticket_price, price);
    assert.equal(cs.state.ticket_pricing_previous_pool_size, pool);
  });

  it("leaves the controller's state untouched under the default rule", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 8 });
    chain.advance();
    chain.advance();
    assert.equal(chain.head.state.ticket_pricing_previous_pool_size, 0);
  });
});
