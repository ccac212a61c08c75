import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ExecutionTicket,
  processSlots,
  sszTypes,
  type TicketOnMissedBlock,
  ZERO_HASH,
} from "@turnstile/ticket-state";
import { devChain } from "../../utils/chain.ts";
import { assigned, buyerBalances, poolIds, poolTickets, sortedNumbers } from "./marketHelpers.ts";

const L = 8;

/** Ticket ids in the pool or drawn for `drawnSlot` (the one slot drawn since the previous look). */
function poolAndDrawn(chain: ReturnType<typeof devChain>, drawnSlot: number): number[] {
  return sortedNumbers([...poolIds(chain.head), assigned(chain.head, drawnSlot).ticket_id]);
}

function ticketsWithPrices() {
  // 4 buyers × 6 tickets at genesis: slots 1..8 have tickets, 16 more in the pool
  return devChain({}, { initialTicketsPerBuyer: 6 });
}

describe("ticket settlement: a slot whose ticket was assigned gets no block", () => {
  const cases: [TicketOnMissedBlock, (t: ExecutionTicket) => { pool: boolean; refund: number; revenue: number }][] = [
    ["return_to_pool", () => ({ pool: true, refund: 0, revenue: 0 })],
    ["refund", (t) => ({ pool: false, refund: t.price, revenue: 0 })],
    ["forfeit", (t) => ({ pool: false, refund: 0, revenue: t.price })],
  ];
  for (const [rule, expectation] of cases) {
    it(`${rule}: balances, pool and revenue`, () => {
      const chain = devChain({ TICKET_ON_MISSED_BLOCK: rule }, { initialTicketsPerBuyer: 6 });
      chain.advance();
      const missed = assigned(chain.head, 2);
      assert.ok(missed.price > 0);
      chain.advance({ skipBlock: true });
      // State at slot 2 with no block: slot 1's ticket has been settled as used, slot 2's not yet
      const balancesBefore = buyerBalances(chain.head);
      const revenueBefore = chain.head.state.ticket_revenue;
      const poolBefore = poolIds(chain.head);
      chain.advance(); // entering slot 3 settles slot 2, draws for slot 11
      const want = expectation(missed);

      const balances = buyerBalances(chain.head);
      const expectedBalances = [...balancesBefore];
      expectedBalances[missed.owner] += want.refund;
      assert.deepEqual(balances, expectedBalances);
      assert.equal(chain.head.state.ticket_revenue, revenueBefore + want.revenue);
      const expectedIds = want.pool ? [...poolBefore, missed.ticket_id] : poolBefore;
      assert.deepEqual(poolAndDrawn(chain, 3 + L), sortedNumbers(expectedIds));
      if (want.pool) {
        // back in the pool unchanged: same owner, same escrowed price, same purchase slot
        const back = [...poolTickets(chain.head), assigned(chain.head, 3 + L)].find(
          (t) => t.ticket_id === missed.ticket_id,
        );
        assert.deepEqual(back, missed);
      }
    });
  }

  it("return_to_pool with a full pool refunds instead", () => {
    const chain = devChain({ TICKET_ON_MISSED_BLOCK: "return_to_pool" }, { initialTicketsPerBuyer: 6 });
    chain.advance();
    const missed = assigned(chain.head, 2);
    chain.advance({ skipBlock: true });
    const cs = chain.head.clone();
    const limit = cs.ctx.preset.TICKET_POOL_LIMIT;
    let id = cs.state.next_ticket_id;
    while (cs.state.ticket_pool.length < limit) {
      cs.state.ticket_pool.push(
        sszTypes.ExecutionTicket.toViewDU({
          ticket_id: id++,
          owner: 3,
          purchase_slot: 2,
          price: 5,
          collateral: 0,
          nonce: 0,
        }),
      );
    }
    cs.state.next_ticket_id = id;
    const balanceBefore = cs.state.buyers.getReadonly(missed.owner).balance;
    processSlots(cs, 3);
    assert.equal(cs.state.buyers.getReadonly(missed.owner).balance, balanceBefore + missed.price);
    assert.equal(cs.state.ticket_pool.length, limit - 1); // one drawn for slot 11, nothing appended
    assert.ok(!poolIds(cs).includes(missed.ticket_id));
  });

  it("refund: two missed slots in a row refund both tickets", () => {
    const chain = devChain({ TICKET_ON_MISSED_BLOCK: "refund" }, { initialTicketsPerBuyer: 6 });
    chain.advance();
    const a = assigned(chain.head, 2);
    const b = assigned(chain.head, 3);
    const before = buyerBalances(chain.head);
    chain.advance({ skipBlock: true });
    chain.advance({ skipBlock: true });
    chain.advance();
    const expected = [...before];
    expected[a.owner] += a.price;
    expected[b.owner] += b.price;
    assert.deepEqual(buyerBalances(chain.head), expected);
  });
});

