import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createChainContext,
  getTicketAssignment,
  isEmptyCommitment,
  isSelfBuild,
  minimalChainConfig,
  SELF_BUILD_TICKET_ID,
  type TicketPricing,
  toHex,
} from "@turnstile/ticket-state";
import { pricingOption, withPricing } from "../../src/cli/options.ts";
import { steppedNode } from "./helpers.ts";

/** A node of one process (all validators and holders), stepped by the test, under `pricing`. */
function marketNode(pricing: TicketPricing, overrides: Partial<typeof minimalChainConfig> = {}) {
  return steppedNode({ ctx: createChainContext({ ...minimalChainConfig, TICKET_PRICING: pricing, ...overrides }) });
}

describe("node duties under the opt-in pricing rules", () => {
  for (const pricing of ["first_price_auction", "second_price_auction"] as const) {
    it(`${pricing}: holders bid, blocks carry the bids, auctions settle, winners build payloads`, () => {
      const { node, run, rejected } = marketNode(pricing);
      run(1, 16);
      const head = node.chain.head();
      let bids = 0;
      let purchases = 0;
      let holderPayloads = 0;
      for (
        let e = node.chain.getEntry(head.root);
        e && e.slot > 0;
        e = node.chain.getEntry(toHex(e.block.message.parent_root))
      ) {
        const body = e.block.message.body;
        bids += body.ticket_bids.length;
        purchases += body.ticket_purchases.length;
        if (e.envelope && body.signed_payload_commitment.message.ticket_id !== SELF_BUILD_TICKET_ID) holderPayloads++;
      }
      const state = head.state.state;
      // Four holders bid in every auction from slot 2 on
      assert.ok(bids >= 4 * 12, `bids on chain: ${bids}; rejected: ${rejected.join(",")}`);
      assert.equal(purchases, 0);
      // One ticket per auction (TICKETS_PER_AUCTION) sold to the highest bidder, drawn by the lottery later
      assert.ok(state.next_ticket_id >= 12, `tickets sold ${state.next_ticket_id}`);
      // The highest valuation (buyer 3) wins; the price is set by the auction
      assert.ok(state.ticket_price > minimalChainConfig.MIN_TICKET_PRICE, `price ${state.ticket_price}`);
      assert.ok(holderPayloads > 0, "a holder that won an auction built a payload");
      assert.deepEqual(
        rejected.filter((r) => r.startsWith("ticket_bid")),
        [],
      );
    });
  }

  it("bonding_curve: holders buy along the curve and sell back once it pays more than a ticket is worth to them", () => {
    const { node, run, rejected } = marketNode("bonding_curve");
    run(1, 24);
    let sellBacks = 0;
    let purchases = 0;
    const head = node.chain.head();
    for (
      let e = node.chain.getEntry(head.root);
      e && e.slot > 0;
      e = node.chain.getEntry(toHex(e.block.message.parent_root))
    ) {
      sellBacks += e.block.message.body.ticket_sell_backs.length;
      purchases += e.block.message.body.ticket_purchases.length;
    }
    const state = head.state.state;
    assert.ok(purchases > 0 && state.ticket_curve_supply > 0, "tickets bought on the curve");
    assert.ok(sellBacks > 0, "the low-value holders sold back as the curve rose");
    assert.deepEqual(
      rejected.filter((r) => r.startsWith("ticket_")),
      [],
    );
  });
});

