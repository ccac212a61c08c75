import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CachedBeaconState,
  computeCurveReserve,
  processSlotsCopy,
  type SignedTicketPurchase,
  type SignedTicketSellBack,
  TICKET_MISSED_BLOCK_RULES,
} from "@turnstile/ticket-state";
import fc from "fast-check";
import { devChain } from "../../utils/chain.ts";
import { buyerBalances, poolTickets, sum, unsettledAssigned } from "../market/marketHelpers.ts";

const BUYERS = 4;
const SLOTS_PER_EPOCH = 8;

/** One slot of the random market: who buys how many, which pooled tickets are sold back, whether the block is missed. */
const slotAction = fc.record({
  buys: fc.array(fc.record({ buyer: fc.integer({ min: 0, max: BUYERS - 1 }), count: fc.integer({ min: 1, max: 2 }) }), {
    maxLength: 2,
  }),
  sellBacks: fc.array(fc.nat(), { maxLength: 2 }),
  skipBlock: fc.integer({ min: 0, max: 3 }).map((k) => k === 0),
});

const scenario = fc.record({
  missed: fc.constantFrom(...TICKET_MISSED_BLOCK_RULES),
  expiry: fc.constantFrom(0, 1),
  feeQuotient: fc.constantFrom(0, 10),
  slots: fc.array(slotAction, { minLength: 10, maxLength: 20 }),
});

/** The bonding curve's accounting, checked after every slot. */
function assertCurveInvariants(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  // Outstanding = pooled + drawn for this or a later slot (not yet settled)
  const outstanding = poolTickets(cs).length + unsettledAssigned(cs, state.slot).length;
  assert.equal(state.ticket_curve_supply, outstanding, "supply counts pooled and drawn-unsettled tickets");
  assert.equal(state.ticket_curve_reserve, computeCurveReserve(ctx.config, outstanding), "reserve == curve sum");
}

describe("bonding_curve reserve (property over random buy / sell-back / draw / miss sequences)", () => {
  it("reserve == sum of the curve's points below the supply, and money is conserved", () => {
    fc.assert(
      fc.property(scenario, ({ missed, expiry, feeQuotient, slots }) => {
        const chain = devChain(
          {
            TICKET_PRICING: "bonding_curve",
            TICKET_ON_MISSED_BLOCK: missed,
            TICKET_EXPIRY_EPOCHS: expiry,
            TICKET_SELL_BACK_FEE_QUOTIENT: feeQuotient,
          },
          { initialTicketsPerBuyer: 3 },
        );
        assertCurveInvariants(chain.head);
        for (const action of slots) {
          const next = processSlotsCopy(chain.head, chain.head.state.slot + 1);
          const nonces = Array.from({ length: BUYERS }, (_, i) => next.state.buyers.getReadonly(i).nonce);
          const purchases: SignedTicketPurchase[] = action.buys.map(({ buyer, count }) =>
            chain.signPurchase(buyer, count, Number.MAX_SAFE_INTEGER, nonces[buyer]++),
          );
          // Sell-backs of tickets pooled when the block is processed (after the slot's draw), each once
          const pool = poolTickets(next);
          const chosen = new Set(action.sellBacks.filter(() => pool.length > 0).map((k) => pool[k % pool.length]));
          const sellBacks: SignedTicketSellBack[] = [...chosen].map((t) =>
            chain.signSellBack(t.ticket_id, t.owner, 0, nonces[t.owner]++),
          );
          const before =
            sum(buyerBalances(chain.head)) + chain.head.state.ticket_curve_reserve + chain.head.state.ticket_revenue;
          chain.advance(action.skipBlock ? { skipBlock: true } : { purchases, sellBacks });
          const { state } = chain.head;
          assertCurveInvariants(chain.head);
          // Without an epoch transition (which burns revenue) no Gwei appears or disappears
          if (state.slot % SLOTS_PER_EPOCH !== 0) {
            assert.equal(sum(buyerBalances(chain.head)) + state.ticket_curve_reserve + state.ticket_revenue, before);
          }
        }
      }),
      { numRuns: 12 },
    );
  });
});
