import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  DOMAIN_TICKET_PURCHASE,
  processSlotsCopy,
  processTicketBid,
  processTicketPurchase,
  readAllValues,
  sszTypes,
  stateTransition,
  type TicketBid,
  TicketError,
  TicketErrorCode,
} from "@turnstile/ticket-state";
import { signObject, signTicketBid } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import { assertBlockRejected, assertRuleRejects, assertSetsVerify, collecting, setPubkey } from "./helpers.ts";

const PERIOD = 4;
const AUCTION = {
  TICKET_PRICING: "first_price_auction",
  TICKET_AUCTION_PERIOD_SLOTS: PERIOD,
  TICKETS_PER_AUCTION: 3,
} as const;
const GWEI_PRICE = 5_000_000;

describe("processTicketBid", () => {
  const chain = devChain(AUCTION);
  const { MIN_TICKET_PRICE, MAX_TICKET_PRICE } = chain.ctx.config;
  const { MAX_TICKETS_PER_PURCHASE, TICKET_BID_BOOK_LIMIT } = chain.ctx.preset;
  // In slot 1 the open auction settles on entering slot PERIOD
  const atSlot1 = () => processSlotsCopy(chain.head, 1);
  const msg = (cs: CachedBeaconState, over: Partial<TicketBid> = {}): TicketBid => ({
    buyer_index: 0,
    nonce: cs.state.buyers.getReadonly(over.buyer_index ?? 0).nonce,
    count: 2,
    bid_price: GWEI_PRICE,
    auction_slot: PERIOD,
    ...over,
  });
  const signed = (cs: CachedBeaconState, over: Partial<TicketBid> = {}, signer?: number) => {
    const m = msg(cs, over);
    return signTicketBid(cs, chain.buyerKeys[signer ?? m.buyer_index], m);
  };

  it("escrows count × bid_price, bumps the nonce and appends the bid to the book", () => {
    const cs = atSlot1();
    const before = cs.state.buyers.getReadonly(0).balance;
    const bctx = collecting();
    const op = signed(cs);
    processTicketBid(cs, op, bctx);
    assert.equal(cs.state.buyers.getReadonly(0).balance, before - 2 * GWEI_PRICE);
    assert.equal(cs.state.buyers.getReadonly(0).nonce, 1);
    assert.deepEqual(readAllValues(cs.state.ticket_bids), [op.message]);
    assert.equal(cs.state.ticket_pool.length, 0, "no ticket exists before settlement");
    assertSetsVerify(bctx.signatureSets);
    assert.deepEqual(setPubkey(bctx.signatureSets[0]), cs.state.buyers.getReadonly(0).pubkey);
  });

  it("keeps bids in inclusion order, across buyers and blocks of the same auction", () => {
    const cs = atSlot1();
    processTicketBid(cs, signed(cs, { buyer_index: 2 }), collecting());
    processTicketBid(cs, signed(cs, { buyer_index: 1 }), collecting());
    processTicketBid(cs, signed(cs, { buyer_index: 2, bid_price: 2 * GWEI_PRICE }), collecting());
    const at3 = processSlotsCopy(cs, 3);
    processTicketBid(at3, signed(at3, { buyer_index: 0 }), collecting());
    assert.deepEqual(
      readAllValues(at3.state.ticket_bids).map((b) => b.buyer_index),
      [2, 1, 2, 0],
    );
  });

  it("accepts a bid at exactly the reserve (MIN_TICKET_PRICE) and at exactly MAX_TICKET_PRICE", () => {
    const cs = atSlot1();
    processTicketBid(cs, signed(cs, { bid_price: MIN_TICKET_PRICE }), collecting());
    const rich = atSlot1();
    rich.state.buyers.get(1).balance = MAX_TICKET_PRICE;
    processTicketBid(rich, signed(rich, { buyer_index: 1, count: 1, bid_price: MAX_TICKET_PRICE }), collecting());
    assert.equal(rich.state.buyers.getReadonly(1).balance, 0);
  });

  it("refuses a bid when tickets are not sold by auction", () => {
    const posted = devChain({ TICKET_PRICING: "fixed" });
    const cs = processSlotsCopy(posted.head, 1);
    const op = signTicketBid(cs, posted.buyerKeys[0], msg(cs, { auction_slot: 2 }));
    assertRuleRejects(cs, () => processTicketBid(cs, op, collecting()), TicketError, TicketErrorCode.BID_NO_AUCTION);
  });

  it("refuses an unknown buyer, a wrong nonce and a count out of range", () => {
    const cs = atSlot1();
    const reject = (over: Partial<TicketBid>, code: TicketErrorCode) => {
      const op = { message: { ...msg(cs), ...over }, signature: signed(cs).signature };
      assertRuleRejects(cs, () => processTicketBid(cs, op, collecting()), TicketError, code);
    };
    reject({ buyer_index: cs.state.buyers.length }, TicketErrorCode.UNKNOWN_BUYER);
    reject({ nonce: 1 }, TicketErrorCode.WRONG_NONCE);
    reject({ count: 0 }, TicketErrorCode.BAD_COUNT);
    reject({ count: MAX_TICKETS_PER_PURCHASE + 1 }, TicketErrorCode.BAD_COUNT);
  });

  it("refuses a bid for a settled auction, and for any auction but the open one", () => {
    const at5 = processSlotsCopy(chain.head, PERIOD + 1);
    const reject = (cs: CachedBeaconState, auctionSlot: number, code: TicketErrorCode) =>
      assertRuleRejects(
        cs,
        () => processTicketBid(cs, signed(cs, { auction_slot: auctionSlot }), collecting()),
        TicketError,
        code,
      );
    reject(at5, PERIOD, TicketErrorCode.BID_AUCTION_CLOSED);
    reject(at5, at5.state.slot, TicketErrorCode.BID_AUCTION_CLOSED);
    reject(at5, 3 * PERIOD, TicketErrorCode.BID_AUCTION_NOT_OPEN);
    reject(at5, 2 * PERIOD - 1, TicketErrorCode.BID_AUCTION_NOT_OPEN);
    // the open auction is accepted
    processTicketBid(at5, signed(at5, { auction_slot: 2 * PERIOD }), collecting());
    // in the last slot of a period the open auction is still the one settling on the next slot
    const at4 = processSlotsCopy(chain.head, PERIOD - 1);
    processTicketBid(at4, signed(at4, { auction_slot: PERIOD }), collecting());
  });

  it("refuses a bid price below the reserve or above MAX_TICKET_PRICE", () => {
    const cs = atSlot1();
    const reject = (price: number, code: TicketErrorCode) =>
      assertRuleRejects(
        cs,
        () => processTicketBid(cs, signed(cs, { bid_price: price }), collecting()),
        TicketError,
        code,
      );
    reject(MIN_TICKET_PRICE - 1, TicketErrorCode.BID_BELOW_RESERVE);
    reject(MAX_TICKET_PRICE + 1, TicketErrorCode.BID_ABOVE_MAX_PRICE);
  });

  it("refuses a bid whose escrow is one Gwei more than the balance", () => {
    const cs = atSlot1();
    cs.state.buyers.get(3).balance = 2 * GWEI_PRICE - 1;
    assertRuleRejects(
      cs,
      () => processTicketBid(cs, signed(cs, { buyer_index: 3 }), collecting()),
      TicketError,
      TicketErrorCode.INSUFFICIENT_BALANCE,
    );
  });

  it("refuses a bid when the book holds TICKET_BID_BOOK_LIMIT bids", () => {
    const cs = atSlot1();
    const filler = sszTypes.TicketBid.toViewDU(msg(cs, { buyer_index: 1 }));
    for (let i = 0; i < TICKET_BID_BOOK_LIMIT - 1; i++) cs.state.ticket_bids.push(filler.clone());
    processTicketBid(cs, signed(cs), collecting());
    assertRuleRejects(
      cs,
      () => processTicketBid(cs, signed(cs, { buyer_index: 2 }), collecting()),
      TicketError,
      TicketErrorCode.BID_BOOK_FULL,
    );
  });

  it("refuses a posted-price purchase under auction pricing", () => {
    for (const rule of ["first_price_auction", "second_price_auction"] as const) {
      const c = devChain({ ...AUCTION, TICKET_PRICING: rule });
      const cs = processSlotsCopy(c.head, 1);
      const purchase = c.signPurchase(0, 1, 10 ** 12);
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, purchase, collecting()),
        TicketError,
        TicketErrorCode.PURCHASE_UNDER_AUCTION,
      );
    }
  });

  it("a block carrying a bid signed by another key is invalid", () => {
    const c = devChain(AUCTION);
    const forged = signTicketBid(c.head, c.buyerKeys[1], {
      buyer_index: 0,
      nonce: 0,
      count: 1,
      bid_price: GWEI_PRICE,
      auction_slot: PERIOD,
    });
    const block = c.produceBlock(1, { bids: [forged] });
    assert.equal(block.message.body.ticket_bids.length, 1);
    assertBlockRejected(c.head, block, BlockError, BlockErrorCode.INVALID_SIGNATURE);
    // the bid's bytes signed under the purchase domain are refused: bids have a domain of their own
    const otherDomain = {
      message: forged.message,
      signature: signObject(c.head, c.buyerKeys[0], sszTypes.TicketBid, forged.message, DOMAIN_TICKET_PURCHASE, 0),
    };
    assertBlockRejected(
      c.head,
      c.produceBlock(1, { bids: [otherDomain] }),
      BlockError,
      BlockErrorCode.INVALID_SIGNATURE,
    );
    const good = signTicketBid(c.head, c.buyerKeys[0], forged.message);
    const post = stateTransition(c.head, c.produceBlock(1, { bids: [good] }));
    assert.equal(post.state.ticket_bids.length, 1);
  });
});
