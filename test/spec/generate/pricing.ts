/**
 * Vectors for the pricing rules `pi_pool_target` and `bonding_curve`: `operations/ticket_sell_back`,
 * bonding-curve cases of `operations/ticket_purchase`, `sanity/slots` for both rules and a
 * `sanity/blocks` run of the curve (purchases, a sell-back, used, missed and forfeited tickets).
 */
import {
  type CachedBeaconState,
  type ChainConfig,
  computeCurvePrice,
  computeCurvePurchasePrices,
  computeEpochAtSlot,
  computeSellBackFee,
  DOMAIN_TICKET_SELL_BACK,
  processSlotsCopy,
  type SignedTicketSellBack,
  sszTypes,
  type TicketSellBack,
} from "@turnstile/ticket-state";
import { type DevChain, type SlotPlan, signObject } from "@turnstile/ticket-state/dev";
import type { PresetName } from "../lib/paths.ts";
import { newChain } from "./common.ts";
import { marketChain, memoChain, type RecordedChain, recordChain } from "./fixtures.ts";
import { OperationCases, ticketsOf } from "./operations.ts";
import type { Output } from "./output.ts";
import { stepsOf, writeBlocks, writeSlots } from "./sanity.ts";

const CURVE: Partial<ChainConfig> = { TICKET_PRICING: "bonding_curve" };
const FEE_QUOTIENT = 10;

/** Buy, sell back, miss and buy again along the curve; every purchase affords its highest point. */
function curvePlan(chain: DevChain, slot: number): SlotPlan {
  const top = (count: number) =>
    computeCurvePurchasePrices(chain.ctx.config, chain.head.state.ticket_curve_supply, count)[count - 1];
  switch (slot) {
    case 2:
      return { purchases: [chain.signPurchase(0, 2, top(2))] };
    case 3: {
      // a ticket pooled after this slot's draw
      const pool = processSlotsCopy(chain.head, slot).state.ticket_pool;
      const ticket = pool.getReadonly(pool.length - 1);
      return { sellBacks: [chain.signSellBack(ticket.ticket_id, ticket.owner)] };
    }
    case 5:
      return { skipBlock: true };
    case 6:
      return { purchases: [chain.signPurchase(1, 3, top(3)), chain.signPurchase(2, 1, top(4))] };
    default:
      return {};
  }
}

export function curveChain(preset: PresetName, overrides: Partial<ChainConfig> = {}): RecordedChain {
  const all = { ...CURVE, ...overrides };
  return memoChain(`pricing/curve/${preset}/${JSON.stringify(all)}`, () =>
    recordChain(newChain(preset, { initialTicketsPerBuyer: 6 }, all), preset === "minimal" ? 10 : 4, curvePlan),
  );
}

/** The state a block at the head's next slot meets. */
function nextOf(recorded: RecordedChain): CachedBeaconState {
  return processSlotsCopy(recorded.chain.head, recorded.chain.slot + 1);
}

function signSellBack(chain: DevChain, cs: CachedBeaconState, message: TicketSellBack, signer = message.owner) {
  const epoch = computeEpochAtSlot(cs.ctx, cs.state.slot);
  const signature = signObject(
    cs,
    chain.buyerKeys[signer],
    sszTypes.TicketSellBack,
    message,
    DOMAIN_TICKET_SELL_BACK,
    epoch,
  );
  return { message, signature } satisfies SignedTicketSellBack;
}

