import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NodeMetrics, startApi } from "@turnstile/node";
import {
  type ChainConfig,
  createChainContext,
  getTicketAssignment,
  interopBuyerSecretKey,
  isSelfBuild,
  minimalChainConfig,
  signPayloadCommitment,
  signTicketBid,
  signTicketFill,
  signTicketOffer,
  signTicketSellBack,
  sszTypes,
  type TicketBid,
} from "@turnstile/ticket-state";
import { verdictOf } from "../../src/network/verdict.ts";
import { steppedNode } from "./helpers.ts";

/** What gossip does with what `fn` imports: ACCEPT, or the thrown error's verdict. */
function refusal(fn: () => unknown): { action: string; code: string } {
  try {
    fn();
  } catch (e) {
    return verdictOf(e);
  }
  return { action: "ACCEPT", code: "" };
}

const COLLATERAL = 2_000_000;

/** A node of four holders under `pricing`, with holder collateral, run to slot 4. */
function marketNode(overrides: Partial<ChainConfig>) {
  const ctx = createChainContext({ ...minimalChainConfig, TICKET_COLLATERAL: COLLATERAL, ...overrides });
  const stepped = steppedNode({ ctx });
  stepped.run(1, 4);
  return stepped;
}

/** Future slots (after the next) whose ticket a holder owns, per the head state. */
function ownedFutureSlots(
  node: ReturnType<typeof steppedNode>["node"],
): { slot: number; ticketId: number; owner: number; nonce: number }[] {
  const { state } = node.chain.head().state;
  const out = [];
  for (let slot = state.slot + 2; slot <= state.slot + node.ctx.preset.TICKET_LOOKAHEAD_SLOTS; slot++) {
    const ticket = getTicketAssignment(node.ctx, state, slot);
    if (!isSelfBuild(ticket)) out.push({ slot, ticketId: ticket.ticket_id, owner: ticket.owner, nonce: ticket.nonce });
  }
  return out;
}

describe("ticket_bid gossip checks and pool", () => {
  const { node, run } = marketNode({ TICKET_PRICING: "first_price_auction" });
  const head = () => node.chain.head().state;
  /** A nonce `k` ahead of buyer 0's (gapped, so that no block carries the bid, and within the window). */
  const lead = (k: number) => head().state.buyers.getReadonly(0).nonce + k;
  const bid = (over: Partial<TicketBid> = {}, signer = 0) => {
    const buyer = over.buyer_index ?? 0;
    const nonce = head().state.buyers.getReadonly(Math.min(buyer, 3)).nonce + 5;
    const message: TicketBid = {
      buyer_index: buyer,
      nonce,
      count: 1,
      bid_price: 5_000_000,
      auction_slot: node.clock.currentSlot + 2,
      ...over,
    };
    return signTicketBid(head(), interopBuyerSecretKey(signer), message);
  };

  it("accepts a bid for an open auction once, and pools it for that auction's blocks", () => {
    const ok = bid();
    assert.deepEqual(
      refusal(() => node.importTicketBid(ok)),
      { action: "ACCEPT", code: "" },
    );
    // [IGNORE] the first bid for (buyer, nonce): a replay, or another bid with the nonce
    assert.deepEqual(
      refusal(() => node.importTicketBid(ok)),
      { action: "IGNORE", code: "CHAIN_MARKET_ALREADY_SEEN" },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ bid_price: 6_000_000 }))),
      {
        action: "IGNORE",
        code: "CHAIN_MARKET_ALREADY_SEEN",
      },
    );
    const slot = node.clock.currentSlot + 1;
    assert.ok(node.pools.ticketBids.getForBlock(slot).includes(ok));
    assert.ok(!node.pools.ticketBids.getForBlock(slot + 1).includes(ok), "a later block bids in a later auction");
  });

  it("IGNOREs what depends on the view (window, used nonce, balance) and REJECTs what no honest peer sends", () => {
    const current = node.clock.currentSlot;
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ auction_slot: current, nonce: lead(6) }))),
      {
        action: "IGNORE",
        code: "CHAIN_BID_OUT_OF_WINDOW",
      },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ auction_slot: current + 5, nonce: lead(7) }))),
      {
        action: "IGNORE",
        code: "CHAIN_BID_OUT_OF_WINDOW",
      },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ nonce: 0 }))),
      {
        action: "IGNORE",
        code: "CHAIN_STALE_NONCE",
      },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ nonce: lead(8), count: 1, bid_price: 2 ** 40 }))),
      {
        action: "IGNORE",
        code: "CHAIN_MARKET_NOT_APPLICABLE",
      },
    );
    // [IGNORE] a nonce a block could not catch up to (MAX_TICKET_BIDS ahead): it could be pooled for good
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ nonce: lead(node.ctx.preset.MAX_TICKET_BIDS) }))),
      { action: "IGNORE", code: "CHAIN_NONCE_TOO_FAR" },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ nonce: lead(9) }, 1))),
      {
        action: "REJECT",
        code: "CHAIN_BAD_SIGNATURE",
      },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ nonce: lead(10), bid_price: 1 }))),
      {
        action: "REJECT",
        code: "CHAIN_MARKET_MALFORMED",
      },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ nonce: lead(11), count: 0 }))),
      {
        action: "REJECT",
        code: "CHAIN_MARKET_MALFORMED",
      },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid({ buyer_index: 99 }))),
      {
        action: "REJECT",
        code: "CHAIN_UNKNOWN_ACCOUNT",
      },
    );
  });

  it("prunes bids whose auction settled or whose nonce was used", () => {
    // A bid for auction 6 whose nonce leaves a gap: no block can carry it, and its auction passes
    const gapped = bid({ nonce: lead(12), auction_slot: 6 });
    assert.deepEqual(
      refusal(() => node.importTicketBid(gapped)),
      { action: "ACCEPT", code: "" },
    );
    run(5, 7);
    assert.ok(!node.pools.ticketBids.getAll().includes(gapped), "dropped once its auction settled");
    for (const b of node.pools.ticketBids.getAll()) {
      assert.ok(b.message.auction_slot > 7, `bid for auction ${b.message.auction_slot} kept at slot 7`);
    }
    // Block 7 carried the holders' bids for auction 8: their nonces are used, the next prune drops them
    const state = head().state;
    const nonceOf = (i: number) => state.buyers.getReadonly(i).nonce;
    const used = node.pools.ticketBids.getAll().filter((b) => b.message.nonce < nonceOf(b.message.buyer_index));
    assert.ok(used.length > 0, "bids a block included are still pooled until the next prune");
    node.pools.ticketBids.prune(7, nonceOf);
    for (const b of node.pools.ticketBids.getAll()) assert.ok(b.message.nonce >= nonceOf(b.message.buyer_index));
  });
});

