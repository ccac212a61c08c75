import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  computeEpochAtSlot,
  computeLotteryIndex,
  concatBytes,
  DOMAIN_TICKET_LOTTERY,
  drawTicket,
  getRandaoMix,
  hash,
  isSelfBuild,
  processSlots,
  SELF_BUILD_TICKET_ID,
  TicketStateError,
  ticketAssignmentIndex,
  uintToBytes8,
} from "@turnstile/ticket-state";
import { devChain } from "../../utils/chain.ts";
import { assigned, poolIds, poolTickets, ringEntries, sortedNumbers } from "./marketHelpers.ts";

const L = 8; // TICKET_LOOKAHEAD_SLOTS of the minimal preset

/**
 * The spec's lottery index, written out:
 * bytes_to_uint64(hash(DOMAIN_TICKET_LOTTERY || uint_to_bytes(slot) || mix)[0:8]) mod size,
 * with `mix` the state's current RANDAO mix.
 */
function specLotteryIndex(mix: Uint8Array, slot: number, size: number): number {
  const digest = hash(concatBytes(DOMAIN_TICKET_LOTTERY, uintToBytes8(slot), mix));
  let n = 0n;
  for (let i = 7; i >= 0; i--) n = (n << 8n) | BigInt(digest[i]);
  return Number(n % BigInt(size));
}

