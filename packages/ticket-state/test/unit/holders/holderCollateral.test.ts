import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  type ChainConfig,
  type HolderSlashing,
  processHolderSlashing,
  processSlotsCopy,
  readAllValues,
  SELF_BUILD_TICKET_ID,
  TicketError,
  TicketErrorCode,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import { assertBlockRejected, assertRuleRejects, collecting } from "../block/helpers.ts";
import { assigned, buyerBalances, escrowedTickets, sum } from "../market/marketHelpers.ts";

const COLLATERAL = 2_000_000;
const newChain = (overrides: Partial<ChainConfig> = {}) =>
  devChain({ TICKET_COLLATERAL: COLLATERAL, ...overrides }, { initialTicketsPerBuyer: 3 });

function pending(cs: CachedBeaconState) {
  cs.state.commit();
  return readAllValues(cs.state.pending_collateral);
}

/** Every Gwei of the market: buyers' balances, escrowed prices and collateral, pending collateral, revenue. */
function marketGwei(cs: CachedBeaconState): number {
  const escrow = escrowedTickets(cs).reduce((n, t) => n + t.price + t.collateral, 0);
  return sum(buyerBalances(cs)) + escrow + sum(pending(cs).map((p) => p.amount)) + cs.state.ticket_revenue;
}

/** Advance to just before `slot` (its ticket is then assigned to the next slot). */
function advanceTo(chain: DevChain, slot: number): void {
  while (chain.slot < slot) chain.advance();
}

function nextSlotState(chain: DevChain): CachedBeaconState {
  return processSlotsCopy(chain.head, chain.slot + 1);
}

