import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AuctionBid, type AuctionPricing, clearTicketAuction } from "@turnstile/ticket-state";
import fc from "fast-check";

const RESERVE = 10;
const bid = (count: number, bidPrice: number): AuctionBid => ({ count, bidPrice });
const escrowOf = (bids: AuctionBid[]) => bids.reduce((n, b) => n + b.count * b.bidPrice, 0);

describe("clearTicketAuction", () => {
  it("first-price: the top `supply` units win and each winner pays its own bid", () => {
    const bids = [bid(1, 50), bid(2, 80), bid(1, 30), bid(1, 60)];
    const out = clearTicketAuction(bids, 3, RESERVE, "first_price_auction");
    assert.deepEqual(out.ranking, [1, 3, 0, 2]);
    assert.deepEqual(
      out.fills.map((f) => [f.won, f.pricePerTicket, f.refund]),
      [
        [0, 50, 50],
        [2, 80, 0],
        [0, 30, 30],
        [1, 60, 0],
      ],
    );
    assert.equal(out.sold, 3);
    assert.equal(out.clearingPrice, 60, "first-price clearing price is the lowest winning bid");
  });

  it("second-price: every winner pays the highest losing bid; the loser pays nothing", () => {
    const bids = [bid(1, 50), bid(2, 80), bid(1, 30), bid(1, 60)];
    const out = clearTicketAuction(bids, 3, RESERVE, "second_price_auction");
    assert.equal(out.clearingPrice, 50);
    assert.deepEqual(
      out.fills.map((f) => [f.won, f.refund]),
      [
        [0, 50],
        [2, 2 * 80 - 2 * 50],
        [0, 30],
        [1, 60 - 50],
      ],
    );
  });

  it("ties at the margin go to the earlier bid (inclusion order)", () => {
    const bids = [bid(1, 90), bid(1, 40), bid(1, 40), bid(1, 40)];
    const out = clearTicketAuction(bids, 2, RESERVE, "first_price_auction");
    assert.deepEqual(
      out.fills.map((f) => f.won),
      [1, 1, 0, 0],
    );
    assert.deepEqual(out.ranking, [0, 1, 2, 3]);
    // second-price: the tied loser sets the price, so the tied winner pays its bid exactly
    const second = clearTicketAuction(bids, 2, RESERVE, "second_price_auction");
    assert.equal(second.clearingPrice, 40);
    assert.deepEqual(
      second.fills.map((f) => f.refund),
      [50, 0, 40, 40],
    );
  });

  it("the marginal bid is partially filled and refunded for the units it did not win", () => {
    const bids = [bid(3, 70), bid(4, 50), bid(2, 20)];
    const first = clearTicketAuction(bids, 5, RESERVE, "first_price_auction");
    assert.deepEqual(
      first.fills.map((f) => [f.won, f.refund]),
      [
        [3, 0],
        [2, 2 * 50],
        [0, 2 * 20],
      ],
    );
    // second-price: the highest losing unit is the marginal bid's own third unit, at 50
    const second = clearTicketAuction(bids, 5, RESERVE, "second_price_auction");
    assert.equal(second.clearingPrice, 50);
    assert.deepEqual(
      second.fills.map((f) => [f.won, f.refund]),
      [
        [3, 3 * 70 - 3 * 50],
        [2, 4 * 50 - 2 * 50],
        [0, 2 * 20],
      ],
    );
  });

  it("fewer tickets bid for than supply: all win; second-price pays the reserve", () => {
    const bids = [bid(2, 40), bid(1, 25)];
    const first = clearTicketAuction(bids, 8, RESERVE, "first_price_auction");
    assert.equal(first.sold, 3);
    assert.deepEqual(
      first.fills.map((f) => f.refund),
      [0, 0],
    );
    assert.equal(first.clearingPrice, 25);
    const second = clearTicketAuction(bids, 8, RESERVE, "second_price_auction");
    assert.equal(second.clearingPrice, RESERVE);
    assert.deepEqual(
      second.fills.map((f) => f.refund),
      [2 * (40 - RESERVE), 25 - RESERVE],
    );
  });

  it("zero bids: nothing sold, the clearing price is the reserve", () => {
    for (const rule of ["first_price_auction", "second_price_auction"] as const) {
      const out = clearTicketAuction([], 4, RESERVE, rule);
      assert.deepEqual(out, { fills: [], ranking: [], sold: 0, clearingPrice: RESERVE });
    }
  });

  it("zero supply (a full pool): every bid is refunded in full", () => {
    const bids = [bid(2, 40), bid(1, 25)];
    for (const rule of ["first_price_auction", "second_price_auction"] as const) {
      const out = clearTicketAuction(bids, 0, RESERVE, rule);
      assert.equal(out.sold, 0);
      assert.deepEqual(
        out.fills.map((f) => f.refund),
        [80, 25],
      );
    }
  });
});