describe("ticket_fill and holder_slashing gossip checks, pools and blocks", () => {
  it("a fill and a holder slashing are checked, pooled once, carried by the next block and take effect", () => {
    const { node, run } = marketNode({ TICKET_PRICING: "second_price_auction" });
    const cs = node.chain.head().state;
    const [sold, slashed] = ownedFutureSlots(node);
    assert.ok(sold && slashed, "two future slots with a holder's ticket");
    const buyer = (sold.owner + 1) % 4;
    const offer = signTicketOffer(cs, interopBuyerSecretKey(sold.owner), {
      ticket_id: sold.ticketId,
      ticket_nonce: sold.nonce,
      seller: sold.owner,
      price: 3_000_000,
      expiry_slot: node.clock.currentSlot + 4,
    });
    const fill = signTicketFill(cs, interopBuyerSecretKey(buyer), { offer, buyer });
    // [REJECT] a seller filling its own offer; [REJECT] a fill not signed by its buyer
    const own = signTicketFill(cs, interopBuyerSecretKey(sold.owner), { offer, buyer: sold.owner });
    assert.deepEqual(
      refusal(() => node.importTicketFill(own)),
      { action: "REJECT", code: "CHAIN_MARKET_MALFORMED" },
    );
    const forged = signTicketFill(cs, interopBuyerSecretKey(sold.owner), { offer, buyer });
    assert.deepEqual(
      refusal(() => node.importTicketFill(forged)),
      { action: "REJECT", code: "CHAIN_BAD_SIGNATURE" },
    );
    // [IGNORE] an expired offer; an offer for an earlier ownership of the ticket
    const expiredOffer = signTicketOffer(cs, interopBuyerSecretKey(sold.owner), {
      ...offer.message,
      expiry_slot: node.clock.currentSlot - 1,
    });
    assert.deepEqual(
      refusal(() =>
        node.importTicketFill(signTicketFill(cs, interopBuyerSecretKey(buyer), { offer: expiredOffer, buyer })),
      ),
      { action: "IGNORE", code: "CHAIN_OFFER_EXPIRED" },
    );
    const staleOffer = signTicketOffer(cs, interopBuyerSecretKey(sold.owner), {
      ...offer.message,
      ticket_nonce: sold.nonce + 1,
    });
    assert.deepEqual(
      refusal(() =>
        node.importTicketFill(signTicketFill(cs, interopBuyerSecretKey(buyer), { offer: staleOffer, buyer })),
      ),
      { action: "IGNORE", code: "CHAIN_MARKET_NOT_APPLICABLE" },
    );
    assert.deepEqual(
      refusal(() => node.importTicketFill(fill)),
      { action: "ACCEPT", code: "" },
    );
    // [IGNORE] the first fill of the offer wins: another buyer's fill of it is not pooled
    const other = (buyer + 1) % 4 === sold.owner ? (buyer + 2) % 4 : (buyer + 1) % 4;
    const rival = signTicketFill(cs, interopBuyerSecretKey(other), { offer, buyer: other });
    assert.deepEqual(
      refusal(() => node.importTicketFill(rival)),
      { action: "IGNORE", code: "CHAIN_MARKET_ALREADY_SEEN" },
    );

    // Two different commitments for one slot's ticket, both signed by its holder
    const holderKey = interopBuyerSecretKey(slashed.owner);
    const commitment = (fill: number) => ({
      slot: slashed.slot,
      ticket_id: slashed.ticketId,
      parent_block_hash: new Uint8Array(32),
      parent_block_root: new Uint8Array(32),
      block_hash: new Uint8Array(32).fill(fill),
      prev_randao: new Uint8Array(32),
      fee_recipient: new Uint8Array(20),
      gas_limit: 30_000_000,
    });
    const c1 = signPayloadCommitment(cs, holderKey, commitment(1));
    const c2 = signPayloadCommitment(cs, holderKey, commitment(2));
    const slashing = { signed_commitment_1: c1, signed_commitment_2: c2 };
    assert.deepEqual(
      refusal(() => node.importHolderSlashing({ signed_commitment_1: c1, signed_commitment_2: c1 })),
      {
        action: "REJECT",
        code: "HOLDER_SLASHING_SAME_COMMITMENT",
      },
    );
    const forgedC2 = signPayloadCommitment(cs, interopBuyerSecretKey((slashed.owner + 1) % 4), commitment(2));
    assert.deepEqual(
      refusal(() => node.importHolderSlashing({ signed_commitment_1: c1, signed_commitment_2: forgedC2 })),
      {
        action: "REJECT",
        code: "CHAIN_BAD_SIGNATURE",
      },
    );
    assert.deepEqual(
      refusal(() => node.importHolderSlashing(slashing)),
      { action: "ACCEPT", code: "" },
    );
    assert.deepEqual(
      refusal(() => node.importHolderSlashing(slashing)),
      {
        action: "IGNORE",
        code: "CHAIN_MARKET_ALREADY_SEEN",
      },
    );

    const before = node.chain.head().state.state.buyers.getReadonly(buyer).balance;
    run(5, 5);
    const block = node.chain.getEntry(node.chain.head().root)!.block.message;
    assert.equal(block.slot, 5);
    assert.equal(block.body.ticket_fills.length, 1, "the next block carries the fill");
    assert.equal(block.body.holder_slashings.length, 1, "and the holder slashing");
    const state = node.chain.head().state.state;
    assert.equal(getTicketAssignment(node.ctx, state, sold.slot).owner, buyer, "the ticket changed hands");
    assert.ok(state.buyers.getReadonly(buyer).balance < before - 3_000_000, "the buyer paid price and collateral");
    assert.equal(
      getTicketAssignment(node.ctx, state, slashed.slot).collateral,
      0,
      "the holder's collateral is slashed",
    );
    // Both leave the pools: the fill's ticket nonce moved, the slashing was included
    run(6, 6);
    assert.equal(node.pools.ticketFills.size, 0);
    assert.equal(node.pools.holderSlashings.size, 0);
  });
});

