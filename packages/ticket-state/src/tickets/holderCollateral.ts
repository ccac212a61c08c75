import { isEmptyCommitment } from "../block/processPayloadCommitment.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { ExecutionTicket } from "../types/index.ts";
import { PendingCollateral } from "../types/sszTypes.ts";
import { increaseBalance } from "../util/balance.ts";

/**
 * `slash_collateral`: slashed holder collateral leaves the market as COLLATERAL_SLASH_SINK says:
 * destroyed (`burn`), or credited to the balance of `proposerIndex`, the validator whose block
 * carried the evidence (`proposer`; validators have no Gwei account beside their balance).
 */
export function slashCollateral(cs: CachedBeaconState, amount: number, proposerIndex: number): void {
  if (amount === 0) return;
  if (cs.ctx.config.COLLATERAL_SLASH_SINK === "proposer") increaseBalance(cs.state, proposerIndex, amount);
}

/**
 * Whether the holder of `slot`'s ticket committed to a payload and then withheld it: the slot's
 * block carried the holder's (non-empty) commitment, and no envelope revealed it.
 */
function isPayloadWithheld(cs: CachedBeaconState, ticket: ExecutionTicket, slot: number): boolean {
  const { state, ctx } = cs;
  const commitment = state.latest_payload_commitment;
  if (state.latest_block_header.slot !== slot || commitment.slot !== slot) return false;
  if (isEmptyCommitment(commitment) || commitment.ticket_id !== ticket.ticket_id) return false;
  return !state.execution_payload_availability.get(slot % ctx.preset.SLOTS_PER_HISTORICAL_ROOT);
}

/**
 * `settle_ticket_collateral`, the collateral half of `settle_ticket` for the ticket of `slot`:
 * - block, holder's commitment, no payload: withheld, the collateral is slashed (to the block's proposer);
 * - the ticket returns to the pool (missed block under `return_to_pool`): it keeps its collateral;
 * - otherwise (payload revealed, empty commitment, missed block refunded or forfeited): the
 *   collateral waits in `pending_collateral` for COLLATERAL_RELEASE_DELAY_SLOTS, during which a
 *   holder slashing for `slot` can still take it, and is then paid back to the owner.
 * Returns the ticket as settlement should go on with it (collateral zero unless it returns to the pool).
 */
export function settleTicketCollateral(cs: CachedBeaconState, ticket: ExecutionTicket, slot: number): ExecutionTicket {
  const { state, ctx } = cs;
  if (ticket.collateral === 0) return ticket;
  const hadBlock = state.latest_block_header.slot === slot;
  if (hadBlock && isPayloadWithheld(cs, ticket, slot)) {
    slashCollateral(cs, ticket.collateral, state.latest_block_header.proposer_index);
    return { ...ticket, collateral: 0 };
  }
  // The same test as settle_ticket's: a full pool turns return_to_pool into refund
  const returnsToPool =
    !hadBlock &&
    ctx.config.TICKET_ON_MISSED_BLOCK === "return_to_pool" &&
    state.ticket_pool.length < ctx.preset.TICKET_POOL_LIMIT;
  if (returnsToPool) return ticket;
  state.pending_collateral.push(
    PendingCollateral.toViewDU({ ticket_id: ticket.ticket_id, owner: ticket.owner, slot, amount: ticket.collateral }),
  );
  return { ...ticket, collateral: 0 };
}

/**
 * `process_pending_collateral`, on entering each slot: pay back the collateral of every slot
 * settled COLLATERAL_RELEASE_DELAY_SLOTS or more slots ago. Entries are in slot order (one per
 * settled slot), so the due ones are a prefix, and the queue never holds more than the delay.
 */
export function processPendingCollateral(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  const queue = state.pending_collateral;
  let released = 0;
  while (released < queue.length) {
    const entry = queue.getReadonly(released);
    if (entry.slot + ctx.preset.COLLATERAL_RELEASE_DELAY_SLOTS > state.slot) break;
    if (entry.amount > 0) state.buyers.get(entry.owner).balance += entry.amount;
    released++;
  }
  if (released > 0) state.pending_collateral = queue.sliceFrom(released);
}