describe("ticket lottery", () => {
  it("computeLotteryIndex is bytes_to_uint64(hash(DOMAIN_TICKET_LOTTERY || slot || current mix)) mod pool size", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 10 });
    const cs = chain.head;
    const seen = new Set<number>();
    for (let slot = 1; slot < 40; slot++) {
      const seed = getRandaoMix(cs.ctx, cs.state, computeEpochAtSlot(cs.ctx, cs.state.slot));
      for (const size of [1, 2, 7, 32, 1000]) {
        const index = computeLotteryIndex(cs, slot, size);
        assert.equal(index, specLotteryIndex(seed, slot, size), `slot ${slot} size ${size}`);
        if (size === 1000) seen.add(index);
      }
      assert.equal(computeLotteryIndex(cs, slot, 1), 0);
    }
    // not a constant: 39 draws out of 1000 hit many different indices
    assert.ok(seen.size > 30, `only ${seen.size} distinct indices`);
  });

  it("drawTicket takes the ticket at computeLotteryIndex and swap-removes it, keeping every other ticket", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 10 });
    const cs = chain.head.clone();
    // Draw far ahead, one slot after another, as the slot transition would
    for (let slot = L + 1; slot <= L + 20; slot++) {
      const before = poolTickets(cs);
      const index = computeLotteryIndex(cs, slot, before.length);
      drawTicket(cs, slot);
      const after = poolTickets(cs);
      const ring = cs.state.ticket_assignments.getReadonly(ticketAssignmentIndex(cs.ctx, slot)).toValue();
      assert.equal(ring.slot, slot);
      assert.deepEqual(ring.ticket, before[index], `slot ${slot}`);
      // swap-remove: the last ticket takes the drawn one's place, the rest keep theirs
      const expected = before.slice(0, -1);
      if (index !== before.length - 1) expected[index] = before[before.length - 1];
      assert.deepEqual(after, expected, `pool after drawing for slot ${slot}`);
    }
  });

  it("the slot transition draws for s + L with computeLotteryIndex over the pool it sees", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 8 });
    for (let s = 1; s <= 12; s++) {
      const pre = chain.head;
      const before = poolTickets(pre);
      // Mid-epoch slots, previous slot had a block: settlement does not touch the pool before the draw
      const expectedIndex = computeLotteryIndex(pre, s + L, before.length);
      chain.advance();
      const drawn = assigned(chain.head, s + L);
      assert.deepEqual(drawn, before[expectedIndex], `slot ${s}`);
      assert.deepEqual(
        sortedNumbers(poolIds(chain.head)),
        sortedNumbers(before.map((t) => t.ticket_id)).filter((id) => id !== drawn.ticket_id),
      );
    }
  });

  it("an empty pool assigns self-build (SELF_BUILD_TICKET_ID), as read back from the state", () => {
    const chain = devChain(); // no tickets at all
    const cs = chain.head.clone();
    drawTicket(cs, L + 1);
    const ticket = assigned(cs, L + 1);
    assert.equal(ticket.ticket_id, SELF_BUILD_TICKET_ID);
    assert.equal(ticket.price, 0);
    assert.ok(isSelfBuild(ticket));
    // genesis pre-drew slots 1..L from an empty pool: all self-build too
    for (let slot = 1; slot <= L; slot++) assert.ok(isSelfBuild(assigned(chain.head, slot)), `slot ${slot}`);
  });

  it("a ticket bought into an empty pool is drawn next slot, then the pool is empty again", () => {
    const chain = devChain();
    chain.advance();
    // one ticket bought in the block of slot 2 is drawn on entering slot 3, for slot 11
    chain.advance({ purchases: [chain.signPurchase(0, 1, 10 ** 12)] });
    assert.deepEqual(poolIds(chain.head), [0]);
    chain.advance();
    assert.equal(chain.head.state.ticket_pool.length, 0);
    assert.equal(assigned(chain.head, 3 + L).ticket_id, 0);
    assert.equal(assigned(chain.head, 3 + L).owner, 0);
  });

  it("a slot with no ticket is self-built: the block carries the proposer's SELF_BUILD commitment", () => {
    const chain = devChain();
    const result = chain.advance();
    const commitment = result.block?.message.body.signed_payload_commitment.message;
    assert.equal(commitment?.ticket_id, SELF_BUILD_TICKET_ID);
    // DevChain marks a self-built payload's fee recipient with 0xaa (a holder's with 0xbb)
    assert.equal(commitment?.fee_recipient[0], 0xaa);
    assert.ok(result.envelope !== null);
  });

  it("a missed self-build slot puts no ticket into the pool (none was ever sold)", () => {
    const chain = devChain({ TICKET_ON_MISSED_BLOCK: "return_to_pool" });
    chain.advance({ skipBlock: true });
    chain.advance();
    chain.advance();
    assert.equal(chain.head.state.next_ticket_id, 0);
    assert.deepEqual(poolIds(chain.head), []);
    for (const a of ringEntries(chain.head)) assert.ok(isSelfBuild(a.ticket), `slot ${a.slot}: ${a.ticket.ticket_id}`);
  });

  it("the ring holds L + 1 entries: slots s..s+L after entering s, so slot s is never overwritten before its block", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 10 });
    assert.equal(chain.head.state.ticket_assignments.length, L + 1);
    // Genesis: slot 0 (self-build) and slots 1..L pre-drawn
    assert.deepEqual(
      sortedNumbers(ringEntries(chain.head).map((a) => a.slot)),
      Array.from({ length: L + 1 }, (_, i) => i),
    );
    const drawnFor = new Map<number, number>();
    for (let slot = 1; slot <= L; slot++) drawnFor.set(slot, assigned(chain.head, slot).ticket_id);
    for (let s = 1; s <= 20; s++) {
      // The block of slot s is built on the state that has entered s: its ticket must still be there
      const entered = chain.head.clone();
      processSlots(entered, s);
      const slots = sortedNumbers(ringEntries(entered).map((a) => a.slot));
      assert.deepEqual(
        slots,
        Array.from({ length: L + 1 }, (_, i) => s + i),
        `ring after entering ${s}`,
      );
      // slot s holds the very ticket drawn L slots earlier
      assert.equal(assigned(entered, s).ticket_id, drawnFor.get(s), `slot ${s}`);
      drawnFor.set(s + L, assigned(entered, s + L).ticket_id);
      // the previous slot has left the window
      assert.throws(
        () => assigned(entered, s - 1),
        (e: unknown) => e instanceof TicketStateError && e.code === "TICKET_ASSIGNMENT_OUT_OF_WINDOW",
      );
      const result = chain.advance({ skipBlock: s % 5 === 0 });
      if (result.block) {
        assert.equal(result.block.message.body.signed_payload_commitment.message.ticket_id, drawnFor.get(s));
      }
    }
  });
});