describe("ticket_sell_back gossip checks", () => {
  it("REJECTs market operations the chain's pricing rule does not have", () => {
    const { node } = marketNode({ TICKET_PRICING: "pool_target" });
    const cs = node.chain.head().state;
    const sellBack = signTicketSellBack(
      cs,
      interopBuyerSecretKey(0),
      { ticket_id: 0, owner: 0, nonce: 9, min_price: 0 },
      0,
    );
    assert.deepEqual(
      refusal(() => node.importTicketSellBack(sellBack)),
      {
        action: "REJECT",
        code: "CHAIN_MARKET_WRONG_PRICING",
      },
    );
    const bid = signTicketBid(cs, interopBuyerSecretKey(0), {
      buyer_index: 0,
      nonce: 9,
      count: 1,
      bid_price: 5_000_000,
      auction_slot: node.clock.currentSlot + 1,
    });
    assert.deepEqual(
      refusal(() => node.importTicketBid(bid)),
      { action: "REJECT", code: "CHAIN_MARKET_WRONG_PRICING" },
    );
  });

  it("under bonding_curve: accepts the owner's sell-back of a pooled ticket once; IGNOREs another's ticket", () => {
    const { node } = marketNode({ TICKET_PRICING: "bonding_curve", TARGET_TICKET_POOL_SIZE: 64 });
    const cs = node.chain.head().state;
    const pool = cs.state.ticket_pool;
    assert.ok(pool.length > 0, "holders bought on the curve");
    const ticket = pool.getReadonly(0);
    const nonce = cs.state.buyers.getReadonly(ticket.owner).nonce + 3;
    const sell = (owner: number, n: number) =>
      signTicketSellBack(
        cs,
        interopBuyerSecretKey(owner),
        { ticket_id: ticket.ticket_id, owner, nonce: n, min_price: 0 },
        0,
      );
    assert.deepEqual(
      refusal(() => node.importTicketSellBack(sell(ticket.owner, nonce))),
      { action: "ACCEPT", code: "" },
    );
    assert.deepEqual(
      refusal(() => node.importTicketSellBack(sell(ticket.owner, nonce))),
      {
        action: "IGNORE",
        code: "CHAIN_MARKET_ALREADY_SEEN",
      },
    );
    const other = (ticket.owner + 1) % 4;
    assert.deepEqual(
      refusal(() => node.importTicketSellBack(sell(other, cs.state.buyers.getReadonly(other).nonce + 1))),
      {
        action: "IGNORE",
        code: "CHAIN_MARKET_NOT_APPLICABLE",
      },
    );
  });
});