describe("holder collateral: posted, held, returned", () => {
  it("a purchase takes price plus TICKET_COLLATERAL per ticket, and the ticket carries it", () => {
    const chain = newChain();
    const before = chain.head.state.buyers.getReadonly(1).balance;
    const price = chain.head.state.ticket_price;
    chain.advance({ purchases: [chain.signPurchase(1, 2, price * 2)] });
    const after = chain.head.state.buyers.getReadonly(1).balance;
    const paidPrices = before - after - 2 * COLLATERAL;
    assert.ok(paidPrices >= 2 * 1 && paidPrices <= 2 * price * 2, "two prices and two collaterals were taken");
    const pool = readAllValues(chain.head.state.ticket_pool);
    assert.ok(pool.slice(-2).every((t) => t.owner === 1 && t.collateral === COLLATERAL));
    // Off by default: nothing beside the price
    const off = devChain({}, { initialTicketsPerBuyer: 1 });
    assert.ok(readAllValues(off.head.state.ticket_pool).every((t) => t.collateral === 0));
  });

  it("payload revealed: the collateral waits COLLATERAL_RELEASE_DELAY_SLOTS in pending_collateral, then goes back to the owner", () => {
    const chain = newChain();
    const delay = chain.ctx.preset.COLLATERAL_RELEASE_DELAY_SLOTS;
    const slot = 3;
    advanceTo(chain, slot - 1);
    const ticket = assigned(chain.head, slot);
    chain.advance();
    chain.advance();
    const entry = pending(chain.head).find((p) => p.slot === slot);
    assert.deepEqual(entry, { ticket_id: ticket.ticket_id, owner: ticket.owner, slot, amount: COLLATERAL });
    const step = (plan = {}) => {
      const before = chain.head.state.buyers.getReadonly(ticket.owner).balance;
      chain.advance(plan);
      return chain.head.state.buyers.getReadonly(ticket.owner).balance - before;
    };
    advanceTo(chain, slot + delay - 1);
    assert.ok(
      pending(chain.head).some((p) => p.slot === slot),
      "still held one slot before the delay ends",
    );
    // Entering slot + delay releases it (the owner's own later settlements also release theirs: compare entries)
    const released = pending(chain.head)
      .filter((p) => p.slot + delay <= chain.slot + 1 && p.owner === ticket.owner)
      .reduce((n, p) => n + p.amount, 0);
    assert.equal(step(), released);
    assert.ok(released >= COLLATERAL);
    assert.ok(!pending(chain.head).some((p) => p.slot === slot));
    assert.ok(pending(chain.head).length <= delay, "the queue never holds more than the delay");
  });

  it("holder committed but withheld the payload: the collateral is slashed at settlement (burn)", () => {
    const chain = newChain();
    const slot = 3;
    advanceTo(chain, slot - 1);
    const ticket = assigned(chain.head, slot);
    chain.advance({ withholdPayload: true });
    const total = marketGwei(chain.head);
    chain.advance();
    assert.ok(!pending(chain.head).some((p) => p.slot === slot), "nothing held back for the withheld slot");
    // The slot's price became revenue as always; the collateral is gone
    assert.equal(marketGwei(chain.head), total - COLLATERAL);
    assert.equal(ticket.collateral, COLLATERAL);
  });

  it("withheld payload with COLLATERAL_SLASH_SINK = proposer: the slot's block proposer is credited the collateral", () => {
    const run = (sink: "burn" | "proposer") => {
      const chain = newChain({ COLLATERAL_SLASH_SINK: sink });
      advanceTo(chain, 2);
      const { block } = chain.advance({ withholdPayload: true });
      chain.advance();
      const proposer = block?.message.proposer_index ?? -1;
      return chain.head.state.balances.get(proposer);
    };
    assert.equal(run("proposer") - run("burn"), COLLATERAL);
  });

  it("no commitment sent (empty commitment) or no block: no fault, the collateral is not slashed", () => {
    const chain = newChain({ TICKET_ON_MISSED_BLOCK: "refund" });
    advanceTo(chain, 2);
    chain.advance({ withholdCommitment: true });
    const skipped = assigned(chain.head, 4);
    chain.advance({ skipBlock: true });
    chain.advance();
    const slots = pending(chain.head).map((p) => [p.slot, p.amount]);
    assert.deepEqual(slots.slice(-2), [
      [3, COLLATERAL],
      [4, COLLATERAL],
    ]);
    assert.equal(pending(chain.head).at(-1)?.owner, skipped.owner);
  });

  it("missed block under return_to_pool: the ticket goes back to the pool with its collateral", () => {
    const chain = newChain();
    advanceTo(chain, 2);
    const ticket = assigned(chain.head, 3);
    chain.advance({ skipBlock: true });
    chain.advance();
    // Back in the pool (or drawn again at once, from it) with its collateral
    assert.equal(chain.findTicket(ticket.ticket_id)?.collateral, COLLATERAL);
    assert.ok(!pending(chain.head).some((p) => p.slot === 3));
  });

  it("expiry returns price and collateral at once", () => {
    const chain = devChain({ TICKET_COLLATERAL: COLLATERAL, TICKET_EXPIRY_EPOCHS: 1 }, { initialTicketsPerBuyer: 8 });
    // Genesis tickets (epoch 0) expire in the transition at the end of epoch 1
    advanceTo(chain, chain.ctx.preset.SLOTS_PER_EPOCH * 2 - 1);
    const pooled = readAllValues(chain.head.state.ticket_pool);
    assert.ok(pooled.length > 0);
    const before = buyerBalances(chain.head);
    chain.advance();
    assert.equal(chain.head.state.ticket_pool.length, 0);
    const expected = [...before];
    for (const t of pooled) expected[t.owner] += t.price + t.collateral;
    assert.deepEqual(buyerBalances(chain.head), expected);
  });
});

