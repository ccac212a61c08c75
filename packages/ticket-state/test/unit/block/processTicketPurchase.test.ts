import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockError,
  BlockErrorCode,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  G2_POINT_AT_INFINITY,
  processSlotsCopy,
  processTicketPurchase,
  readAllValues,
  type SignedTicketPurchase,
  sszTypes,
  stateTransition,
  TicketError,
  TicketErrorCode,
} from "@turnstile/ticket-state";
import { signObject } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertBlockRejected,
  assertRuleRejects,
  assertSetsVerify,
  cloneBlock,
  collecting,
  resignBlock,
  setPubkey,
} from "./helpers.ts";

// A fixed price keeps the arithmetic readable: every purchase costs count × INITIAL_TICKET_PRICE.
const FIXED = { TICKET_PRICING: "fixed" } as const;

describe("processTicketPurchase", () => {
  const chain = devChain(FIXED);
  const price = chain.ctx.config.INITIAL_TICKET_PRICE;
  const { MAX_TICKETS_PER_PURCHASE, TICKET_POOL_LIMIT } = chain.ctx.preset;
  const atSlot1 = () => processSlotsCopy(chain.head, 1);

  describe("valid purchases", () => {
    it("debits the buyer, bumps its nonce and appends the tickets to the pool", () => {
      const cs = atSlot1();
      const before = cs.state.buyers.getReadonly(2).toValue();
      const others = [0, 1, 3].map((i) => cs.state.buyers.getReadonly(i).toValue());
      const nextId = cs.state.next_ticket_id;
      const poolSize = cs.state.ticket_pool.length;
      const revenue = cs.state.ticket_revenue;
      const bctx = collecting();

      processTicketPurchase(cs, chain.signPurchase(2, 3, price), bctx);

      const after = cs.state.buyers.getReadonly(2);
      assert.equal(after.balance, before.balance - 3 * price);
      assert.equal(after.nonce, before.nonce + 1);
      assert.deepEqual(after.pubkey, before.pubkey);
      assert.deepEqual(
        [0, 1, 3].map((i) => cs.state.buyers.getReadonly(i).toValue()),
        others,
        "other accounts are untouched",
      );
      assert.equal(cs.state.ticket_pool.length, poolSize + 3);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(cs.state.ticket_pool.getReadonly(poolSize + i).toValue(), {
          ticket_id: nextId + i,
          owner: 2,
          purchase_slot: 1,
          price,
          collateral: 0,
          nonce: 0,
        });
      }
      assert.equal(cs.state.next_ticket_id, nextId + 3);
      assert.equal(cs.state.tickets_sold_in_slot, 3);
      // The price is held in escrow with each ticket; it becomes revenue when the ticket is settled
      assert.equal(cs.state.ticket_revenue, revenue);

      assert.equal(bctx.signatureSets.length, 1);
      assert.equal(bctx.signatureSets[0].kind, "ticket_purchase");
      assert.deepEqual(setPubkey(bctx.signatureSets[0]), chain.buyerKeys[2].toPublicKey().toBytes());
      assertSetsVerify(bctx.signatureSets);
    });

    it("accepts max_price equal to the price and a balance that exactly covers the cost", () => {
      const poor = devChain(FIXED, { buyerBalance: 2 * price });
      const cs = processSlotsCopy(poor.head, 1);
      processTicketPurchase(cs, poor.signPurchase(1, 2, price), collecting());
      assert.equal(cs.state.buyers.getReadonly(1).balance, 0);
      assert.equal(cs.state.ticket_pool.length, 2);
    });

    it("accepts MAX_TICKETS_PER_PURCHASE tickets at once", () => {
      const cs = atSlot1();
      processTicketPurchase(cs, chain.signPurchase(0, MAX_TICKETS_PER_PURCHASE, price), collecting());
      assert.equal(cs.state.ticket_pool.length, MAX_TICKETS_PER_PURCHASE);
    });

    it("accepts consecutive nonces of one buyer in one block; sales add up", () => {
      const cs = atSlot1();
      const bctx = collecting();
      processTicketPurchase(cs, chain.signPurchase(1, 2, price, 0), bctx);
      processTicketPurchase(cs, chain.signPurchase(1, 1, price, 1), bctx);
      processTicketPurchase(cs, chain.signPurchase(3, 4, price, 0), bctx);
      cs.state.commit();
      assert.equal(cs.state.buyers.getReadonly(1).nonce, 2);
      assert.equal(cs.state.buyers.getReadonly(3).nonce, 1);
      assert.equal(cs.state.tickets_sold_in_slot, 7);
      assert.deepEqual(
        readAllValues(cs.state.ticket_pool).map((t) => [t.ticket_id, t.owner]),
        [
          [0, 1],
          [1, 1],
          [2, 1],
          [3, 3],
          [4, 3],
          [5, 3],
          [6, 3],
        ],
      );
      assertSetsVerify(bctx.signatureSets);
    });

    it("imports through stateTransition: the post-state has the tickets, the caller's state does not", () => {
      const purchase = chain.signPurchase(0, 2, price);
      const pre = chain.head;
      const rootBefore = pre.hashTreeRoot();
      const post = stateTransition(pre, chain.produceBlock(1, { purchases: [purchase] }));
      assert.equal(post.state.buyers.getReadonly(0).nonce, 1);
      assert.equal(post.state.buyers.getReadonly(0).balance, pre.state.buyers.getReadonly(0).balance - 2 * price);
      assert.equal(post.state.ticket_pool.length, 2);
      assert.deepEqual(pre.hashTreeRoot(), rootBefore);
      assert.equal(pre.state.ticket_pool.length, 0);
    });
  });

  describe("invalid purchases", () => {
    it("rejects an unknown buyer", () => {
      const cs = atSlot1();
      const signed: SignedTicketPurchase = {
        message: { buyer_index: 4, nonce: 0, count: 1, max_price: price },
        signature: G2_POINT_AT_INFINITY,
      };
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, signed, collecting()),
        TicketError,
        TicketErrorCode.UNKNOWN_BUYER,
      );
    });

    it("rejects a nonce ahead of the account's", () => {
      const cs = atSlot1();
      const e = assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, chain.signPurchase(0, 1, price, 1), collecting()),
        TicketError,
        TicketErrorCode.WRONG_NONCE,
      );
      assert.equal(e.data.expected, 0);
    });

    it("rejects a nonce already used", () => {
      const cs = atSlot1();
      processTicketPurchase(cs, chain.signPurchase(0, 1, price, 0), collecting());
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, chain.signPurchase(0, 1, price, 0), collecting()),
        TicketError,
        TicketErrorCode.WRONG_NONCE,
      );
    });

    it("rejects a count of 0", () => {
      const cs = atSlot1();
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, chain.signPurchase(0, 0, price), collecting()),
        TicketError,
        TicketErrorCode.BAD_COUNT,
      );
    });

    it("rejects a count above MAX_TICKETS_PER_PURCHASE", () => {
      const cs = atSlot1();
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, chain.signPurchase(0, MAX_TICKETS_PER_PURCHASE + 1, price), collecting()),
        TicketError,
        TicketErrorCode.BAD_COUNT,
      );
    });

    it("rejects a price above the buyer's max_price", () => {
      const cs = atSlot1();
      const e = assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, chain.signPurchase(0, 1, price - 1), collecting()),
        TicketError,
        TicketErrorCode.PRICE_ABOVE_MAX,
      );
      assert.equal(e.data.price, price);
    });

    it("rejects a purchase the balance does not cover", () => {
      const poor = devChain(FIXED, { buyerBalance: 2 * price });
      const cs = processSlotsCopy(poor.head, 1);
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, poor.signPurchase(1, 3, price), collecting()),
        TicketError,
        TicketErrorCode.INSUFFICIENT_BALANCE,
      );
    });

    it("fills the pool up to TICKET_POOL_LIMIT and no further", () => {
      // 4 × 256 tickets at genesis: 8 are drawn at genesis and one more entering slot 1
      const crowded = devChain(FIXED, { initialTicketsPerBuyer: 256 });
      const cs = processSlotsCopy(crowded.head, 1);
      const room = TICKET_POOL_LIMIT - cs.state.ticket_pool.length;
      assert.ok(room > 0 && room < MAX_TICKETS_PER_PURCHASE, `room ${room}`);
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, crowded.signPurchase(0, room + 1, price), collecting()),
        TicketError,
        TicketErrorCode.POOL_FULL,
      );
      processTicketPurchase(cs, crowded.signPurchase(0, room, price), collecting());
      assert.equal(cs.state.ticket_pool.length, TICKET_POOL_LIMIT);
      assertRuleRejects(
        cs,
        () => processTicketPurchase(cs, crowded.signPurchase(1, 1, price), collecting()),
        TicketError,
        TicketErrorCode.POOL_FULL,
      );
    });

    it("rejects the same signed purchase replayed in a later block", () => {
      const c = devChain(FIXED);
      const purchase = c.signPurchase(1, 2, price);
      c.advance({ purchases: [purchase] });
      const block = cloneBlock(c, c.produceBlock(2)).message;
      block.body.ticket_purchases = [purchase];
      const e = assertBlockRejected(c.head, resignBlock(c, block), TicketError, TicketErrorCode.WRONG_NONCE);
      assert.equal(e.data.expected, 1);
    });

    it("rejects a block whose purchase is signed with another buyer's key (BLOCK_INVALID_SIGNATURE)", () => {
      const honest = chain.signPurchase(0, 1, price);
      // Buyer 1 signs buyer 0's purchase message
      const forged = {
        message: honest.message,
        signature: signObject(
          chain.head,
          chain.buyerKeys[1],
          sszTypes.TicketPurchase,
          honest.message,
          DOMAIN_TICKET_PURCHASE,
          0,
        ),
      };
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.ticket_purchases = [forged];
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "ticket_purchase");
      // Everything else about the block is valid
      assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
    });

    it("rejects a purchase signed by the buyer under another domain", () => {
      const message = { buyer_index: 0, nonce: 0, count: 1, max_price: price };
      const signature = signObject(
        chain.head,
        chain.buyerKeys[0],
        sszTypes.TicketPurchase,
        message,
        DOMAIN_TICKET_TRANSFER,
        0,
      );
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.ticket_purchases = [{ message, signature }];
      const e = assertBlockRejected(
        chain.head,
        resignBlock(chain, block),
        BlockError,
        BlockErrorCode.INVALID_SIGNATURE,
      );
      assert.equal(e.data.kind, "ticket_purchase");
    });
  });
});