describe("validators selling granted tickets (--sell-grants)", () => {
  it("offers each epoch's grants to the node's holders, who fill them; the fills go on chain", () => {
    const ctx = createChainContext({ ...minimalChainConfig, VALIDATOR_TICKET_GRANTS_PER_EPOCH: 4 });
    const { node, run, rejected } = steppedNode({ ctx, sellGrantedTickets: true });
    const offered: number[] = [];
    // The first grants are minted entering epoch 2 (slot 16); at 2/4 of slot 17 they are offered
    run(1, 17);
    for (const o of node.offers.getAll()) offered.push(o.message.ticket_id);
    assert.ok(offered.length > 0, "our validators offered their granted tickets");
    run(18, 22);
    let fills = 0;
    const bought = new Set<number>();
    for (let e = node.chain.getEntry(node.chain.head().root); e && e.slot > 16; ) {
      for (const f of e.block.message.body.ticket_fills) {
        fills++;
        assert.ok(f.message.buyer < 4, "a holder bought it");
        bought.add(f.message.offer.message.ticket_id);
      }
      e = node.chain.getEntry(toHex(e.block.message.parent_root));
    }
    assert.ok(fills > 0, `fills on chain: ${fills}; rejected: ${rejected.join(",")}`);
    for (const id of bought) assert.ok(offered.includes(id), `ticket ${id} was one of the granted tickets offered`);
    assert.deepEqual(
      rejected.filter((r) => r.startsWith("ticket_fill")),
      [],
    );
  });

  it("is off by default: no offers without --sell-grants", () => {
    const ctx = createChainContext({ ...minimalChainConfig, VALIDATOR_TICKET_GRANTS_PER_EPOCH: 4 });
    const { node, run } = steppedNode({ ctx });
    run(1, 17);
    const state = node.chain.head().state.state;
    assert.ok(state.buyers.length > 4, "grants were minted to validators' buyer accounts");
    assert.equal(node.offers.getAll().length, 0);
  });
});

describe("validators using granted tickets (no --sell-grants)", () => {
  it("a granted ticket drawn for a slot gets a FULL payload, committed and revealed with the validator's key", () => {
    const ctx = createChainContext({ ...minimalChainConfig, VALIDATOR_TICKET_GRANTS_PER_EPOCH: 4 });
    const { node, run, rejected } = steppedNode({ ctx });
    // Grants are minted entering epoch 2 (slot 16) and drawn TICKET_LOOKAHEAD_SLOTS (8) later at the earliest
    run(1, 48);
    const state = node.chain.head().state.state;
    const validatorPubkeys = new Set<string>();
    for (let i = 0; i < state.validators.length; i++)
      validatorPubkeys.add(toHex(state.validators.getReadonly(i).pubkey));
    let grantedSlots = 0;
    for (let e = node.chain.getEntry(node.chain.head().root); e && e.slot > 16; ) {
      const commitment = e.block.message.body.signed_payload_commitment.message;
      // The ticket drawn for the block's slot (the ring still holds it after the block)
      const post = node.chain.regen.getPostState(e.root, false).state;
      const ticket = getTicketAssignment(ctx, post, e.slot);
      const owner = isSelfBuild(ticket) ? null : post.buyers.getReadonly(ticket.owner).pubkey;
      if (owner !== null && validatorPubkeys.has(toHex(owner))) {
        grantedSlots++;
        assert.equal(
          commitment.ticket_id,
          ticket.ticket_id,
          `slot ${e.slot}: the block carries the owner's commitment`,
        );
        assert.ok(!isEmptyCommitment(commitment), `slot ${e.slot}: the commitment is not empty`);
        assert.ok(e.envelope, `slot ${e.slot}: the payload was revealed (FULL)`);
        assert.equal(toHex(e.envelope.message.payload.block_hash), toHex(commitment.block_hash));
      }
      e = node.chain.getEntry(toHex(e.block.message.parent_root));
    }
    assert.ok(grantedSlots > 0, "some slots drew a granted ticket");
    assert.deepEqual(
      rejected.filter((r) => r.startsWith("payload_commitment") || r.startsWith("envelope")),
      [],
    );
  });
});

describe("--pricing", () => {
  it("overrides the config's TICKET_PRICING only when given", () => {
    assert.equal(withPricing(minimalChainConfig, "second_price_auction").TICKET_PRICING, "second_price_auction");
    assert.equal(withPricing(minimalChainConfig, undefined), minimalChainConfig);
    assert.throws(() => pricingOption().parseArg?.("auction", undefined), /Allowed choices/);
  });
});