describe("holder slashing: equivocating commitments", () => {
  it("two commitments for a future slot: the collateral is slashed once, the second evidence is refused", () => {
    const chain = newChain();
    const slot = chain.slot + 5;
    const evidence = chain.holderEquivocation(slot);
    const total = marketGwei(chain.head);
    const { block } = chain.advance({ holderSlashings: [evidence] });
    assert.equal(block?.message.body.holder_slashings.length, 1);
    assert.equal(assigned(chain.head, slot).collateral, 0);
    assert.equal(marketGwei(chain.head), total - COLLATERAL);
    const again = chain.holderEquivocation(slot);
    const cs = nextSlotState(chain);
    assertRuleRejects(
      cs,
      () => processHolderSlashing(cs, again, collecting()),
      TicketError,
      TicketErrorCode.HOLDER_SLASHING_NOT_SLASHABLE,
    );
    // At settlement, nothing is left to return for that slot
    advanceTo(chain, slot + 1);
    assert.equal(pending(chain.head).find((p) => p.slot === slot)?.amount ?? 0, 0);
  });

  it("evidence for a settled slot takes the collateral from pending_collateral, until the delay ends", () => {
    const chain = newChain();
    const slot = 2;
    advanceTo(chain, slot - 1);
    const evidence = chain.holderEquivocation(slot);
    const owner = assigned(chain.head, slot).owner;
    advanceTo(chain, slot + 2);
    assert.equal(pending(chain.head).find((p) => p.slot === slot)?.amount, COLLATERAL);
    chain.advance({ holderSlashings: [evidence] });
    assert.equal(pending(chain.head).find((p) => p.slot === slot)?.amount, 0);
    // Too late: once released, evidence for that slot finds nothing
    const late = newChain();
    advanceTo(late, slot - 1);
    const lateEvidence = late.holderEquivocation(slot);
    advanceTo(late, slot + late.ctx.preset.COLLATERAL_RELEASE_DELAY_SLOTS);
    const cs = nextSlotState(late);
    assertRuleRejects(
      cs,
      () => processHolderSlashing(cs, lateEvidence, collecting()),
      TicketError,
      TicketErrorCode.HOLDER_SLASHING_NOT_SLASHABLE,
    );
    assert.ok(owner >= 0);
  });

  it("proposer sink: the including block's proposer is credited", () => {
    const run = (sink: "burn" | "proposer") => {
      const chain = newChain({ COLLATERAL_SLASH_SINK: sink });
      const { block } = chain.advance({ holderSlashings: [chain.holderEquivocation(chain.slot + 5)] });
      return chain.head.state.balances.get(block?.message.proposer_index ?? -1);
    };
    assert.equal(run("proposer") - run("burn"), COLLATERAL);
  });

  it("refusals: different slots or tickets, the same commitment twice, empty or self-built commitments, no collateral", () => {
    const chain = newChain();
    const slot = chain.slot + 5;
    const good = chain.holderEquivocation(slot);
    const cs = nextSlotState(chain);
    const refuse = (evidence: HolderSlashing, code: TicketErrorCode) =>
      assertRuleRejects(cs, () => processHolderSlashing(cs, evidence, collecting()), TicketError, code);
    const c1 = good.signed_commitment_1;
    const c2 = good.signed_commitment_2;
    const withMessage = (signed: typeof c1, patch: Partial<typeof c1.message>) => ({
      ...signed,
      message: { ...signed.message, ...patch },
    });
    refuse(
      { signed_commitment_1: c1, signed_commitment_2: withMessage(c2, { slot: slot + 1 }) },
      TicketErrorCode.HOLDER_SLASHING_SLOT_MISMATCH,
    );
    refuse(
      { signed_commitment_1: c1, signed_commitment_2: withMessage(c2, { ticket_id: c1.message.ticket_id + 1 }) },
      TicketErrorCode.HOLDER_SLASHING_TICKET_MISMATCH,
    );
    refuse({ signed_commitment_1: c1, signed_commitment_2: c1 }, TicketErrorCode.HOLDER_SLASHING_SAME_COMMITMENT);
    refuse(
      { signed_commitment_1: c1, signed_commitment_2: withMessage(c2, { block_hash: new Uint8Array(32) }) },
      TicketErrorCode.HOLDER_SLASHING_EMPTY_COMMITMENT,
    );
    refuse(
      {
        signed_commitment_1: withMessage(c1, { ticket_id: SELF_BUILD_TICKET_ID }),
        signed_commitment_2: withMessage(c2, { ticket_id: SELF_BUILD_TICKET_ID }),
      },
      TicketErrorCode.HOLDER_SLASHING_SELF_BUILD,
    );
    // A ticket not assigned to that slot, and collateral off
    const wrongTicket = assigned(chain.head, slot + 1).ticket_id;
    refuse(
      {
        signed_commitment_1: withMessage(c1, { ticket_id: wrongTicket }),
        signed_commitment_2: withMessage(c2, { ticket_id: wrongTicket }),
      },
      TicketErrorCode.HOLDER_SLASHING_NOT_SLASHABLE,
    );
    const off = devChain({}, { initialTicketsPerBuyer: 3 });
    const offEvidence = off.holderEquivocation(off.slot + 5);
    const offState = nextSlotState(off);
    assertRuleRejects(
      offState,
      () => processHolderSlashing(offState, offEvidence, collecting()),
      TicketError,
      TicketErrorCode.HOLDER_SLASHING_NOT_SLASHABLE,
    );
  });

  it("signatures: evidence signed by anyone but the ticket's holder fails the block", () => {
    const chain = newChain();
    const slot = chain.slot + 5;
    const good = chain.holderEquivocation(slot);
    // Sign the second commitment with another buyer's key
    const owner = assigned(chain.head, slot).owner;
    const forger = chain.buyerKeys[(owner + 1) % 4];
    const forgedSig = forger.sign(new Uint8Array(32)).toBytes();
    const forged = { ...good, signed_commitment_2: { ...good.signed_commitment_2, signature: forgedSig } };
    const block = chain.produceBlock(chain.slot + 1, { holderSlashings: [forged] });
    assert.equal(block.message.body.holder_slashings.length, 1);
    assertBlockRejected(chain.head, block, BlockError, BlockErrorCode.INVALID_SIGNATURE);
  });
});

