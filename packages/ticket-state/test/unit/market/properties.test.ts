import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  computeNextTicketPrice,
  isAuctionPricing,
  isSelfBuild,
  readAllValues,
  TICKET_MISSED_BLOCK_RULES,
  TICKET_PRICING_RULES,
} from "@turnstile/ticket-state";
import type { SlotPlan } from "@turnstile/ticket-state/dev";
import fc from "fast-check";
import { devChain } from "../../utils/chain.ts";
import { assigned, buyerBalances, escrowedTickets, poolIds, sum } from "./marketHelpers.ts";

/** No price ceiling in play: these cases test the step rule alone. */
const NO_CEILING = Number.MAX_SAFE_INTEGER;

const L = 8;
const SLOTS_PER_EPOCH = 8;
const BUYERS = 4;
const BUYER_BALANCE = 1000 * 10 ** 9;

const priceArgs = fc
  .record({
    floor: fc.integer({ min: 1, max: 2 ** 40 }),
    aboveFloor: fc.integer({ min: 0, max: 2 ** 45 }),
    observed: fc.integer({ min: 0, max: 5000 }),
    target: fc.integer({ min: 1, max: 2000 }),
    quotient: fc.integer({ min: 1, max: 64 }),
  })
  .map(({ floor, aboveFloor, ...rest }) => ({ ...rest, floor, price: floor + aboveFloor }));

