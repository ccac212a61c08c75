import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  type ExecutionTicket,
  processSlotsCopy,
  processTicketFill,
  type SignedTicketFill,
  TicketError,
  TicketErrorCode,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import { assertBlockRejected, assertRuleRejects, collecting } from "../block/helpers.ts";
import { buyerBalances, sum } from "../market/marketHelpers.ts";

const PRICE = 7_000_000;
// 4 buyers × 3 tickets: 9 are drawn by slot 1, 3 stay pooled
const newChain = (collateral = 0) => devChain({ TICKET_COLLATERAL: collateral }, { initialTicketsPerBuyer: 3 });

function pooledTicket(chain: DevChain): ExecutionTicket {
  return chain.head.state.ticket_pool.getReadonly(0).toValue();
}
const other = (buyer: number) => (buyer + 1) % 4;

/** The state a block of the next slot would meet. */
function nextSlotState(chain: DevChain): CachedBeaconState {
  return processSlotsCopy(chain.head, chain.slot + 1);
}

function rejects(chain: DevChain, fill: SignedTicketFill, code: TicketErrorCode): void {
  const cs = nextSlotState(chain);
  assertRuleRejects(cs, () => processTicketFill(cs, fill, collecting()), TicketError, code);
}

describe("secondary market: process_ticket_fill", () => {
  it("a fill in a block moves the ticket and its price together, signatures verified", () => {
    const chain = newChain();
    const ticket = pooledTicket(chain);
    const buyer = other(ticket.owner);
    const before = buyerBalances(chain.head);
    const fill = chain.signFill(chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 4), buyer);
    const { block } = chain.advance({ fills: [fill] });
    assert.equal(block?.message.body.ticket_fills.length, 1);
    const after = chain.findTicket(ticket.ticket_id);
    assert.equal(after?.owner, buyer);
    assert.equal(after?.nonce, ticket.nonce + 1);
    const balances = buyerBalances(chain.head);
    assert.equal(balances[buyer], before[buyer] - PRICE);
    assert.equal(balances[ticket.owner], before[ticket.owner] + PRICE);
    assert.equal(sum(balances), sum(before), "Gwei only changes hands");
  });

  it("replay: a filled offer cannot be filled again, by the same or another buyer (the seller no longer owns it)", () => {
    const chain = newChain();
    const ticket = pooledTicket(chain);
    const offer = chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 8);
    const fill = chain.signFill(offer, other(ticket.owner));
    chain.advance({ fills: [fill] });
    rejects(chain, fill, TicketErrorCode.NOT_OWNER);
    rejects(chain, chain.signFill(offer, other(other(ticket.owner))), TicketErrorCode.NOT_OWNER);
    // Two fills of one offer in the same block: the second meets the first's nonce
    const fresh = newChain();
    const o = fresh.signOffer(ticket.ticket_id, PRICE, fresh.slot + 8);
    const cs = nextSlotState(fresh);
    processTicketFill(cs, fresh.signFill(o, other(ticket.owner)), collecting());
    const second = fresh.signFill(o, other(other(ticket.owner)));
    assertRuleRejects(cs, () => processTicketFill(cs, second, collecting()), TicketError, TicketErrorCode.NOT_OWNER);
  });

  it("replay: an offer is dead once the ticket comes back to the seller (by transfer or by fill)", () => {
    const chain = newChain();
    const ticket = pooledTicket(chain);
    const seller = ticket.owner;
    const buyer = other(seller);
    const oldOffer = chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 16);
    chain.advance({ transfers: [chain.signTransfer(ticket.ticket_id, seller, buyer)] });
    chain.advance({ transfers: [chain.signTransfer(ticket.ticket_id, buyer, seller)] });
    assert.equal(chain.findTicket(ticket.ticket_id)?.owner, seller);
    rejects(chain, chain.signFill(oldOffer, buyer), TicketErrorCode.OFFER_STALE);
    // Back again through two fills: the first offer still cannot be used
    const first = chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 16);
    chain.advance({ fills: [chain.signFill(first, buyer)] });
    chain.advance({ fills: [chain.signFill(chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 16), seller)] });
    assert.equal(chain.findTicket(ticket.ticket_id)?.owner, seller);
    rejects(chain, chain.signFill(first, buyer), TicketErrorCode.OFFER_STALE);
  });

  it("owner only: an offer naming another seller is refused; one naming the owner but signed by another key fails the block", () => {
    const chain = newChain();
    const ticket = pooledTicket(chain);
    const intruder = other(ticket.owner);
    const buyer = other(intruder);
    const byIntruder = chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 4, { seller: intruder });
    rejects(chain, chain.signFill(byIntruder, buyer), TicketErrorCode.NOT_OWNER);
    const forged = chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 4, { signer: intruder });
    const block = chain.produceBlock(chain.slot + 1, { fills: [chain.signFill(forged, buyer)] });
    assert.equal(block.message.body.ticket_fills.length, 1, "the rule alone accepts it: only the signature refuses it");
    assertBlockRejected(chain.head, block, BlockError, BlockErrorCode.INVALID_SIGNATURE);
    // and a fill signed by someone other than the buyer
    const offer = chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 4);
    const stolen = chain.produceBlock(chain.slot + 1, { fills: [chain.signFill(offer, buyer, intruder)] });
    assertBlockRejected(chain.head, stolen, BlockError, BlockErrorCode.INVALID_SIGNATURE);
  });

  it("refusals: expired, self-fill, unknown accounts, balance short, ticket in use or unknown", () => {
    const chain = newChain();
    const ticket = pooledTicket(chain);
    const buyer = other(ticket.owner);
    const next = chain.slot + 1;
    rejects(
      chain,
      chain.signFill(chain.signOffer(ticket.ticket_id, PRICE, next - 1), buyer),
      TicketErrorCode.OFFER_EXPIRED,
    );
    const lastSlot = nextSlotState(chain);
    processTicketFill(lastSlot, chain.signFill(chain.signOffer(ticket.ticket_id, PRICE, next), buyer), collecting());
    rejects(
      chain,
      chain.signFill(chain.signOffer(ticket.ticket_id, PRICE, next), ticket.owner),
      TicketErrorCode.SELF_FILL,
    );
    const offer = chain.signOffer(ticket.ticket_id, PRICE, next);
    rejects(chain, { ...chain.signFill(offer, buyer), message: { offer, buyer: 99 } }, TicketErrorCode.UNKNOWN_BUYER);
    const tooDear = chain.signOffer(ticket.ticket_id, chain.head.state.buyers.getReadonly(buyer).balance + 1, next);
    rejects(chain, chain.signFill(tooDear, buyer), TicketErrorCode.INSUFFICIENT_BALANCE);
    const inUse = chain.findTicket(
      nextSlotState(chain).state.ticket_assignments.getReadonly(next % 9).ticket.ticket_id,
    );
    assert.ok(inUse);
    const inUseOffer = chain.signOffer(inUse.ticket_id, PRICE, next);
    rejects(chain, chain.signFill(inUseOffer, other(inUse.owner)), TicketErrorCode.NOT_TRANSFERABLE);
    rejects(
      chain,
      chain.signFill(chain.signOffer(10_000, PRICE, next, { seller: 0 }), 1),
      TicketErrorCode.UNKNOWN_TICKET,
    );
  });

  it("a ticket assigned to a future slot can be sold, and its buyer then commits and reveals at that slot", () => {
    const chain = newChain();
    const slot = chain.slot + 3;
    const ticket = chain.findTicket(
      nextSlotState(chain).state.ticket_assignments.getReadonly(slot % 9).ticket.ticket_id,
    );
    assert.ok(ticket);
    const buyer = other(ticket.owner);
    chain.advance({ fills: [chain.signFill(chain.signOffer(ticket.ticket_id, PRICE, slot), buyer)] });
    while (chain.slot < slot) chain.advance();
    const commitment = chain.head.state.latest_payload_commitment;
    assert.equal(commitment.ticket_id, ticket.ticket_id);
    assert.ok(chain.head.state.execution_payload_availability.get(slot % chain.ctx.preset.SLOTS_PER_HISTORICAL_ROOT));
  });

  it("with collateral on, the buyer posts it and the seller gets its own back: collateral changes hands with the ticket", () => {
    const collateral = 3_000_000;
    const chain = newChain(collateral);
    const ticket = pooledTicket(chain);
    assert.equal(ticket.collateral, collateral);
    const buyer = other(ticket.owner);
    const before = buyerBalances(chain.head);
    chain.advance({ fills: [chain.signFill(chain.signOffer(ticket.ticket_id, PRICE, chain.slot + 4), buyer)] });
    const balances = buyerBalances(chain.head);
    assert.equal(balances[buyer], before[buyer] - PRICE - collateral);
    assert.equal(balances[ticket.owner], before[ticket.owner] + PRICE + collateral);
    assert.equal(chain.findTicket(ticket.ticket_id)?.collateral, collateral);
    // A buyer who can pay the price but not the collateral is refused
    const poor = newChain(collateral);
    const t = pooledTicket(poor);
    const b = other(t.owner);
    const balance = poor.head.state.buyers.getReadonly(b).balance;
    rejects(
      poor,
      poor.signFill(poor.signOffer(t.ticket_id, balance - collateral + 1, poor.slot + 4), b),
      TicketErrorCode.INSUFFICIENT_BALANCE,
    );
  });
});
