/**
 * Hand-checked holders' cases (secondary market, collateral, grants): each post-state value is
 * derived from the pre-state and the operation by the rule's arithmetic, not by the state transition.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCase } from "./load.ts";

const COLLATERAL = 5_000_000;

describe("hand-checked holders' vectors", () => {
  it("ticket_fill/fill_pooled_ticket: the ticket changes owner, its nonce moves on, the price moves between the two", () => {
    const c = loadCase("operations", "ticket_fill", "fill_pooled_ticket");
    const { pre, post } = c;
    const fill = c.dir.decode("ticket_fill", c.ctx.ssz.SignedTicketFill).message;
    const offer = fill.offer.message;
    const index = pre.ticket_pool.findIndex((t) => t.ticket_id === offer.ticket_id);
    assert.equal(pre.ticket_pool[index].owner, offer.seller);
    assert.deepEqual(post.ticket_pool[index], {
      ...pre.ticket_pool[index],
      owner: fill.buyer,
      nonce: pre.ticket_pool[index].nonce + 1,
    });
    assert.equal(post.buyers[fill.buyer].balance, pre.buyers[fill.buyer].balance - offer.price);
    assert.equal(post.buyers[offer.seller].balance, pre.buyers[offer.seller].balance + offer.price);
    // no account nonce moves: replay is the ticket's nonce
    assert.deepEqual(
      post.buyers.map((b) => b.nonce),
      pre.buyers.map((b) => b.nonce),
    );
  });

  it("ticket_fill/fill_with_collateral: the buyer pays price + collateral, the seller receives both", () => {
    const c = loadCase("operations", "ticket_fill", "fill_with_collateral");
    const { pre, post } = c;
    const fill = c.dir.decode("ticket_fill", c.ctx.ssz.SignedTicketFill).message;
    const offer = fill.offer.message;
    const ticket = pre.ticket_pool.find((t) => t.ticket_id === offer.ticket_id);
    assert.equal(ticket?.collateral, COLLATERAL);
    const cost = offer.price + COLLATERAL;
    assert.equal(post.buyers[fill.buyer].balance, pre.buyers[fill.buyer].balance - cost);
    assert.equal(post.buyers[offer.seller].balance, pre.buyers[offer.seller].balance + cost);
  });

  it("holder_slashing/slash_assigned_ticket: the assigned ticket's collateral is zeroed and burnt, nothing else moves", () => {
    const c = loadCase("operations", "holder_slashing", "slash_assigned_ticket");
    const { pre, post } = c;
    const evidence = c.dir.decode("holder_slashing", c.ctx.ssz.HolderSlashing);
    const slot = evidence.signed_commitment_1.message.slot;
    const ring = (s: typeof pre) => s.ticket_assignments.find((a) => a.slot === slot);
    assert.equal(ring(pre)?.ticket.collateral, COLLATERAL);
    assert.deepEqual(ring(post)?.ticket, { ...ring(pre)?.ticket, collateral: 0 });
    assert.deepEqual(post.balances, pre.balances, "burnt: no validator is credited");
    assert.deepEqual(post.buyers, pre.buyers);
  });

  it("holder_slashing/slash_to_proposer: the proposer of the block is credited the collateral", () => {
    const c = loadCase("operations", "holder_slashing", "slash_to_proposer");
    const { pre, post } = c;
    const proposer = pre.latest_block_header.proposer_index;
    assert.equal(post.balances[proposer], pre.balances[proposer] + COLLATERAL);
  });

  it("epoch_processing/validator_ticket_grants_single_eligible: four price-0 tickets, all on one new account with validator 9's key", () => {
    const c = loadCase("epoch_processing", "validator_ticket_grants", "validator_ticket_grants_single_eligible");
    const { pre, post } = c;
    assert.equal(post.next_ticket_id, pre.next_ticket_id + 4);
    assert.equal(post.buyers.length, pre.buyers.length + 1);
    const account = post.buyers[pre.buyers.length];
    assert.deepEqual(account, { pubkey: pre.validators[9].pubkey, balance: 0, nonce: 0 });
    const granted = post.ticket_pool.filter((t) => t.ticket_id >= pre.next_ticket_id);
    assert.equal(granted.length, 4);
    for (const t of granted) {
      assert.deepEqual(t, {
        ...t,
        owner: pre.buyers.length,
        price: 0,
        collateral: 0,
        nonce: 0,
        purchase_slot: pre.slot,
      });
    }
  });
});