describe("ticket-market REST endpoints", () => {
  it("POST pools a valid operation and publishes it, answers 400 with the reason otherwise; GET lists the pool", async () => {
    const { node } = marketNode({ TICKET_PRICING: "first_price_auction" });
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: res.status === 200 ? null : ((await res.json()) as { message: string }) };
      };
      const cs = node.chain.head().state;
      const message = {
        buyer_index: 2,
        nonce: cs.state.buyers.getReadonly(2).nonce + 7,
        count: 1,
        bid_price: 4_000_000,
        auction_slot: node.clock.currentSlot + 1,
      };
      const bid = sszTypes.SignedTicketBid.toJson(signTicketBid(cs, interopBuyerSecretKey(2), message));
      assert.equal((await post("/eth/v1/tickets/bids", bid)).status, 200);
      assert.deepEqual(published, ["ticket_bid"]);
      const listed = (await (await fetch(`${base}/eth/v1/tickets/bids`)).json()) as { data: unknown[] };
      assert.ok(listed.data.some((b) => JSON.stringify(b) === JSON.stringify(bid)));
      // A refusal says why, and nothing is published
      const forged = sszTypes.SignedTicketBid.toJson(
        signTicketBid(cs, interopBuyerSecretKey(3), { ...message, nonce: message.nonce + 1 }),
      );
      const refused = await post("/eth/v1/tickets/bids", forged);
      assert.equal(refused.status, 400);
      assert.match(refused.body!.message, /not signed by the buyer/);
      assert.equal((await post("/eth/v1/tickets/bids", { message: {} })).status, 400);
      const wrongRule = await post("/eth/v1/tickets/sell_backs", {
        message: { ticket_id: "0", owner: "0", nonce: "0", min_price: "0" },
        signature: `0x${"00".repeat(96)}`,
      });
      assert.equal(wrongRule.status, 400);
      assert.match(wrongRule.body!.message, /no bonding curve/);
      assert.deepEqual(published, ["ticket_bid"]);
      for (const path of ["/eth/v1/tickets/sell_backs", "/eth/v1/tickets/fills", "/eth/v1/tickets/holder_slashings"]) {
        const res = await fetch(`${base}${path}`);
        assert.equal(res.status, 200, path);
        assert.deepEqual(await res.json(), { data: [] });
      }
    } finally {
      await api.close();
    }
  });
});

