import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  EnvelopeError,
  EnvelopeErrorCode,
  type ExecutionTicket,
  G2_POINT_AT_INFINITY,
  getTicketAssignment,
  processSlotsCopy,
  processTicketTransfer,
  readAllValues,
  type SignedTicketTransfer,
  stateTransition,
  stateTransitionEnvelope,
  TicketError,
  TicketErrorCode,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertBlockRejected,
  assertRuleRejects,
  assertSetsVerify,
  assertThrowsCode,
  cloneBlock,
  collecting,
  resignBlock,
  resignEnvelope,
  setPubkey,
  withCommitment,
} from "./helpers.ts";

// 4 buyers × 3 tickets: 8 are drawn for slots 1..8 at genesis, one more entering slot 1, 3 stay pooled.
const newChain = () => devChain({}, { initialTicketsPerBuyer: 3 });

function pooledTickets(cs: CachedBeaconState): ExecutionTicket[] {
  cs.state.commit();
  return readAllValues(cs.state.ticket_pool);
}

function findPooled(cs: CachedBeaconState, ticketId: number): ExecutionTicket | undefined {
  return pooledTickets(cs).find((t) => t.ticket_id === ticketId);
}

/** Owner of ticket `id` wherever it is held: in the pool or assigned to a future slot. */
function heldBy(cs: CachedBeaconState, id: number): number | undefined {
  const pooled = findPooled(cs, id);
  if (pooled) return pooled.owner;
  for (let slot = cs.state.slot + 1; slot <= cs.state.slot + cs.ctx.preset.TICKET_LOOKAHEAD_SLOTS; slot++) {
    const ticket = getTicketAssignment(cs.ctx, cs.state, slot);
    if (ticket.ticket_id === id) return ticket.owner;
  }
  return undefined;
}

const other = (buyer: number) => (buyer + 1) % 4;

function transfer(chain: DevChain, ticket: ExecutionTicket, to = other(ticket.owner)): SignedTicketTransfer {
  return chain.signTransfer(ticket.ticket_id, ticket.owner, to);
}

