import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  computeCurvePrice,
  computeCurveReserve,
  DOMAIN_TICKET_SELL_BACK,
  getTicketAssignment,
  processSlotsCopy,
  processTicketSellBack,
  sszTypes,
  TicketError,
  TicketErrorCode,
} from "@turnstile/ticket-state";
import { signObject } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import { assertRuleRejects, assertSetsVerify, collecting, setPubkey } from "./helpers.ts";

const CURVE = { TICKET_PRICING: "bonding_curve" } as const;

/** A pooled ticket of `owner` in `cs`. */
function pooledTicketOf(cs: ReturnType<typeof processSlotsCopy>, owner: number) {
  const pool = cs.state.ticket_pool;
  for (let i = 0; i < pool.length; i++) {
    const t = pool.getReadonly(i).toValue();
    if (t.owner === owner) return t;
  }
  throw new Error(`buyer ${owner} has no pooled ticket`);
}

describe("processTicketSellBack", () => {
  const chain = devChain(CURVE, { initialTicketsPerBuyer: 6 });
  const config = chain.ctx.config;
  const atSlot1 = () => processSlotsCopy(chain.head, 1);

  it("pays the curve's top point, removes the ticket from pool and supply, and keeps reserve == curve sum", () => {
    const cs = atSlot1();
    const ticket = pooledTicketOf(cs, 2);
    const supply = cs.state.ticket_curve_supply;
    const poolSize = cs.state.ticket_pool.length;
    const seller = cs.state.buyers.getReadonly(2).toValue();
    const revenue = cs.state.ticket_revenue;
    const value = computeCurvePrice(config, supply - 1);
    const bctx = collecting();

    processTicketSellBack(cs, chain.signSellBack(ticket.ticket_id, 2, value), bctx);

    assert.equal(cs.state.buyers.getReadonly(2).balance, seller.balance + value);
    assert.equal(cs.state.buyers.getReadonly(2).nonce, seller.nonce + 1);
    assert.equal(cs.state.ticket_pool.length, poolSize - 1);
    assert.equal(cs.caches.tickets.findInPool(cs.state, ticket.ticket_id), -1);
    assert.equal(cs.state.ticket_curve_supply, supply - 1);
    assert.equal(cs.state.ticket_curve_reserve, computeCurveReserve(config, supply - 1));
    assert.equal(cs.state.ticket_price, value, "the next buyer pays the point just vacated");
    assert.equal(cs.state.ticket_revenue, revenue);
    assert.equal(bctx.signatureSets.length, 1);
    assert.equal(bctx.signatureSets[0].kind, "ticket_sell_back");
    assertSetsVerify(bctx.signatureSets);
    assert.deepEqual(setPubkey(bctx.signatureSets[0]), cs.state.buyers.getReadonly(2).pubkey);
  });

  it("takes the fee (value // TICKET_SELL_BACK_FEE_QUOTIENT) into revenue", () => {
    const feeChain = devChain({ ...CURVE, TICKET_SELL_BACK_FEE_QUOTIENT: 20 }, { initialTicketsPerBuyer: 6 });
    const cs = processSlotsCopy(feeChain.head, 1);
    const ticket = pooledTicketOf(cs, 0);
    const value = computeCurvePrice(feeChain.ctx.config, cs.state.ticket_curve_supply - 1);
    const fee = Math.floor(value / 20);
    const balance = cs.state.buyers.getReadonly(0).balance;
    const revenue = cs.state.ticket_revenue;
    processTicketSellBack(cs, feeChain.signSellBack(ticket.ticket_id, 0, value - fee), collecting());
    assert.equal(cs.state.buyers.getReadonly(0).balance, balance + value - fee);
    assert.equal(cs.state.ticket_revenue, revenue + fee);
    assert.equal(cs.state.ticket_curve_reserve, computeCurveReserve(feeChain.ctx.config, cs.state.ticket_curve_supply));
  });

  it("returns the ticket's collateral with the payout (a pooled ticket never had a slot)", () => {
    const collateral = 5_000_000;
    const c = devChain({ ...CURVE, TICKET_COLLATERAL: collateral }, { initialTicketsPerBuyer: 6 });
    const cs = processSlotsCopy(c.head, 1);
    const ticket = pooledTicketOf(cs, 3);
    assert.equal(ticket.collateral, collateral);
    const value = computeCurvePrice(c.ctx.config, cs.state.ticket_curve_supply - 1);
    const balance = cs.state.buyers.getReadonly(3).balance;
    processTicketSellBack(cs, c.signSellBack(ticket.ticket_id, 3), collecting());
    assert.equal(cs.state.buyers.getReadonly(3).balance, balance + value + collateral);
  });

  describe("invalid sell-backs leave the state untouched", () => {
    it("under any other pricing rule: TICKET_SELL_BACK_NOT_BONDING_CURVE", () => {
      const other = devChain({}, { initialTicketsPerBuyer: 6 });
      const cs = processSlotsCopy(other.head, 1);
      const ticket = pooledTicketOf(cs, 1);
      assertRuleRejects(
        cs,
        () => processTicketSellBack(cs, other.signSellBack(ticket.ticket_id, 1), collecting()),
        TicketError,
        TicketErrorCode.SELL_BACK_NOT_BONDING_CURVE,
      );
    });

    it("a drawn ticket (assigned to a slot) or an unknown id: TICKET_SELL_BACK_NOT_POOLED", () => {
      const cs = atSlot1();
      const drawn = getTicketAssignment(chain.ctx, cs.state, 3);
      assertRuleRejects(
        cs,
        () => processTicketSellBack(cs, chain.signSellBack(drawn.ticket_id, drawn.owner), collecting()),
        TicketError,
        TicketErrorCode.SELL_BACK_NOT_POOLED,
      );
      assertRuleRejects(
        cs,
        () => processTicketSellBack(cs, chain.signSellBack(10_000, 0), collecting()),
        TicketError,
        TicketErrorCode.SELL_BACK_NOT_POOLED,
      );
    });

    it("someone else's ticket: TICKET_NOT_OWNER", () => {
      const cs = atSlot1();
      const ticket = pooledTicketOf(cs, 3);
      assertRuleRejects(
        cs,
        () => processTicketSellBack(cs, chain.signSellBack(ticket.ticket_id, 1), collecting()),
        TicketError,
        TicketErrorCode.NOT_OWNER,
      );
    });

    it("a stale nonce: TICKET_WRONG_NONCE; an unknown account: TICKET_UNKNOWN_BUYER", () => {
      const cs = atSlot1();
      const ticket = pooledTicketOf(cs, 1);
      assertRuleRejects(
        cs,
        () => processTicketSellBack(cs, chain.signSellBack(ticket.ticket_id, 1, 0, 5), collecting()),
        TicketError,
        TicketErrorCode.WRONG_NONCE,
      );
      const message = { ticket_id: ticket.ticket_id, owner: 99, nonce: 0, min_price: 0 };
      const signed = { message, signature: new Uint8Array(96) };
      assertRuleRejects(
        cs,
        () => processTicketSellBack(cs, signed, collecting()),
        TicketError,
        TicketErrorCode.UNKNOWN_BUYER,
      );
    });

    it("a payout below min_price: TICKET_SELL_BACK_BELOW_MIN_PRICE", () => {
      const cs = atSlot1();
      const ticket = pooledTicketOf(cs, 1);
      const value = computeCurvePrice(config, cs.state.ticket_curve_supply - 1);
      assertRuleRejects(
        cs,
        () => processTicketSellBack(cs, chain.signSellBack(ticket.ticket_id, 1, value + 1), collecting()),
        TicketError,
        TicketErrorCode.SELL_BACK_BELOW_MIN_PRICE,
      );
    });

    it("is signed by the owner under DOMAIN_TICKET_SELL_BACK: another key does not verify", () => {
      const cs = atSlot1();
      const ticket = pooledTicketOf(cs, 1);
      const good = chain.signSellBack(ticket.ticket_id, 1);
      const expected = signObject(
        chain.head,
        chain.buyerKeys[1],
        sszTypes.TicketSellBack,
        good.message,
        DOMAIN_TICKET_SELL_BACK,
        0,
      );
      assert.deepEqual(good.signature, expected);
      const wrongKey = chain.signSellBack(ticket.ticket_id, 1, 0, undefined, 2);
      const bctx = collecting();
      processTicketSellBack(cs, wrongKey, bctx);
      assert.throws(() => assertSetsVerify(bctx.signatureSets));
    });
  });

  it("goes through a block: DevChain includes sell-backs and the chain's price follows the curve", () => {
    const c = devChain(CURVE, { initialTicketsPerBuyer: 6 });
    const pre = processSlotsCopy(c.head, 1);
    const ticket = pooledTicketOf(pre, 0);
    const block = c.advance({ sellBacks: [c.signSellBack(ticket.ticket_id, 0)] }).block;
    assert.equal(block?.message.body.ticket_sell_backs.length, 1);
    const { state } = c.head;
    assert.equal(state.ticket_curve_reserve, computeCurveReserve(c.ctx.config, state.ticket_curve_supply));
    assert.equal(c.head.caches.tickets.findInPool(state, ticket.ticket_id), -1);
  });
});