describe("holder collateral: conservation over a run", () => {
  it("a DevChain run with purchases, fills, a withheld payload, evidence, a missed block and grants: buyers + escrow + pending collateral + revenue change only by what is burnt", () => {
    // Grants too: validators' price-0 tickets enter the same pool and move no Gwei
    const chain = newChain({ TICKET_ON_MISSED_BLOCK: "refund", VALIDATOR_TICKET_GRANTS_PER_EPOCH: 2 });
    const spe = chain.ctx.preset.SLOTS_PER_EPOCH;
    let slashedTotal = 0;
    for (let step = 0; step < 3 * spe; step++) {
      const next = chain.slot + 1;
      const before = marketGwei(chain.head);
      const revenueBurnt = chain.slot % spe === spe - 1 ? chain.head.state.ticket_revenue : 0;
      // Slashed in this step: the previous slot's withheld payload, this block's evidence
      const lastWithheld = next - 1 === 5 || next - 1 === 13;
      let slashed = lastWithheld ? COLLATERAL : 0;
      const plan: Parameters<DevChain["advance"]>[0] = {};
      if (next === 5 || next === 13) plan.withholdPayload = true;
      if (next === 9) plan.skipBlock = true;
      if (next % 3 === 0) plan.purchases = [chain.signPurchase(next % 4, 1, chain.head.state.ticket_price * 2)];
      if (next === 7) {
        plan.holderSlashings = [chain.holderEquivocation(next + 3)];
        slashed += COLLATERAL;
      }
      if (next === 11) {
        const ticket = assigned(chain.head, next + 2);
        const offer = chain.signOffer(ticket.ticket_id, 5_000_000, next);
        plan.fills = [chain.signFill(offer, (ticket.owner + 1) % 4)];
      }
      chain.advance(plan);
      slashedTotal += slashed;
      assert.equal(marketGwei(chain.head), before - revenueBurnt - slashed, `step into slot ${next}`);
    }
    assert.equal(slashedTotal, 3 * COLLATERAL);
    assert.ok(chain.head.state.buyers.length > 4, "validators received grants during the run");
  });
});
