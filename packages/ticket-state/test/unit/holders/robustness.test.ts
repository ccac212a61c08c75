import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CachedBeaconState,
  processHolderSlashing,
  processSlotsCopy,
  processTicketFill,
  SELF_BUILD_TICKET_ID,
  TicketStateError,
} from "@turnstile/ticket-state";
import fc from "fast-check";
import { devChain } from "../../utils/chain.ts";
import { buyerBalances, escrowedTickets, sum } from "../market/marketHelpers.ts";

const U64_MAX = Number.POSITIVE_INFINITY; // 2^64-1 as the number-typed uint64 fields read it
const chain = devChain({ TICKET_COLLATERAL: 3_000_000 }, { initialTicketsPerBuyer: 3 });
const base = processSlotsCopy(chain.head, chain.slot + 1);
const ids = [...escrowedTickets(base).map((t) => t.ticket_id), base.state.next_ticket_id, 10_000, U64_MAX];
const uint = (values: number[]) => fc.oneof(fc.constantFrom(...values), fc.integer({ min: 0, max: 2 ** 53 - 1 }));

function gwei(cs: CachedBeaconState): number {
  const escrow = escrowedTickets(cs).reduce((n, t) => n + t.price + t.collateral, 0);
  return sum(buyerBalances(cs)) + escrow + cs.state.ticket_revenue + sum(cs.state.balances.getAll());
}

/** Apply `rule` to a copy: it either succeeds, keeping every Gwei, or throws a typed error and leaves the state as it was. */
function checkRule(rule: (cs: CachedBeaconState) => void): void {
  const cs = base.clone();
  const root = cs.hashTreeRoot();
  const before = gwei(cs);
  try {
    rule(cs);
  } catch (e) {
    assert.ok(e instanceof TicketStateError, `untyped error: ${String(e)}`);
    assert.deepEqual(cs.hashTreeRoot(), root, `${(e as TicketStateError).code} left the state changed`);
    return;
  }
  const collateralTaken = before - gwei(cs);
  assert.ok(collateralTaken === 0 || collateralTaken === 3_000_000, "only a slashing burns, and one collateral");
}

describe("holders' operations on arbitrary inputs (signatures not checked)", () => {
  it("process_ticket_fill: typed refusal with the state untouched, or a fill that conserves Gwei", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ids),
        uint([0, 1, 2, 3, U64_MAX]),
        uint([0, 1, 2, 3, 4, 99, U64_MAX]),
        uint([0, 1, 2, 3, 4, 99, U64_MAX]),
        uint([0, 1, 10 ** 12, U64_MAX]),
        uint([0, base.state.slot - 1, base.state.slot, U64_MAX]),
        (ticketId, ticketNonce, seller, buyer, price, expiry) => {
          const offer = {
            message: { ticket_id: ticketId, ticket_nonce: ticketNonce, seller, price, expiry_slot: expiry },
            signature: new Uint8Array(96),
          };
          checkRule((cs) =>
            processTicketFill(
              cs,
              { message: { offer, buyer }, signature: new Uint8Array(96) },
              { signatureSets: null },
            ),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("process_holder_slashing: typed refusal with the state untouched, or one collateral slashed", () => {
    const commitment = chain.holderEquivocation(chain.slot + 4).signed_commitment_1;
    fc.assert(
      fc.property(
        uint([0, base.state.slot, base.state.slot + 4, base.state.slot + 9, U64_MAX]),
        uint([0, base.state.slot, base.state.slot + 4, U64_MAX]),
        fc.constantFrom(...ids, SELF_BUILD_TICKET_ID),
        fc.constantFrom(...ids, SELF_BUILD_TICKET_ID),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        (slot1, slot2, id1, id2, hash1, hash2) => {
          const signed = (slot: number, ticketId: number, tag: number) => ({
            message: { ...commitment.message, slot, ticket_id: ticketId, block_hash: new Uint8Array(32).fill(tag) },
            signature: commitment.signature,
          });
          checkRule((cs) =>
            processHolderSlashing(
              cs,
              { signed_commitment_1: signed(slot1, id1, hash1), signed_commitment_2: signed(slot2, id2, hash2) },
              { signatureSets: null },
            ),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
