import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AuctionPricing,
  type CachedBeaconState,
  isSelfBuild,
  processSlotsCopy,
  readAllValues,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import { buyerBalances, poolTickets, sum } from "./marketHelpers.ts";

const PERIOD = 4;
const SUPPLY = 3;
const M = 1_000_000; // MIN_TICKET_PRICE on the minimal config: the reserve
const auctionConfig = (rule: AuctionPricing) =>
  ({ TICKET_PRICING: rule, TICKET_AUCTION_PERIOD_SLOTS: PERIOD, TICKETS_PER_AUCTION: SUPPLY }) as const;

/** Escrow held by the bid book. */
function bookEscrow(cs: CachedBeaconState): number {
  return sum(readAllValues(cs.state.ticket_bids).map((b) => b.count * b.bid_price));
}

/** Bids in slots 1 and 2 (buyer: count @ price): 0: 2@50M, 1: 1@80M, then 2: 1@30M, 3: 2@60M. */
function chainWithBids(rule: AuctionPricing): DevChain {
  const chain = devChain(auctionConfig(rule));
  chain.advance({ bids: [chain.signBid(0, 2, 50 * M), chain.signBid(1, 1, 80 * M)] });
  chain.advance({ bids: [chain.signBid(2, 1, 30 * M), chain.signBid(3, 2, 60 * M)] });
  chain.advance();
  return chain;
}

describe("ticket auction settlement (settle_ticket_auction)", () => {
  for (const [rule, paid, clearing] of [
    ["first_price_auction", [80 * M, 60 * M, 60 * M], 60 * M],
    ["second_price_auction", [50 * M, 50 * M, 50 * M], 50 * M],
  ] as const) {
    it(`${rule}: the top ${SUPPLY} tickets are issued on entering the settlement slot, losers and overpayment refunded`, () => {
      const chain = chainWithBids(rule);
      const pre = chain.head; // slot 3, the book holds all four bids
      assert.equal(pre.state.slot, PERIOD - 1);
      assert.equal(pre.state.ticket_bids.length, 4);
      const balancesBefore = buyerBalances(pre);
      const escrowBefore = bookEscrow(pre);

      const post = processSlotsCopy(pre, PERIOD);
      // ranking: buyer 1 @80M, buyer 3 @60M ×2, buyer 0 @50M ×2, buyer 2 @30M; supply 3
      const issued = poolTickets(post).filter((t) => t.purchase_slot === PERIOD);
      // one of the three may already have been drawn for slot PERIOD + lookahead: count the ring too
      const drawn = post.state.ticket_assignments.getReadonly(
        (PERIOD + post.ctx.preset.TICKET_LOOKAHEAD_SLOTS) % (post.ctx.preset.TICKET_LOOKAHEAD_SLOTS + 1),
      ).ticket;
      const won = [...issued, ...(isSelfBuild(drawn) ? [] : [drawn])].filter((t) => t.purchase_slot === PERIOD);
      won.sort((a, b) => a.ticket_id - b.ticket_id);
      assert.deepEqual(
        won.map((t) => [t.owner, t.price]),
        [
          [1, paid[0]],
          [3, paid[1]],
          [3, paid[2]],
        ],
      );
      assert.equal(post.state.ticket_bids.length, 0, "settlement empties the book");
      assert.equal(post.state.ticket_price, clearing, "ticket_price shows the clearing price");

      // conservation: escrow in == paid (now escrowed on the tickets) + refunded
      const refunded = sum(buyerBalances(post)) - sum(balancesBefore);
      assert.equal(escrowBefore, sum(won.map((t) => t.price)) + refunded);
      // losers get everything back; nobody's balance ends above what it had before bidding
      const balances = buyerBalances(post);
      const start = buyerBalances(chain.head).map(() => 1000 * 10 ** 9);
      assert.equal(balances[2], start[2], "the losing bid is refunded in full");
      assert.equal(balances[0], start[0], "a bid that won nothing is refunded in full");
      assert.equal(balances[1], start[1] - paid[0]);
      assert.equal(balances[3], start[3] - paid[1] - paid[2]);
    });
  }

  it("with TICKET_COLLATERAL, a bid escrows price + collateral per ticket; won tickets carry it, the rest is refunded", () => {
    const C = 7 * M;
    const chain = devChain({ ...auctionConfig("second_price_auction"), TICKET_COLLATERAL: C });
    const start = buyerBalances(chain.head);
    chain.advance({ bids: [chain.signBid(0, 2, 50 * M), chain.signBid(1, 2, 80 * M)] });
    assert.equal(start[0] - chain.head.state.buyers.getReadonly(0).balance, 2 * (50 * M + C));
    const post = processSlotsCopy(chain.head, PERIOD);
    const drawn = post.state.ticket_assignments.getReadonly(
      (PERIOD + post.ctx.preset.TICKET_LOOKAHEAD_SLOTS) % (post.ctx.preset.TICKET_LOOKAHEAD_SLOTS + 1),
    ).ticket;
    const won = [...poolTickets(post), ...(isSelfBuild(drawn) ? [] : [drawn])];
    // supply 3: buyer 1 wins 2, buyer 0 wins 1 (partial); uniform price = buyer 0's losing unit, 50M
    assert.deepEqual(won.map((t) => [t.owner, t.price, t.collateral]).sort(), [
      [0, 50 * M, C],
      [1, 50 * M, C],
      [1, 50 * M, C],
    ]);
    const spent = buyerBalances(post).map((b, i) => start[i] - b);
    assert.deepEqual(
      spent.slice(0, 2),
      [50 * M + C, 2 * (50 * M + C)],
      "only won tickets' price and collateral stay held",
    );
  });

  it("zero bids: the auction settles to the reserve and issues nothing", () => {
    const chain = devChain(auctionConfig("second_price_auction"));
    const post = processSlotsCopy(chain.head, PERIOD);
    assert.equal(post.state.ticket_pool.length, 0);
    assert.equal(post.state.ticket_price, M);
  });

  it("a full pool caps the supply: bids beyond the pool's room are refunded", () => {
    const chain = chainWithBids("first_price_auction");
    const pre = chain.head.clone();
    const limit = pre.ctx.preset.TICKET_POOL_LIMIT;
    // room for exactly one ticket (the draw on entering PERIOD then takes one pooled ticket)
    const filler = { ticket_id: 0, owner: 0, purchase_slot: 0, price: M };
    while (pre.state.ticket_pool.length < limit - 1) {
      const id = pre.state.next_ticket_id;
      pre.state.ticket_pool.push(
        pre.ctx.ssz.ExecutionTicket.toViewDU({
          ...pre.ctx.ssz.ExecutionTicket.defaultValue(),
          ...filler,
          ticket_id: id,
        }),
      );
      pre.state.next_ticket_id = id + 1;
    }
    const before = sum(buyerBalances(pre));
    const post = processSlotsCopy(pre, PERIOD);
    const after = sum(buyerBalances(post));
    // one ticket issued: buyer 1's 80M bid wins it; every other Gwei of escrow comes back
    assert.equal(before + bookEscrow(pre) - 80 * M, after);
  });

  it("bids from slot PERIOD on belong to the next auction, settled on entering 2 × PERIOD", () => {
    const chain = chainWithBids("first_price_auction");
    chain.advance(); // slot PERIOD: settles
    chain.advance({ bids: [chain.signBid(2, 1, 90 * M)] });
    assert.equal(readAllValues(chain.head.state.ticket_bids)[0].auction_slot, 2 * PERIOD);
    const post = processSlotsCopy(chain.head, 2 * PERIOD);
    assert.equal(post.state.ticket_price, 90 * M);
    assert.equal(post.state.ticket_bids.length, 0);
  });
});