describe("holder equivocation seen by the node", () => {
  it("two different commitments of one holder for the next slot become a pooled, published holder slashing", () => {
    const { node, run } = marketNode({ TICKET_PRICING: "first_price_auction" });
    // Tickets sold from slot 3 on are drawn TICKET_LOOKAHEAD_SLOTS ahead: holders build from slot 12
    run(5, 13);
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    const slot = node.clock.currentSlot + 1;
    const cs = node.chain.head().state;
    const ticket = getTicketAssignment(node.ctx, cs.state, slot);
    assert.ok(!isSelfBuild(ticket), "a holder won the next slot");
    // The holder already committed for the slot (at 3/4 of this one); a second, different commitment
    const [honest] = node.pools.commitments.forSlot(slot);
    assert.ok(honest, "the holder's commitment is pooled");
    const second = signPayloadCommitment(cs, interopBuyerSecretKey(ticket.owner), {
      ...honest.message,
      block_hash: new Uint8Array(32).fill(7),
    });
    assert.deepEqual(
      refusal(() => node.importCommitment(second)),
      { action: "ACCEPT", code: "" },
    );
    assert.equal(node.pools.holderSlashings.size, 1);
    assert.deepEqual(published, ["holder_slashing"]);
    // A third commitment adds no second slashing for the slot
    const third = signPayloadCommitment(cs, interopBuyerSecretKey(ticket.owner), {
      ...honest.message,
      block_hash: new Uint8Array(32).fill(8),
    });
    node.importCommitment(third);
    assert.equal(node.pools.holderSlashings.size, 1);
    assert.deepEqual(published, ["holder_slashing"]);
  });
});

describe("a re-bid after a missed auction", () => {
  it("a bid with the same nonce for a later auction replaces the pooled one; the earlier one is not taken back", () => {
    const { node } = marketNode({ TICKET_PRICING: "first_price_auction" });
    const cs = node.chain.head().state;
    const current = node.clock.currentSlot;
    const nonce = cs.state.buyers.getReadonly(1).nonce + 9;
    const bidFor = (auction_slot: number) =>
      signTicketBid(cs, interopBuyerSecretKey(1), {
        buyer_index: 1,
        nonce,
        count: 1,
        bid_price: 5_000_000,
        auction_slot,
      });
    const first = bidFor(current + 1);
    const later = bidFor(current + 2);
    assert.deepEqual(
      refusal(() => node.importTicketBid(first)),
      { action: "ACCEPT", code: "" },
    );
    assert.deepEqual(
      refusal(() => node.importTicketBid(later)),
      { action: "ACCEPT", code: "" },
    );
    const pooled = node.pools.ticketBids
      .getAll()
      .filter((b) => b.message.buyer_index === 1 && b.message.nonce === nonce);
    assert.deepEqual(pooled, [later]);
    assert.deepEqual(
      refusal(() => node.importTicketBid(first)),
      { action: "IGNORE", code: "CHAIN_MARKET_ALREADY_SEEN" },
    );
  });
});