// Random bid books: every bid at or above the reserve (inclusion refuses the rest), counts 1..16
const bookArb = fc.array(
  fc.record({ count: fc.integer({ min: 1, max: 16 }), bidPrice: fc.integer({ min: RESERVE, max: 2 ** 40 }) }),
  { maxLength: 64 },
);
const ruleArb = fc.constantFrom<AuctionPricing>("first_price_auction", "second_price_auction");

describe("clearTicketAuction properties (fast-check)", () => {
  it("conserves escrow: escrow in == paid + refunded, and sold == min(supply, demand)", () => {
    fc.assert(
      fc.property(bookArb, fc.integer({ min: 0, max: 128 }), ruleArb, (bids, supply, rule) => {
        const out = clearTicketAuction(bids, supply, RESERVE, rule);
        const paid = out.fills.reduce((n, f) => n + f.won * f.pricePerTicket, 0);
        const refunded = out.fills.reduce((n, f) => n + f.refund, 0);
        assert.equal(paid + refunded, escrowOf(bids));
        const demand = bids.reduce((n, b) => n + b.count, 0);
        assert.equal(out.sold, Math.min(supply, demand));
        assert.equal(
          out.fills.reduce((n, f) => n + f.won, 0),
          out.sold,
        );
      }),
    );
  });

  it("no loser pays, no winner pays above its bid, and no refund is negative", () => {
    fc.assert(
      fc.property(bookArb, fc.integer({ min: 0, max: 128 }), ruleArb, (bids, supply, rule) => {
        const out = clearTicketAuction(bids, supply, RESERVE, rule);
        out.fills.forEach((f, i) => {
          const escrow = bids[i].count * bids[i].bidPrice;
          if (f.won === 0) assert.equal(f.refund, escrow, "a losing bid gets its whole escrow back");
          assert.ok(f.refund >= 0);
          assert.ok(f.won === 0 || f.pricePerTicket <= bids[i].bidPrice);
          assert.ok(f.won === 0 || f.pricePerTicket >= RESERVE);
        });
      }),
    );
  });

  it("at most one bid is partially filled, and every unit that won outbids (or ties earlier) every unit that lost", () => {
    fc.assert(
      fc.property(bookArb, fc.integer({ min: 0, max: 128 }), ruleArb, (bids, supply, rule) => {
        const out = clearTicketAuction(bids, supply, RESERVE, rule);
        const partial = out.fills.filter((f, i) => f.won > 0 && f.won < bids[i].count);
        assert.ok(partial.length <= 1);
        for (let w = 0; w < bids.length; w++) {
          if (out.fills[w].won === 0) continue;
          for (let l = 0; l < bids.length; l++) {
            if (out.fills[l].won === bids[l].count || l === w) continue;
            const outbids = bids[w].bidPrice > bids[l].bidPrice || (bids[w].bidPrice === bids[l].bidPrice && w < l);
            assert.ok(outbids, `bid ${w} won over bid ${l}`);
          }
        }
      }),
    );
  });

  it("second-price is uniform and never raises revenue above first-price on the same book", () => {
    fc.assert(
      fc.property(bookArb, fc.integer({ min: 0, max: 128 }), (bids, supply) => {
        const first = clearTicketAuction(bids, supply, RESERVE, "first_price_auction");
        const second = clearTicketAuction(bids, supply, RESERVE, "second_price_auction");
        const revenue = (o: typeof first) => o.fills.reduce((n, f) => n + f.won * f.pricePerTicket, 0);
        assert.ok(revenue(second) <= revenue(first));
        assert.ok(second.fills.every((f) => f.won === 0 || f.pricePerTicket === second.clearingPrice));
        assert.deepEqual(
          second.fills.map((f) => f.won),
          first.fills.map((f) => f.won),
          "both rules allocate the same units",
        );
      }),
    );
  });
});