describe("auction periods and expiry (published setup: N tickets per auction, expiry N slots)", () => {
  it("TICKET_EXPIRY_SLOTS = period: won tickets are drawable for exactly one period, then refunded", () => {
    const chain = devChain({
      TICKET_PRICING: "first_price_auction",
      TICKET_AUCTION_PERIOD_SLOTS: 8,
      TICKETS_PER_AUCTION: 12,
      TICKET_EXPIRY_SLOTS: 8,
    });
    chain.advance({ bids: [chain.signBid(0, 12, 2 * M)] });
    const wonAt8 = (cs: CachedBeaconState) => poolTickets(cs).filter((t) => t.purchase_slot === 8).length;
    // 12 won on entering 8; the draws on entering 8..15 take one each
    const at15 = processSlotsCopy(chain.head, 15);
    assert.equal(wonAt8(at15), 12 - 8);
    const at16 = processSlotsCopy(chain.head, 16);
    assert.equal(wonAt8(at16), 0, "expired on entering slot 16, before its draw");
    assert.equal(
      at16.state.buyers.getReadonly(0).balance - at15.state.buyers.getReadonly(0).balance,
      4 * 2 * M,
      "the 4 expired tickets are refunded",
    );
  });
});

describe("DevChain under auction pricing", () => {
  for (const rule of ["first_price_auction", "second_price_auction"] as const) {
    it(`${rule}: tickets are won, drawn, committed and revealed; purchases are refused`, () => {
      const chain = devChain(auctionConfig(rule));
      const lookahead = chain.ctx.preset.TICKET_LOOKAHEAD_SLOTS;
      const revealedByAuctionTicket: number[] = [];
      const wonIds = new Set<number>();
      for (let i = 0; i < 3 * PERIOD + lookahead + 4; i++) {
        const slot = chain.slot + 1;
        // every buyer bids once per auction, at a price that depends on who it is
        const plan =
          slot % PERIOD === 1 ? { bids: [0, 1, 2, 3].map((b) => chain.signBid(b, 1, (10 + 5 * b) * M)) } : {};
        const result = chain.advance(plan);
        for (const t of poolTickets(chain.head)) wonIds.add(t.ticket_id);
        const committed = result.block?.message.body.signed_payload_commitment.message.ticket_id;
        if (committed !== undefined && wonIds.has(committed) && result.envelope !== null) {
          revealedByAuctionTicket.push(slot);
        }
      }
      assert.ok(wonIds.size >= 2 * SUPPLY, `tickets were won (${wonIds.size})`);
      assert.ok(revealedByAuctionTicket.length >= 2, "auction-won tickets were drawn and their payloads revealed");
      // bids 10, 15, 20, 25 M for 3 tickets: buyers 3, 2, 1 win
      const expected = rule === "first_price_auction" ? 15 * M : 10 * M;
      assert.equal(chain.head.state.ticket_price, expected, "first: lowest winning bid; second: highest losing bid");
      assert.throws(
        () => chain.advance({ purchases: [chain.signPurchase(0, 1, 10 ** 12)] }),
        /do not apply/,
        "the proposer drops a posted-price purchase; strict DevChain reports it",
      );
    });
  }
});
