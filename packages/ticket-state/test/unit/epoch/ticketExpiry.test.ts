import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeEpochAtSlot, processTicketExpiry } from "@turnstile/ticket-state";
import { devChain } from "../../utils/chain.ts";
import { assigned, buyerBalances, poolIds, poolTickets, sortedNumbers } from "../market/marketHelpers.ts";

const L = 8;
const NO_MAX = 10 ** 15;

/** Advance to `slot`, buying as `purchases` says (slot → [buyer, count]). */
function runTo(chain: ReturnType<typeof devChain>, slot: number, purchases: Map<number, [number, number]>): void {
  while (chain.slot < slot) {
    const p = purchases.get(chain.slot + 1);
    chain.advance({ purchases: p ? [chain.signPurchase(p[0], p[1], NO_MAX)] : [] });
  }
}

describe("ticket expiry (TICKET_EXPIRY_EPOCHS > 0)", () => {
  it("refunds exactly the escrowed price of each expired pooled ticket to its owner", () => {
    const chain = devChain({ TICKET_EXPIRY_EPOCHS: 1 }, { initialTicketsPerBuyer: 10 });
    // Epoch 0: buyer 2 buys 10 at slot 3 (the price has risen: 32 pooled > target 16); epoch 1: buyer 3 buys 2
    const purchases = new Map<number, [number, number]>([
      [3, [2, 10]],
      [10, [3, 2]],
    ]);
    runTo(chain, 3, purchases);
    const slot3Tickets = poolTickets(chain.head).filter((t) => t.purchase_slot === 3);
    assert.equal(slot3Tickets.length, 10);
    assert.notEqual(slot3Tickets[0].price, chain.ctx.config.INITIAL_TICKET_PRICE);
    runTo(chain, 7, purchases);

    // End of epoch 0: tickets bought in epoch 0 have lived less than 1 full epoch: nothing expires
    let balances = buyerBalances(chain.head);
    const pool = poolIds(chain.head);
    chain.advance();
    assert.deepEqual(buyerBalances(chain.head), balances);
    assert.deepEqual(
      sortedNumbers([...poolIds(chain.head), assigned(chain.head, 8 + L).ticket_id]),
      sortedNumbers(pool),
    );

    // End of epoch 1: every pooled ticket bought in epoch 0 expires (0 + 1 <= 1), the epoch-1 ones stay
    runTo(chain, 15, purchases);
    const before = poolTickets(chain.head);
    balances = buyerBalances(chain.head);
    const expired = before.filter((t) => computeEpochAtSlot(chain.ctx, t.purchase_slot) + 1 <= 1);
    const kept = before.filter((t) => computeEpochAtSlot(chain.ctx, t.purchase_slot) === 1);
    assert.ok(expired.length > 0 && kept.length > 0);
    // among them tickets bought at another price than the genesis ones
    assert.ok(expired.some((t) => t.price === slot3Tickets[0].price));
    assert.equal(expired.length + kept.length, before.length);
    chain.advance();
    const expected = [...balances];
    for (const t of expired) expected[t.owner] += t.price;
    assert.deepEqual(buyerBalances(chain.head), expected);
    // The draw for slot 24 happened after expiry: it took one of the kept tickets
    const drawn = assigned(chain.head, 16 + L);
    assert.ok(kept.some((t) => t.ticket_id === drawn.ticket_id));
    assert.deepEqual(
      sortedNumbers([...poolIds(chain.head), drawn.ticket_id]),
      sortedNumbers(kept.map((t) => t.ticket_id)),
    );
    // Tickets of epoch 0 already assigned to future slots are not expired: the ring still holds them
    const ringTickets = Array.from({ length: L - 1 }, (_, i) => assigned(chain.head, 17 + i));
    assert.ok(ringTickets.some((t) => computeEpochAtSlot(chain.ctx, t.purchase_slot) === 0));
    for (const t of ringTickets) assert.ok(!expired.some((e) => e.ticket_id === t.ticket_id));

    // End of epoch 2: the epoch-1 tickets still pooled expire too
    runTo(chain, 23, purchases);
    const left = poolTickets(chain.head);
    balances = buyerBalances(chain.head);
    chain.advance();
    const expected2 = [...balances];
    for (const t of left) expected2[t.owner] += t.price;
    assert.deepEqual(buyerBalances(chain.head), expected2);
    assert.equal(chain.head.state.ticket_pool.length, 0);
  });

  it("with TICKET_EXPIRY_EPOCHS = 0 nothing ever expires", () => {
    const chain = devChain({ TICKET_EXPIRY_EPOCHS: 0 }, { initialTicketsPerBuyer: 10 });
    runTo(chain, 15, new Map());
    const cs = chain.head.clone();
    const pool = poolTickets(cs);
    const balances = buyerBalances(cs);
    processTicketExpiry(cs);
    assert.deepEqual(poolTickets(cs), pool);
    assert.deepEqual(buyerBalances(cs), balances);
  });

  it("processTicketExpiry on its own: removes exactly the expired entries, whatever their pool positions", () => {
    const chain = devChain({ TICKET_EXPIRY_EPOCHS: 2 }, { initialTicketsPerBuyer: 2 });
    const cs = chain.head.clone();
    // Hand-made pool at slot 31 (epoch 3): purchase epochs 0, 3, 1, 2, 1, 0 → expired when epoch + 2 <= 3
    cs.state.slot = 31;
    const purchaseSlots = [0, 24, 15, 16, 8, 7];
    const prices = [101, 202, 303, 404, 505, 606];
    cs.state.ticket_pool = cs.ctx.ssz.BeaconState.fields.ticket_pool.toViewDU(
      purchaseSlots.map((slot, i) => ({
        ticket_id: 100 + i,
        owner: i % 4,
        purchase_slot: slot,
        price: prices[i],
        collateral: 0,
        nonce: 0,
      })),
    );
    const balances = buyerBalances(cs);
    processTicketExpiry(cs);
    // expired: ids 100 (epoch 0), 102 (1), 104 (1), 105 (0); kept: 101 (3), 103 (2)
    assert.deepEqual(sortedNumbers(poolIds(cs)), [101, 103]);
    const expected = [...balances];
    expected[0] += 101; // id 100, owner 0
    expected[2] += 303; // id 102, owner 2
    expected[0] += 505; // id 104, owner 0
    expected[1] += 606; // id 105, owner 1
    assert.deepEqual(buyerBalances(cs), expected);
  });
});
