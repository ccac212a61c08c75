import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { TicketError, TicketErrorCode } from "../errors/index.ts";
import { getTicketSellBackSignatureSet } from "../signatureSets/index.ts";
import { computeCurvePrice, isBondingCurve, releaseFromCurve } from "../tickets/bondingCurve.ts";
import { swapRemoveFromPool } from "../tickets/ticketPool.ts";
import type { SignedTicketSellBack } from "../types/index.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/** `compute_sell_back_fee`: the protocol's cut of a sell-back worth `value`; TICKET_SELL_BACK_FEE_QUOTIENT 0 = none. */
export function computeSellBackFee(value: number, feeQuotient: number): number {
  return feeQuotient === 0 ? 0 : Math.floor(value / feeQuotient);
}

/**
 * `process_ticket_sell_back`: under `bonding_curve`, the owner of a pooled ticket sells it back to
 * the protocol at the curve's top point (less the fee, which becomes revenue); the ticket leaves
 * the pool and the supply. Drawn tickets cannot be sold back: their slot is already decided.
 */
export function processTicketSellBack(
  cs: CachedBeaconState,
  signed: SignedTicketSellBack,
  bctx: BlockProcessingContext,
): void {
  const { state, ctx } = cs;
  const sellBack = signed.message;
  // assert TICKET_PRICING == "bonding_curve"
  if (!isBondingCurve(ctx.config)) {
    throw new TicketError(TicketErrorCode.SELL_BACK_NOT_BONDING_CURVE, "sell-backs exist only under bonding_curve", {
      pricing: ctx.config.TICKET_PRICING,
    });
  }
  // assert sell_back.owner < len(state.buyers)
  if (sellBack.owner >= state.buyers.length) {
    throw new TicketError(TicketErrorCode.UNKNOWN_BUYER, "unknown buyer account", { buyerIndex: sellBack.owner });
  }
  const seller = state.buyers.get(sellBack.owner);
  // assert sell_back.nonce == seller.nonce
  if (sellBack.nonce !== seller.nonce) {
    throw new TicketError(TicketErrorCode.WRONG_NONCE, "sell-back nonce is not the account's next nonce", {
      nonce: sellBack.nonce,
      expected: seller.nonce,
    });
  }
  // assert index is not None: the ticket is in the pool
  const index =
    sellBack.ticket_id < state.next_ticket_id ? cs.caches.tickets.findInPool(state, sellBack.ticket_id) : -1;
  if (index < 0) {
    throw new TicketError(TicketErrorCode.SELL_BACK_NOT_POOLED, "only a pooled ticket can be sold back", {
      ticketId: sellBack.ticket_id,
    });
  }
  const owner = state.ticket_pool.getReadonly(index).owner;
  // assert ticket.owner == sell_back.owner
  if (owner !== sellBack.owner) {
    throw new TicketError(TicketErrorCode.NOT_OWNER, "only the ticket's owner may sell it back", {
      ticketId: sellBack.ticket_id,
      owner,
      seller: sellBack.owner,
    });
  }
  const value = computeCurvePrice(ctx.config, state.ticket_curve_supply - 1);
  const fee = computeSellBackFee(value, ctx.config.TICKET_SELL_BACK_FEE_QUOTIENT);
  // assert value - fee >= sell_back.min_price
  if (value - fee < sellBack.min_price) {
    throw new TicketError(TicketErrorCode.SELL_BACK_BELOW_MIN_PRICE, "sell-back pays less than the seller's minimum", {
      payout: value - fee,
      minPrice: sellBack.min_price,
    });
  }
  collectSignatureSet(bctx, () => getTicketSellBackSignatureSet(cs, signed, seller.pubkey));

  const removed = swapRemoveFromPool(cs, index);
  releaseFromCurve(cs);
  // Never assigned to a slot: its collateral (TICKET_COLLATERAL) goes back with the payout, as on expiry
  seller.balance += value - fee + removed.collateral;
  state.ticket_revenue += fee;
  seller.nonce += 1;
}
