import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ChainConfig,
  computeEpochAtSlot,
  createChainContext,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  interopBuyerSecretKey,
  minimalChainConfig,
  signObject,
  signTicketBid,
  signTicketSellBack,
  sszTypes,
} from "@turnstile/ticket-state";
import { verdictOf } from "../../src/network/verdict.ts";
import { steppedNode } from "./helpers.ts";

// One buyer account floods a ticket-market pool with operations whose nonces leave a gap (each
// validly signed and individually affordable, so gossip ACCEPTs and forwards every one), which no
// block can ever include. The pool's bound is shared by all accounts: once full, every other
// buyer's valid operation is IGNOREd by every node (neither pooled nor forwarded).

function refusal(fn: () => unknown): { action: string; code: string } {
  try {
    fn();
  } catch (e) {
    return verdictOf(e);
  }
  return { action: "ACCEPT", code: "" };
}

function marketNode(overrides: Partial<ChainConfig>) {
  const ctx = createChainContext({ ...minimalChainConfig, TICKET_COLLATERAL: 2_000_000, ...overrides });
  const stepped = steppedNode({ ctx });
  stepped.run(1, 4);
  return stepped;
}

describe("ticket-market pools under a one-account flood", () => {
  it("ticket_bid: bids with gapped nonces from one buyer do not lock the other buyers out of the auction", () => {
    const { node } = marketNode({ TICKET_PRICING: "first_price_auction" });
    const pool = node.pools.ticketBids;
    pool.retain(() => false);
    const cs = node.chain.head().state;
    const auction = node.clock.currentSlot + 2;
    const bid = (buyer: number, nonce: number) =>
      signTicketBid(cs, interopBuyerSecretKey(buyer), {
        buyer_index: buyer,
        nonce,
        count: 1,
        bid_price: 5_000_000,
        auction_slot: auction,
      });
    const start = cs.state.buyers.getReadonly(0).nonce + 100;
    let admitted = 0;
    for (let i = 0; i < pool.limit; i++) {
      if (refusal(() => node.importTicketBid(bid(0, start + i))).action === "ACCEPT") admitted++;
    }
    assert.ok(admitted < pool.limit, `one buyer filled the bid pool (${admitted} of ${pool.limit})`);
    const honest = bid(3, cs.state.buyers.getReadonly(3).nonce);
    assert.deepEqual(
      refusal(() => node.importTicketBid(honest)),
      { action: "ACCEPT", code: "" },
      "another buyer's next bid is pooled",
    );
  });

  it("ticket_sell_back: one ticket's sell-backs under many nonces neither fill the pool nor stay in it for good", () => {
    const { node, run } = marketNode({ TICKET_PRICING: "bonding_curve", TARGET_TICKET_POOL_SIZE: 64 });
    const pool = node.pools.ticketSellBacks;
    pool.retain(() => false);
    const cs = node.chain.head().state;
    const ticket = cs.state.ticket_pool.getReadonly(0);
    const start = cs.state.buyers.getReadonly(ticket.owner).nonce + 100;
    let admitted = 0;
    for (let i = 0; i < pool.limit; i++) {
      const sellBack = signTicketSellBack(
        cs,
        interopBuyerSecretKey(ticket.owner),
        { ticket_id: ticket.ticket_id, owner: ticket.owner, nonce: start + i, min_price: 0 },
        0,
      );
      if (refusal(() => node.importTicketSellBack(sellBack)).action === "ACCEPT") admitted++;
    }
    assert.ok(admitted < pool.limit, `one ticket filled the sell-back pool (${admitted} of ${pool.limit})`);
    // Whatever was admitted can never be included (the nonces leave a gap): an epoch later it is gone
    run(5, 5 + node.ctx.preset.SLOTS_PER_EPOCH);
    assert.equal(
      pool.getAll().filter((s) => s.message.nonce >= start).length,
      0,
      "gapped sell-backs still pooled an epoch later",
    );
  });

  // The same hole in the oldest pool: purchases and transfers were kept in unbounded arrays, every
  // nonce ahead admitted and every copy for one (account, nonce) kept
  it("ticket_purchase / ticket_transfer: gapped nonces are IGNOREd, one is kept per (account, nonce), the pools are bounded", () => {
    const { node } = marketNode({});
    const cs = node.chain.head().state;
    const epoch = computeEpochAtSlot(node.ctx, node.clock.currentSlot);
    const purchase = (buyer: number, nonce: number, maxPrice = 10 ** 12) => {
      const message = { buyer_index: buyer, nonce, count: 1, max_price: maxPrice };
      const signature = signObject(
        cs,
        interopBuyerSecretKey(buyer),
        sszTypes.TicketPurchase,
        message,
        DOMAIN_TICKET_PURCHASE,
        epoch,
      );
      return { message, signature };
    };
    const transfer = (from: number, nonce: number) => {
      const message = { ticket_id: 0, from, to: 1, nonce };
      const signature = signObject(
        cs,
        interopBuyerSecretKey(from),
        sszTypes.TicketTransfer,
        message,
        DOMAIN_TICKET_TRANSFER,
        epoch,
      );
      return { message, signature };
    };
    node.pools.ticketPurchases.retain(() => false);
    node.pools.ticketTransfers.retain(() => false);
    const nonce0 = cs.state.buyers.getReadonly(0).nonce;
    const { MAX_TICKET_PURCHASES, MAX_TICKET_TRANSFERS } = node.ctx.preset;
    assert.deepEqual(
      refusal(() => node.importPurchase(purchase(0, nonce0 + MAX_TICKET_PURCHASES))),
      {
        action: "IGNORE",
        code: "CHAIN_NONCE_TOO_FAR",
      },
    );
    assert.deepEqual(
      refusal(() => node.importTransfer(transfer(0, nonce0 + MAX_TICKET_TRANSFERS))),
      {
        action: "IGNORE",
        code: "CHAIN_NONCE_TOO_FAR",
      },
    );
    assert.deepEqual(
      refusal(() => node.importPurchase(purchase(0, nonce0))),
      { action: "ACCEPT", code: "" },
    );
    // A second purchase for the same (account, nonce), other terms: neither pooled nor forwarded
    assert.equal(refusal(() => node.importPurchase(purchase(0, nonce0, 10 ** 11))).action, "IGNORE");
    assert.equal(node.pools.ticketPurchases.size, 1);
    // Bounded: once full (whoever filled it), a valid purchase is IGNOREd
    const pool = node.pools.ticketPurchases;
    for (let k = 1; pool.size < pool.limit; k++) pool.add(purchase(1, 10 ** 6 + k));
    const nonce2 = cs.state.buyers.getReadonly(2).nonce;
    assert.deepEqual(
      refusal(() => node.importPurchase(purchase(2, nonce2))),
      {
        action: "IGNORE",
        code: "CHAIN_MARKET_NOT_APPLICABLE",
      },
    );
    assert.equal(pool.size, pool.limit);
  });

  // What passes gossip but no block can include must not hold the bounded, shared pools for good
  it("ticket_purchase / ticket_transfer: rule-breaking ones are REJECTed and nothing is pooled", () => {
    const refused = (overrides: Partial<ChainConfig>, make: (node: ReturnType<typeof marketNode>["node"]) => void) => {
      const { node } = marketNode(overrides);
      node.pools.ticketPurchases.retain(() => false);
      node.pools.ticketTransfers.retain(() => false);
      let verdict = { action: "ACCEPT", code: "" };
      try {
        make(node);
      } catch (e) {
        verdict = verdictOf(e);
      }
      assert.equal(node.pools.ticketPurchases.size + node.pools.ticketTransfers.size, 0, "refused, yet pooled");
      return verdict;
    };
    const signed = (node: ReturnType<typeof marketNode>["node"], buyer: number, count: number) => {
      const cs = node.chain.head().state;
      const message = {
        buyer_index: buyer,
        nonce: cs.state.buyers.getReadonly(buyer).nonce,
        count,
        max_price: 10 ** 12,
      };
      const epoch = computeEpochAtSlot(node.ctx, node.clock.currentSlot);
      const key = interopBuyerSecretKey(buyer);
      return {
        message,
        signature: signObject(cs, key, sszTypes.TicketPurchase, message, DOMAIN_TICKET_PURCHASE, epoch),
      };
    };
    // Under auction pricing process_ticket_purchase always fails
    assert.deepEqual(
      refused({ TICKET_PRICING: "first_price_auction" }, (node) => node.importPurchase(signed(node, 3, 1))),
      { action: "REJECT", code: "CHAIN_MARKET_WRONG_PRICING" },
    );
    assert.deepEqual(
      refused({}, (node) => node.importPurchase(signed(node, 3, 0))),
      { action: "REJECT", code: "CHAIN_MARKET_MALFORMED" },
    );
    assert.deepEqual(
      refused({}, (node) => node.importPurchase(signed(node, 3, node.ctx.preset.MAX_TICKETS_PER_PURCHASE + 1))),
      { action: "REJECT", code: "CHAIN_MARKET_MALFORMED" },
    );
    assert.deepEqual(
      refused({}, (node) => {
        const cs = node.chain.head().state;
        const message = { ticket_id: 0, from: 3, to: 3, nonce: cs.state.buyers.getReadonly(3).nonce };
        const epoch = computeEpochAtSlot(node.ctx, node.clock.currentSlot);
        const key = interopBuyerSecretKey(3);
        node.importTransfer({
          message,
          signature: signObject(cs, key, sszTypes.TicketTransfer, message, DOMAIN_TICKET_TRANSFER, epoch),
        });
      }),
      { action: "REJECT", code: "CHAIN_MARKET_MALFORMED" },
    );
  });

  it("ticket_purchase: one that never applies (max_price under the price) leaves the pool after an epoch, and its nonce is free again", () => {
    const { node, run } = marketNode({});
    const pool = node.pools.ticketPurchases;
    pool.retain(() => false);
    const buyer = 3;
    const purchase = (maxPrice: number) => {
      const cs = node.chain.head().state;
      const message = {
        buyer_index: buyer,
        nonce: cs.state.buyers.getReadonly(buyer).nonce,
        count: 1,
        max_price: maxPrice,
      };
      const epoch = computeEpochAtSlot(node.ctx, node.clock.currentSlot);
      const key = interopBuyerSecretKey(buyer);
      return {
        message,
        signature: signObject(cs, key, sszTypes.TicketPurchase, message, DOMAIN_TICKET_PURCHASE, epoch),
      };
    };
    const stuck = purchase(1);
    assert.deepEqual(
      refusal(() => node.importPurchase(stuck)),
      { action: "ACCEPT", code: "" },
    );
    // The same (account, nonce) on better terms is IGNOREd while the first is kept
    assert.equal(refusal(() => node.importPurchase(purchase(10 ** 12))).action, "IGNORE");
    const { SLOTS_PER_EPOCH } = node.ctx.preset;
    run(5, 5 + SLOTS_PER_EPOCH + 1);
    assert.equal(node.chain.head().state.state.buyers.getReadonly(buyer).nonce, stuck.message.nonce, "nonce unused");
    assert.equal(
      pool.getAll().filter((p) => p.message.buyer_index === buyer).length,
      0,
      "a purchase no block took is still pooled an epoch later",
    );
    assert.deepEqual(
      refusal(() => node.importPurchase(purchase(10 ** 12))),
      { action: "ACCEPT", code: "" },
      "its sender may sign another for the nonce",
    );
  });

  it("a holder agent whose purchase left the pool unincluded sends another (one in flight no longer stalls it for good)", () => {
    const { node, run } = marketNode({});
    const pool = node.pools.ticketPurchases;
    const buyer = 0;
    const nonce = node.chain.head().state.state.buyers.getReadonly(buyer).nonce;
    // The agent's purchase for its next nonce is lost (in its place one that never applies, which
    // an epoch later is gone too): the agent's nonce is "in flight" and never used
    pool.retain(() => false);
    const cs = node.chain.head().state;
    const message = { buyer_index: buyer, nonce, count: 1, max_price: 1 };
    const epoch = computeEpochAtSlot(node.ctx, node.clock.currentSlot);
    const key = interopBuyerSecretKey(buyer);
    pool.add({
      message,
      signature: signObject(cs, key, sszTypes.TicketPurchase, message, DOMAIN_TICKET_PURCHASE, epoch),
    });
    run(5, 5 + 3 * node.ctx.preset.SLOTS_PER_EPOCH);
    assert.ok(
      node.chain.head().state.state.buyers.getReadonly(buyer).nonce > nonce,
      "the agent never used its nonce again",
    );
  });
});