export function ticketSellBackCases(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "ticket_sell_back");
  const recorded = curveChain(preset);
  const { chain } = recorded;
  const pre = nextOf(recorded);
  const { pooled, future } = ticketsOf(pre);
  const p = pooled[0];
  const nonceOf = (cs: CachedBeaconState, i: number) => cs.state.buyers.getReadonly(i).nonce;
  const msg = (ticketId: number, owner: number, minPrice = 0, cs = pre): TicketSellBack => ({
    ticket_id: ticketId,
    owner,
    nonce: nonceOf(cs, owner),
    min_price: minPrice,
  });
  const value = computeCurvePrice(pre.ctx.config, pre.state.ticket_curve_supply - 1);

  w.valid(
    "sell_back_pooled_ticket",
    "a pooled ticket leaves at the curve's top point",
    pre,
    signSellBack(chain, pre, msg(p.ticket_id, p.owner)),
  );
  w.valid(
    "sell_back_min_price_exact",
    "min_price equal to the payout",
    pre,
    signSellBack(chain, pre, msg(p.ticket_id, p.owner, value)),
  );
  const last = pooled[pooled.length - 1];
  w.valid(
    "sell_back_last_pooled",
    "the pool's last entry: no swap",
    pre,
    signSellBack(chain, pre, msg(last.ticket_id, last.owner)),
  );
  const feeRecorded = curveChain(preset, { TICKET_SELL_BACK_FEE_QUOTIENT: FEE_QUOTIENT });
  const feePre = nextOf(feeRecorded);
  const fp = ticketsOf(feePre).pooled[0];
  const feeValue = computeCurvePrice(feePre.ctx.config, feePre.state.ticket_curve_supply - 1);
  const payout = feeValue - computeSellBackFee(feeValue, FEE_QUOTIENT);
  w.valid(
    "sell_back_with_fee",
    `TICKET_SELL_BACK_FEE_QUOTIENT = ${FEE_QUOTIENT}: the fee becomes revenue; min_price equal to the payout`,
    feePre,
    signSellBack(feeRecorded.chain, feePre, msg(fp.ticket_id, fp.owner, payout, feePre)),
  );
  w.invalid(
    "invalid_fee_below_min_price",
    "min_price equal to the value before the fee",
    feePre,
    signSellBack(feeRecorded.chain, feePre, msg(fp.ticket_id, fp.owner, feeValue, feePre)),
    "TICKET_SELL_BACK_BELOW_MIN_PRICE",
  );
  w.invalid(
    "invalid_below_min_price",
    "min_price one above the payout",
    pre,
    signSellBack(chain, pre, msg(p.ticket_id, p.owner, value + 1)),
    "TICKET_SELL_BACK_BELOW_MIN_PRICE",
  );
  const f = future[0];
  w.invalid(
    "invalid_drawn_ticket",
    `a ticket drawn for slot ${f.slot}: no longer pooled`,
    pre,
    signSellBack(chain, pre, msg(f.ticket.ticket_id, f.ticket.owner)),
    "TICKET_SELL_BACK_NOT_POOLED",
  );
  w.invalid(
    "invalid_unknown_ticket",
    "a ticket id never issued",
    pre,
    signSellBack(chain, pre, msg(pre.state.next_ticket_id, 0)),
    "TICKET_SELL_BACK_NOT_POOLED",
  );
  const other = (p.owner + 1) % pre.state.buyers.length;
  w.invalid(
    "invalid_not_owner",
    "another account sells the ticket, signing for itself",
    pre,
    signSellBack(chain, pre, msg(p.ticket_id, other)),
    "TICKET_NOT_OWNER",
  );
  w.invalid(
    "invalid_wrong_nonce",
    "the owner's nonce plus one",
    pre,
    signSellBack(chain, pre, { ...msg(p.ticket_id, p.owner), nonce: nonceOf(pre, p.owner) + 1 }),
    "TICKET_WRONG_NONCE",
  );
  w.invalid(
    "invalid_unknown_owner",
    "an owner index past the registry",
    pre,
    { message: { ...msg(p.ticket_id, p.owner), owner: pre.state.buyers.length }, signature: new Uint8Array(96) },
    "TICKET_UNKNOWN_BUYER",
  );
  w.invalid(
    "invalid_signature_other_account",
    "signed by another buyer's key",
    pre,
    signSellBack(chain, pre, msg(p.ticket_id, p.owner), other),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
  // Under the default pool_target rule there is no curve to sell to
  const market = marketChain(preset);
  const marketPre = nextOf(market);
  const mp = ticketsOf(marketPre).pooled[0];
  w.invalid(
    "invalid_not_bonding_curve",
    "TICKET_PRICING is pool_target: sell-backs are refused",
    marketPre,
    signSellBack(market.chain, marketPre, msg(mp.ticket_id, mp.owner, 0, marketPre)),
    "TICKET_SELL_BACK_NOT_BONDING_CURVE",
  );

  // Purchases along the curve
  const pw = new OperationCases(out, preset, "ticket_purchase");
  const prices = computeCurvePurchasePrices(pre.ctx.config, pre.state.ticket_curve_supply, 3);
  const buyer = 1;
  pw.valid(
    "bonding_curve_purchase",
    "3 tickets along the curve, max_price equal to the highest point",
    pre,
    chain.signPurchase(buyer, 3, prices[2], nonceOf(pre, buyer)),
  );
  pw.invalid(
    "invalid_bonding_curve_max_price_below_top",
    "max_price covers the first two points (and the average) but not the third",
    pre,
    chain.signPurchase(buyer, 3, prices[2] - 1, nonceOf(pre, buyer)),
    "TICKET_PRICE_ABOVE_MAX",
  );
}

export function pricingSanity(out: Output, preset: PresetName): void {
  if (preset !== "minimal") return;
  const pi = marketChain(preset, { TICKET_PRICING: "pi_pool_target" });
  writeSlots(
    out,
    preset,
    "pi_pool_target_draining_pool",
    "pi_pool_target: 12 empty slots after the market chain (the pool drains one a slot; missed tickets return)",
    pi.chain.head,
    12,
  );
  const forfeit = curveChain(preset, { TICKET_ON_MISSED_BLOCK: "forfeit" });
  writeSlots(
    out,
    preset,
    "bonding_curve_forfeited_slots",
    "bonding_curve, forfeit: each missed slot's ticket leaves the curve, its top point moving from the reserve to revenue",
    forfeit.chain.head,
    10,
  );
  const curve = curveChain(preset);
  writeBlocks(
    out,
    preset,
    "bonding_curve_market",
    "bonding_curve: purchases along the curve (slots 2, 6), a sell-back (slot 3), used tickets leaving the curve, a missed slot (5) whose ticket returns to the pool and stays outstanding",
    curve.genesis,
    stepsOf(curve),
  );
  const pid = memoChain(`pricing/pi/${preset}`, () =>
    recordChain(newChain(preset, { initialTicketsPerBuyer: 3 }, { TICKET_PRICING: "pi_pool_target" }), 10, (c, slot) =>
      slot === 2 ? { purchases: [c.signPurchase(0, 8, c.head.state.ticket_price)] } : {},
    ),
  );
  writeBlocks(
    out,
    preset,
    "pi_pool_target_market",
    "pi_pool_target: 8 tickets bought at slot 2 raise the pool; the proportional and integral terms both push the price up, then the proportional term brakes as the pool drains",
    pid.genesis,
    stepsOf(pid),
  );
}