describe("processTicketTransfer", () => {
  const chain = newChain();
  const atSlot1 = () => processSlotsCopy(chain.head, 1);
  const pooled = pooledTickets(atSlot1())[0];

  describe("valid transfers", () => {
    it("hands a pooled ticket to another account and bumps the sender's nonce", () => {
      const cs = atSlot1();
      const poolBefore = pooledTickets(cs);
      const to = other(pooled.owner);
      const fromBefore = cs.state.buyers.getReadonly(pooled.owner).toValue();
      const toBefore = cs.state.buyers.getReadonly(to).toValue();
      const bctx = collecting();

      processTicketTransfer(cs, transfer(chain, pooled, to), bctx);

      assert.deepEqual(findPooled(cs, pooled.ticket_id), { ...pooled, owner: to, nonce: pooled.nonce + 1 });
      assert.deepEqual(
        pooledTickets(cs).filter((t) => t.ticket_id !== pooled.ticket_id),
        poolBefore.filter((t) => t.ticket_id !== pooled.ticket_id),
        "the rest of the pool is untouched",
      );
      assert.deepEqual(cs.state.buyers.getReadonly(pooled.owner).toValue(), {
        ...fromBefore,
        nonce: fromBefore.nonce + 1,
      });
      assert.deepEqual(
        cs.state.buyers.getReadonly(to).toValue(),
        toBefore,
        "no balance or nonce change for the receiver",
      );
      assert.equal(bctx.signatureSets.length, 1);
      assert.equal(bctx.signatureSets[0].kind, "ticket_transfer");
      assert.deepEqual(setPubkey(bctx.signatureSets[0]), chain.buyerKeys[pooled.owner].toPublicKey().toBytes());
      assertSetsVerify(bctx.signatureSets);
    });

    it("hands over a ticket assigned to a future slot (the assignment's owner changes)", () => {
      const cs = atSlot1();
      const assigned = getTicketAssignment(chain.ctx, cs.state, 5);
      processTicketTransfer(cs, transfer(chain, assigned), collecting());
      cs.state.commit();
      assert.deepEqual(getTicketAssignment(chain.ctx, cs.state, 5), {
        ...assigned,
        owner: other(assigned.owner),
        nonce: assigned.nonce + 1,
      });
    });

    it("passes a ticket on and back in one block, with each sender's nonce", () => {
      const cs = atSlot1();
      const a = pooled.owner;
      const b = other(a);
      processTicketTransfer(cs, chain.signTransfer(pooled.ticket_id, a, b, 0), collecting());
      processTicketTransfer(cs, chain.signTransfer(pooled.ticket_id, b, a, 0), collecting());
      assert.equal(findPooled(cs, pooled.ticket_id)?.owner, a);
      assert.equal(cs.state.buyers.getReadonly(a).nonce, 1);
      assert.equal(cs.state.buyers.getReadonly(b).nonce, 1);
    });

    it("lets a ticket bought earlier in the same block change hands", () => {
      const c = newChain();
      const nextId = processSlotsCopy(c.head, 1).state.next_ticket_id;
      const price = processSlotsCopy(c.head, 1).state.ticket_price;
      const post = stateTransition(
        c.head,
        c.produceBlock(1, {
          purchases: [c.signPurchase(1, 1, price)],
          transfers: [c.signTransfer(nextId, 1, 2, 1)],
        }),
      );
      assert.deepEqual(findPooled(post, nextId), {
        ticket_id: nextId,
        owner: 2,
        purchase_slot: 1,
        price,
        collateral: 0,
        nonce: 1,
      });
      assert.equal(post.state.buyers.getReadonly(1).nonce, 2);
    });

    it("lets a ticket returned to the pool after a missed slot change hands", () => {
      // No block at slot 1: its ticket returns to the pool (TICKET_ON_MISSED_BLOCK = return_to_pool),
      // from where the lottery may already have drawn it again for slot 10
      const cs = processSlotsCopy(chain.head, 2);
      const missed = getTicketAssignment(chain.ctx, chain.head.state, 1);
      assert.equal(heldBy(cs, missed.ticket_id), missed.owner);
      processTicketTransfer(cs, transfer(chain, missed), collecting());
      assert.equal(heldBy(cs, missed.ticket_id), other(missed.owner));
    });

    it("after a transfer of a future slot's ticket, the new owner commits and reveals, and the old owner cannot", () => {
      const c = newChain();
      const slot = 5;
      const ticket = getTicketAssignment(c.ctx, c.head.state, slot);
      const oldOwner = ticket.owner;
      const newOwner = other(oldOwner);
      c.advance({ transfers: [transfer(c, ticket, newOwner)] });
      while (c.slot < slot - 1) c.advance();
      assert.equal(getTicketAssignment(c.ctx, c.head.state, slot).owner, newOwner);

      // The block with the new owner's commitment (DevChain signs with the current owner's key) imports
      const produced = c.produceBlock(slot);
      const post = stateTransition(c.head, produced);
      // The same commitment signed by the former owner does not
      const commitment = produced.message.body.signed_payload_commitment.message;
      const byOldOwner = withCommitment(c, produced, commitment, c.buyerKeys[oldOwner]);
      const e = assertBlockRejected(c.head, byOldOwner, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "payload_commitment");

      // The envelope: the new owner's signature is accepted, the former owner's is not
      const blockRoot = c.ctx.ssz.BeaconBlock.hashTreeRoot(produced.message);
      const envelope = c.produceEnvelope(post, blockRoot, commitment);
      const revealed = stateTransitionEnvelope(post, envelope, c.engine);
      assert.deepEqual(revealed.state.latest_block_hash, commitment.block_hash);
      const forged = resignEnvelope(c, post, envelope.message, c.buyerKeys[oldOwner]);
      assertThrowsCode(
        () => stateTransitionEnvelope(post, forged, c.engine),
        EnvelopeError,
        EnvelopeErrorCode.INVALID_SIGNATURE,
      );
    });
  });

  describe("invalid transfers", () => {
    it("rejects an unknown sender", () => {
      const cs = atSlot1();
      const signed = {
        message: { ticket_id: pooled.ticket_id, from: 4, to: 0, nonce: 0 },
        signature: G2_POINT_AT_INFINITY,
      };
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, signed, collecting()),
        TicketError,
        TicketErrorCode.UNKNOWN_BUYER,
      );
    });

    it("rejects an unknown receiver", () => {
      const cs = atSlot1();
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, transfer(chain, pooled, 4), collecting()),
        TicketError,
        TicketErrorCode.UNKNOWN_BUYER,
      );
    });

    it("rejects a transfer to oneself", () => {
      const cs = atSlot1();
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, transfer(chain, pooled, pooled.owner), collecting()),
        TicketError,
        TicketErrorCode.SELF_TRANSFER,
      );
    });

    it("rejects a wrong nonce", () => {
      const cs = atSlot1();
      const signed = chain.signTransfer(pooled.ticket_id, pooled.owner, other(pooled.owner), 1);
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, signed, collecting()),
        TicketError,
        TicketErrorCode.WRONG_NONCE,
      );
    });

    it("rejects a transfer by an account that does not own the ticket", () => {
      const cs = atSlot1();
      const thief = other(pooled.owner);
      const signed = chain.signTransfer(pooled.ticket_id, thief, other(thief));
      const e = assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, signed, collecting()),
        TicketError,
        TicketErrorCode.NOT_OWNER,
      );
      assert.equal(e.data.owner, pooled.owner);
    });

    it("rejects a ticket id never issued", () => {
      const cs = atSlot1();
      const signed = chain.signTransfer(cs.state.next_ticket_id, 0, 1);
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, signed, collecting()),
        TicketError,
        TicketErrorCode.UNKNOWN_TICKET,
      );
    });

    it("rejects the ticket in use at the current slot", () => {
      const cs = atSlot1();
      const inUse = getTicketAssignment(chain.ctx, cs.state, 1);
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, transfer(chain, inUse), collecting()),
        TicketError,
        TicketErrorCode.NOT_TRANSFERABLE,
      );
    });

    it("rejects a ticket already used in a past slot", () => {
      const c = newChain();
      const used = getTicketAssignment(c.ctx, c.head.state, 1);
      c.advance();
      c.advance();
      const cs = processSlotsCopy(c.head, 3);
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, transfer(c, used), collecting()),
        TicketError,
        TicketErrorCode.UNKNOWN_TICKET,
      );
    });

    it("finds no ticket in self-build slots: a forfeited ticket 0 cannot be transferred", () => {
      // Every ticket is drawn for slots 1..8 and forfeited as those slots pass without blocks;
      // slots 11..18 are self-built, so ticket 0 exists nowhere.
      const c = devChain({ TICKET_ON_MISSED_BLOCK: "forfeit" }, { initialTicketsPerBuyer: 2 });
      const cs = processSlotsCopy(c.head, 10);
      assert.equal(cs.state.ticket_pool.length, 0);
      assertRuleRejects(
        cs,
        () => processTicketTransfer(cs, c.signTransfer(0, 0, 1), collecting()),
        TicketError,
        TicketErrorCode.UNKNOWN_TICKET,
      );
    });

    it("defers the signature: a transfer signed with another key is rejected by stateTransition", () => {
      const forged = chain.signTransfer(
        pooled.ticket_id,
        pooled.owner,
        other(pooled.owner),
        undefined,
        3 - pooled.owner,
      );
      const cs = atSlot1();
      const bctx = collecting();
      processTicketTransfer(cs, forged, bctx);
      assert.equal(bctx.signatureSets.length, 1);
      assert.equal(bctx.signatureSets[0].kind, "ticket_transfer");

      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.ticket_transfers = [forged];
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "ticket_transfer");
      assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
    });

    it("rejects the same signed transfer replayed in a later block", () => {
      const c = newChain();
      const ticket = pooledTickets(processSlotsCopy(c.head, 1))[0];
      const signed = transfer(c, ticket);
      c.advance({ transfers: [signed] });
      const block = cloneBlock(c, c.produceBlock(2)).message;
      block.body.ticket_transfers = [signed];
      assertBlockRejected(c.head, resignBlock(c, block), TicketError, TicketErrorCode.WRONG_NONCE);
    });
  });
});