describe("ticket settlement: the slot got a block", () => {
  it("a used ticket's escrowed price becomes revenue; nobody's balance moves", () => {
    const chain = ticketsWithPrices();
    chain.advance();
    chain.advance();
    // State after the block of slot 2: its ticket is used but not yet settled
    const used = assigned(chain.head, 2);
    const revenueBefore = chain.head.state.ticket_revenue;
    const balancesBefore = buyerBalances(chain.head);
    const poolBefore = poolIds(chain.head);
    chain.advance();
    assert.equal(chain.head.state.ticket_revenue, revenueBefore + used.price);
    assert.deepEqual(buyerBalances(chain.head), balancesBefore);
    assert.deepEqual(poolAndDrawn(chain, 3 + L), sortedNumbers(poolBefore));
  });

  it("committed, then withheld the payload: the holder gets nothing back, even under refund", () => {
    const chain = devChain({ TICKET_ON_MISSED_BLOCK: "refund" }, { initialTicketsPerBuyer: 6 });
    chain.advance();
    const latestHash = chain.head.state.latest_block_hash;
    const ticket = assigned(chain.head, 2);
    const result = chain.advance({ withholdPayload: true });
    // The block carries the holder's commitment but no envelope followed
    const commitment = result.block?.message.body.signed_payload_commitment.message;
    assert.equal(commitment?.ticket_id, ticket.ticket_id);
    assert.notDeepEqual(commitment?.block_hash, ZERO_HASH);
    assert.equal(result.envelope, null);
    assert.equal(chain.head.state.execution_payload_availability.get(2), false);
    assert.deepEqual(chain.head.state.latest_block_hash, latestHash);
    const balancesBefore = buyerBalances(chain.head);
    const revenueBefore = chain.head.state.ticket_revenue;
    const poolBefore = poolIds(chain.head);
    chain.advance();
    assert.equal(chain.head.state.ticket_revenue, revenueBefore + ticket.price);
    assert.deepEqual(buyerBalances(chain.head), balancesBefore);
    assert.deepEqual(poolAndDrawn(chain, 3 + L), sortedNumbers(poolBefore));
  });

  it("withheld commitment (empty commitment): the ticket is consumed, even under return_to_pool", () => {
    const chain = devChain({ TICKET_ON_MISSED_BLOCK: "return_to_pool" }, { initialTicketsPerBuyer: 6 });
    chain.advance();
    const ticket = assigned(chain.head, 2);
    const result = chain.advance({ withholdCommitment: true });
    const commitment = result.block?.message.body.signed_payload_commitment.message;
    assert.equal(commitment?.ticket_id, ticket.ticket_id);
    assert.deepEqual(commitment?.block_hash, ZERO_HASH);
    assert.equal(result.envelope, null);
    assert.deepEqual(chain.head.state.latest_payload_commitment.block_hash, ZERO_HASH);
    const balancesBefore = buyerBalances(chain.head);
    const revenueBefore = chain.head.state.ticket_revenue;
    const poolBefore = poolIds(chain.head);
    chain.advance();
    assert.equal(chain.head.state.ticket_revenue, revenueBefore + ticket.price);
    assert.deepEqual(buyerBalances(chain.head), balancesBefore);
    assert.deepEqual(poolAndDrawn(chain, 3 + L), sortedNumbers(poolBefore));
  });
});