describe("ticket price (properties)", () => {
  it("never goes below the floor, and each step moves toward the target", () => {
    fc.assert(
      fc.property(priceArgs, ({ price, observed, target, quotient, floor }) => {
        const next = computeNextTicketPrice(price, observed, target, quotient, floor, NO_CEILING);
        assert.ok(Number.isSafeInteger(next));
        assert.ok(next >= floor, `${next} below floor ${floor}`);
        if (observed > target) assert.ok(next > price, "must rise when above target");
        else if (observed < target) assert.ok(next < price || next === floor, "must fall (or sit at the floor)");
        else assert.equal(next, price);
        // one step is at most max(1, price / quotient) (the distance is capped at the target)
        assert.ok(Math.abs(next - price) <= Math.max(1, Math.floor(price / quotient)));
      }),
      { numRuns: 2000 },
    );
  });

  it("is monotone in the observed value", () => {
    fc.assert(
      fc.property(priceArgs, fc.integer({ min: 0, max: 5000 }), (args, other) => {
        const [lo, hi] = args.observed <= other ? [args.observed, other] : [other, args.observed];
        const f = (o: number) =>
          computeNextTicketPrice(args.price, o, args.target, args.quotient, args.floor, NO_CEILING);
        assert.ok(f(lo) <= f(hi));
      }),
      { numRuns: 1000 },
    );
  });

  it("stays at or above the floor along any sequence of observations", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.integer({ min: 0, max: 64 }), { minLength: 1, maxLength: 200 }),
        (floor, target, quotient, observations) => {
          let price = floor;
          for (const observed of observations) {
            const next = computeNextTicketPrice(price, observed, target, quotient, floor, NO_CEILING);
            assert.ok(next >= floor);
            if (observed > target) assert.ok(next > price);
            if (observed < target) assert.ok(next <= price);
            price = next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

interface SlotChoice {
  skip: boolean;
  withholdCommitment: boolean;
  withholdPayload: boolean;
  buys: number[];
}

const slotChoice: fc.Arbitrary<SlotChoice> = fc.record({
  skip: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  withholdCommitment: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  withholdPayload: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  buys: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: BUYERS, maxLength: BUYERS }),
});

const scenario = fc.record({
  rule: fc.constantFrom(...TICKET_MISSED_BLOCK_RULES),
  pricing: fc.constantFrom(...TICKET_PRICING_RULES),
  expiry: fc.constantFrom(0, 1),
  initialTickets: fc.integer({ min: 0, max: 4 }),
  slots: fc.array(slotChoice, { minLength: 9, maxLength: 20 }),
});

describe("ticket market on a dev chain (properties)", () => {
  it("draws each sold ticket at most once (again only after a missed slot under return_to_pool), and conserves every Gwei", () => {
    fc.assert(
      fc.property(scenario, ({ rule, pricing, expiry, initialTickets, slots }) => {
        const chain = devChain(
          {
            TICKET_ON_MISSED_BLOCK: rule,
            TICKET_PRICING: pricing,
            TICKET_EXPIRY_EPOCHS: expiry,
            TICKET_REVENUE_SINK: "burn",
            // bonding_curve: a flat enough curve that every planned purchase stays affordable
            BONDING_CURVE_GROWTH_QUOTIENT: 256,
          },
          { buyerCount: BUYERS, buyerBalance: BUYER_BALANCE, initialTicketsPerBuyer: initialTickets },
        );
        const initialTotal = BUYERS * BUYER_BALANCE;
        const { MIN_TICKET_PRICE } = chain.ctx.config;
        // Auction pricing (one ticket per slot by default): buys become bids, settled on entering the next slot
        const auction = isAuctionPricing(chain.ctx.config);
        let burned = 0;
        /** id → slots it was drawn for */
        const drawnFor = new Map<number, number[]>();
        for (let slot = 1; slot <= L; slot++) {
          const t = assigned(chain.head, slot);
          if (!isSelfBuild(t)) drawnFor.set(t.ticket_id, [slot]);
        }
        const skipped = new Set<number>();
        const gone = new Set<number>();
        let escrowIds = new Set(escrowedTickets(chain.head).map((t) => t.ticket_id));
        let soldBefore = chain.head.state.next_ticket_id;
        let poolBefore = new Set(poolIds(chain.head));

        const checkConservation = () => {
          // Under bonding_curve the reserve, not each ticket's price, backs the outstanding tickets
          const escrow =
            pricing === "bonding_curve"
              ? chain.head.state.ticket_curve_reserve
              : sum(escrowedTickets(chain.head).map((t) => t.price));
          const balances = sum(buyerBalances(chain.head));
          const bidEscrow = sum(readAllValues(chain.head.state.ticket_bids).map((b) => b.count * b.bid_price));
          assert.equal(
            balances + escrow + bidEscrow + chain.head.state.ticket_revenue + burned,
            initialTotal,
            `slot ${chain.slot}: balances ${balances} escrow ${escrow} revenue ${chain.head.state.ticket_revenue} burned ${burned}`,
          );
        };
        checkConservation();

        let bidsBefore = 0;
        for (const choice of slots) {
          if (chain.slot % SLOTS_PER_EPOCH === SLOTS_PER_EPOCH - 1) burned += chain.head.state.ticket_revenue;
          const buys = choice.skip ? [] : choice.buys.map((count, buyer) => [buyer, count]).filter(([, n]) => n > 0);
          const plan: SlotPlan = {
            skipBlock: choice.skip,
            withholdCommitment: choice.withholdCommitment,
            withholdPayload: choice.withholdPayload,
            purchases: auction
              ? []
              : buys.map(([buyer, count]) => chain.signPurchase(buyer, count, Number.MAX_SAFE_INTEGER)),
            bids: auction
              ? buys.map(([buyer, count]) => chain.signBid(buyer, count, (buyer + 1) * MIN_TICKET_PRICE))
              : [],
          };
          const previousSlot = chain.slot;
          chain.advance(plan);
          const s = chain.slot;
          if (choice.skip) skipped.add(s);
          const state = chain.head.state;
          assert.ok(state.ticket_price >= MIN_TICKET_PRICE);

          // The one ticket drawn on entering s, for s + L
          const drawn = assigned(chain.head, s + L);
          if (!isSelfBuild(drawn)) {
            const id = drawn.ticket_id;
            // (an auction settled on entering s issues tickets just before the draw)
            const soldByDraw = auction ? state.next_ticket_id : soldBefore;
            assert.ok(id < soldByDraw, `slot ${s}: drew ${id}, which was not sold before the draw`);
            const returned = rule === "return_to_pool" && skipped.has(previousSlot);
            const previousDraws = drawnFor.get(id) ?? [];
            if (previousDraws.length > 0) {
              // drawn again: only a ticket whose slot was missed and that went back to the pool
              const last = previousDraws[previousDraws.length - 1];
              assert.ok(rule === "return_to_pool" && skipped.has(last), `slot ${s}: ticket ${id} drawn twice`);
            } else {
              assert.ok(poolBefore.has(id) || id >= soldBefore, `slot ${s}: ticket ${id} was not in the pool`);
            }
            if (!poolBefore.has(id) && id < soldBefore)
              assert.ok(returned, `slot ${s}: ticket ${id} came from nowhere`);
            drawnFor.set(id, [...previousDraws, s + L]);
          }

          // Every sold id is in exactly one place: the pool, the ring (unsettled), or gone for good
          const escrowed = escrowedTickets(chain.head).map((t) => t.ticket_id);
          const current = new Set(escrowed);
          assert.equal(current.size, escrowed.length, `slot ${s}: a ticket is in two places`);
          for (const id of current) {
            assert.ok(id < state.next_ticket_id, `slot ${s}: ticket ${id} was never sold`);
            assert.ok(!gone.has(id), `slot ${s}: settled ticket ${id} is back`);
            if (!escrowIds.has(id)) assert.ok(id >= soldBefore, `slot ${s}: ticket ${id} appeared`);
          }
          for (const id of escrowIds) if (!current.has(id)) gone.add(id);
          const sold = state.next_ticket_id - soldBefore;
          // Posted price: this slot's purchases; auctions: the previous block's bids, up to the supply
          const expectedSold = auction
            ? Math.min(chain.ctx.config.TICKETS_PER_AUCTION, bidsBefore)
            : choice.skip
              ? 0
              : sum(choice.buys);
          assert.equal(sold, expectedSold);
          bidsBefore = auction ? sum(buys.map(([, n]) => n)) : 0;
          assert.equal(current.size + gone.size, state.next_ticket_id);
          escrowIds = current;
          soldBefore = state.next_ticket_id;
          poolBefore = new Set(poolIds(chain.head));

          checkConservation();
        }
      }),
      // no shrinking: each run drives a whole chain, and shrinking one would take minutes
      { numRuns: 14, endOnFailure: true },
    );
  });
});