describe("ticket_offer gossip checks and the offer book", () => {
  /** A node whose holders own pooled and assigned tickets, and an offer of one of them. */
  function offerSetup() {
    const stepped = marketNode({ TICKET_PRICING: "second_price_auction" });
    const { node } = stepped;
    const cs = node.chain.head().state;
    const [sold] = ownedFutureSlots(node);
    assert.ok(sold, "a future slot with a holder's ticket");
    const message = {
      ticket_id: sold.ticketId,
      ticket_nonce: sold.nonce,
      seller: sold.owner,
      price: 1_000_000,
      expiry_slot: node.clock.currentSlot + 4,
    };
    const sign = (over: Partial<typeof message> = {}, signer = sold.owner) =>
      signTicketOffer(cs, interopBuyerSecretKey(signer), { ...message, ...over });
    return { ...stepped, cs, sold, sign };
  }

  it("accepts the seller's offer once per ownership; IGNOREs what depends on the view, REJECTs a forged signature", () => {
    const { node, sold, sign } = offerSetup();
    const current = node.clock.currentSlot;
    const verdicts: [string, ReturnType<typeof sign>, { action: string; code: string }][] = [
      ["expired", sign({ expiry_slot: current - 1 }), { action: "IGNORE", code: "CHAIN_OFFER_EXPIRED" }],
      [
        "lives past MAX_OFFER_LIFETIME_EPOCHS",
        sign({ expiry_slot: current + 2 * node.ctx.preset.SLOTS_PER_EPOCH + 1 }),
        { action: "IGNORE", code: "CHAIN_OFFER_OUT_OF_WINDOW" },
      ],
      ["unknown ticket", sign({ ticket_id: 100_000 }), { action: "IGNORE", code: "CHAIN_OFFER_UNKNOWN_TICKET" }],
      [
        "another account's ticket",
        sign({ seller: (sold.owner + 1) % 4 }, (sold.owner + 1) % 4),
        { action: "IGNORE", code: "CHAIN_OFFER_NOT_OWNER" },
      ],
      [
        "an earlier ownership",
        sign({ ticket_nonce: sold.nonce + 1 }),
        { action: "IGNORE", code: "CHAIN_OFFER_NOT_OWNER" },
      ],
      ["unknown seller", sign({ seller: 500 }), { action: "IGNORE", code: "CHAIN_UNKNOWN_ACCOUNT" }],
      ["forged", sign({}, (sold.owner + 1) % 4), { action: "REJECT", code: "CHAIN_BAD_SIGNATURE" }],
    ];
    for (const [what, offer, verdict] of verdicts) {
      assert.deepEqual(
        refusal(() => node.importTicketOffer(offer)),
        verdict,
        what,
      );
    }
    assert.equal(node.offers.getAll().length, 0, "nothing refused entered the book");
    const ok = sign();
    assert.deepEqual(
      refusal(() => node.importTicketOffer(ok)),
      { action: "ACCEPT", code: "" },
    );
    assert.deepEqual(node.offers.getAll(), [ok]);
    // [IGNORE] the first offer per ownership: a replay, or the same ticket re-priced while it lives
    assert.deepEqual(
      refusal(() => node.importTicketOffer(ok)),
      { action: "IGNORE", code: "CHAIN_MARKET_ALREADY_SEEN" },
    );
    assert.deepEqual(
      refusal(() => node.importTicketOffer(sign({ price: 900_000 }))),
      { action: "IGNORE", code: "CHAIN_MARKET_ALREADY_SEEN" },
    );
  });

  it("a fill of an offer takes it out of the book; the ownership stays seen until the offer expires", () => {
    const { node, cs, sold, sign } = offerSetup();
    const offer = sign();
    node.importTicketOffer(offer);
    const buyer = (sold.owner + 1) % 4;
    node.importTicketFill(signTicketFill(cs, interopBuyerSecretKey(buyer), { offer, buyer }));
    assert.equal(node.offers.getAll().length, 0, "a peer's fill took it: our holders do not try it again");
    assert.ok(node.offers.has(sold.ticketId, sold.nonce));
    node.offers.prune(offer.message.expiry_slot + 1, () => sold.nonce);
    assert.ok(!node.offers.has(sold.ticketId, sold.nonce), "forgotten once expired");
  });

  it("an offer from gossip is filled by one of the node's holders, and the fill settles on chain", () => {
    const { node, run, sold, sign } = offerSetup();
    // Cheap enough for any holder: the next slot's holders take the cheapest offer worth it to them
    const offer = sign({ price: minimalChainConfig.MIN_TICKET_PRICE });
    node.importTicketOffer(offer);
    run(5, 6);
    const state = node.chain.head().state.state;
    const ticket = getTicketAssignment(node.ctx, state, sold.slot);
    assert.equal(ticket.ticket_id, sold.ticketId);
    assert.notEqual(ticket.owner, sold.owner, "another holder bought it");
    assert.equal(ticket.nonce, sold.nonce + 1);
    assert.equal(node.offers.getAll().length, 0);
  });

  it("POST /eth/v1/tickets/offers admits the offer to the book and publishes it on ticket_offer", async () => {
    const { node, sign } = offerSetup();
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      const post = (offer: ReturnType<typeof sign>) =>
        fetch(`${base}/eth/v1/tickets/offers`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(sszTypes.SignedTicketOffer.toJson(offer)),
        });
      const ok = sign();
      assert.equal((await post(ok)).status, 200);
      assert.deepEqual(published, ["ticket_offer"]);
      const refused = await post(sign({ price: 5 }, 3));
      assert.equal(refused.status, 400);
      assert.deepEqual(published, ["ticket_offer"], "a refused offer is not published");
      const listed = (await (await fetch(`${base}/eth/v1/tickets/offers`)).json()) as { data: unknown[] };
      assert.deepEqual(listed.data, [sszTypes.SignedTicketOffer.toJson(ok)]);
    } finally {
      await api.close();
    }
  });
});
