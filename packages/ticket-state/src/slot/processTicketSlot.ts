import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_TICKET_LOTTERY } from "../params/constants.ts";
import { isAuctionPricing, isAuctionSettlementSlot } from "../tickets/auctionSchedule.ts";
import { releaseTicketValue } from "../tickets/bondingCurve.ts";
import { processPendingCollateral, settleTicketCollateral } from "../tickets/holderCollateral.ts";
import { processPiTicketPricing } from "../tickets/piTicketPrice.ts";
import { processTicketSlotExpiry } from "../tickets/processTicketSlotExpiry.ts";
import { settleTicketAuction } from "../tickets/settleTicketAuction.ts";
import {
  getTicketAssignment,
  isSelfBuild,
  selfBuildTicket,
  ticketAssignmentIndex,
} from "../tickets/ticketAssignment.ts";
import { appendToPool, swapRemoveFromPool } from "../tickets/ticketPool.ts";
import { computeNextTicketPrice } from "../tickets/ticketPrice.ts";
import { TicketAssignment } from "../types/sszTypes.ts";
import { bytesToUint64, concatBytes, uintToBytes8 } from "../util/bytes.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { hash } from "../util/hash.ts";
import { getRandaoMix } from "../util/seed.ts";

/**
 * The ticket market's per-slot step, run on entering slot `state.slot`:
 * settle the previous slot's ticket, draw a ticket for `slot + TICKET_LOOKAHEAD_SLOTS`, update the price.
 */
export function processTicketSlot(cs: CachedBeaconState): void {
  processPendingCollateral(cs);
  settleTicket(cs, cs.state.slot - 1);
  processTicketSlotExpiry(cs);
  // Before the draw: tickets won by bids in the previous slot's block are drawable now, as purchases are
  if (isAuctionPricing(cs.ctx.config) && isAuctionSettlementSlot(cs.ctx, cs.state.slot)) settleTicketAuction(cs);
  drawTicket(cs, cs.state.slot + cs.ctx.preset.TICKET_LOOKAHEAD_SLOTS);
  processTicketPricing(cs);
}

/**
 * `settle_ticket`: a ticket whose slot got a beacon block is used (its price becomes revenue,
 * whether or not the holder then revealed). A ticket whose slot got no block is missed, and
 * TICKET_ON_MISSED_BLOCK says whether it returns to the pool, is refunded or is forfeited.
 */
export function settleTicket(cs: CachedBeaconState, slot: number): void {
  const { state, ctx } = cs;
  const assigned = getTicketAssignment(ctx, state, slot);
  if (isSelfBuild(assigned)) return;
  // Collateral first: slashed if the payload was withheld, else held back, or kept by a ticket returning to the pool
  const ticket = settleTicketCollateral(cs, assigned, slot);
  const hadBlock = state.latest_block_header.slot === slot;
  if (hadBlock) {
    state.ticket_revenue += releaseTicketValue(cs, ticket);
    return;
  }
  let rule = ctx.config.TICKET_ON_MISSED_BLOCK;
  if (rule === "return_to_pool" && state.ticket_pool.length >= ctx.preset.TICKET_POOL_LIMIT) rule = "refund";
  switch (rule) {
    case "return_to_pool":
      appendToPool(cs, ticket);
      break;
    case "refund": {
      const owner = state.buyers.get(ticket.owner);
      owner.balance += releaseTicketValue(cs, ticket);
      break;
    }
    case "forfeit":
      state.ticket_revenue += releaseTicketValue(cs, ticket);
      break;
  }
}

/**
 * `compute_lottery_index`: uniform over the pool. The seed is the current RANDAO mix, which the
 * previous block's reveal has just changed: nobody but that block's proposer knew it when the
 * purchases now in the pool were made. (A `get_seed`-style seed, fixed an epoch ahead, would let
 * a buyer pick a purchase count that lands the draw on its own new ticket.)
 */
export function computeLotteryIndex(cs: CachedBeaconState, slot: number, poolSize: number): number {
  const mix = getRandaoMix(cs.ctx, cs.state, computeEpochAtSlot(cs.ctx, cs.state.slot));
  const seed = hash(concatBytes(DOMAIN_TICKET_LOTTERY, uintToBytes8(slot), mix));
  return Number(bytesToUint64(seed) % BigInt(poolSize));
}

/** `draw_ticket`: move one pooled ticket (O(1) swap-remove) into the assignment ring for `slot`, or self-build. */
export function drawTicket(cs: CachedBeaconState, slot: number): void {
  const { state, ctx } = cs;
  const poolSize = state.ticket_pool.length;
  const ticket = poolSize === 0 ? selfBuildTicket() : swapRemoveFromPool(cs, computeLotteryIndex(cs, slot, poolSize));
  state.ticket_assignments.set(ticketAssignmentIndex(ctx, slot), TicketAssignment.toViewDU({ slot, ticket }));
}

/** `process_ticket_pricing`: one price step per slot under TICKET_PRICING, then reset the slot's sales count. */
export function processTicketPricing(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  const c = ctx.config;
  if (c.TICKET_PRICING === "pool_target") {
    state.ticket_price = computeNextTicketPrice(
      state.ticket_price,
      state.ticket_pool.length,
      c.TARGET_TICKET_POOL_SIZE,
      c.TICKET_PRICE_ADJUSTMENT_QUOTIENT,
      c.MIN_TICKET_PRICE,
      c.MAX_TICKET_PRICE,
    );
  } else if (c.TICKET_PRICING === "sales_target") {
    state.ticket_price = computeNextTicketPrice(
      state.ticket_price,
      state.tickets_sold_in_slot,
      c.TARGET_TICKETS_PER_SLOT,
      c.TICKET_PRICE_ADJUSTMENT_QUOTIENT,
      c.MIN_TICKET_PRICE,
      c.MAX_TICKET_PRICE,
    );
  } else if (c.TICKET_PRICING === "pi_pool_target") {
    processPiTicketPricing(cs);
  }
  // "bonding_curve": the price is the curve's next point, set wherever the supply changes
  state.tickets_sold_in_slot = 0;
}
