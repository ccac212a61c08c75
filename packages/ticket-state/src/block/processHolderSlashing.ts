import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { TicketError, TicketErrorCode } from "../errors/index.ts";
import { SELF_BUILD_TICKET_ID } from "../params/constants.ts";
import { getPayloadCommitmentSignatureSet } from "../signatureSets/index.ts";
import { slashCollateral } from "../tickets/holderCollateral.ts";
import { ticketAssignmentIndex } from "../tickets/ticketAssignment.ts";
import type { HolderSlashing } from "../types/index.ts";
import { ExecutionPayloadCommitment } from "../types/sszTypes.ts";
import { bytesEqual } from "../util/bytes.ts";
import { isEmptyCommitment } from "./processPayloadCommitment.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/** Collateral that a slashing for (`slot`, ticket) can still take, and whose key must have signed. */
interface SlashableCollateral {
  owner: number;
  amount: number;
  take: () => void;
}

/**
 * `get_slashable_collateral`: the ticket of `slot` is either still in the assignment ring
 * (slot not yet settled: the current slot or one of the lookahead) and holds its collateral, or
 * settled within COLLATERAL_RELEASE_DELAY_SLOTS with its collateral in `pending_collateral`.
 */
function getSlashableCollateral(cs: CachedBeaconState, slot: number, ticketId: number): SlashableCollateral | null {
  const { state, ctx } = cs;
  if (slot >= state.slot && slot <= state.slot + ctx.preset.TICKET_LOOKAHEAD_SLOTS) {
    const assignment = state.ticket_assignments.get(ticketAssignmentIndex(ctx, slot));
    const ticket = assignment.ticket;
    if (assignment.slot !== slot || ticket.ticket_id !== ticketId) return null;
    return {
      owner: ticket.owner,
      amount: ticket.collateral,
      take: () => {
        ticket.collateral = 0;
      },
    };
  }
  const queue = state.pending_collateral;
  for (let i = 0; i < queue.length; i++) {
    const entry = queue.getReadonly(i);
    if (entry.slot !== slot || entry.ticket_id !== ticketId) continue;
    return {
      owner: entry.owner,
      amount: entry.amount,
      take: () => {
        queue.get(i).amount = 0;
      },
    };
  }
  return null;
}

/**
 * `process_holder_slashing`: a ticket holder signed two different commitments for the same slot.
 * Its collateral for that ticket is slashed, once (a second piece of evidence finds none left),
 * and goes where COLLATERAL_SLASH_SINK says (the including block's proposer, or burnt).
 */
export function processHolderSlashing(
  cs: CachedBeaconState,
  slashing: HolderSlashing,
  bctx: BlockProcessingContext,
): void {
  const { state } = cs;
  const signed1 = slashing.signed_commitment_1;
  const signed2 = slashing.signed_commitment_2;
  const c1 = signed1.message;
  const c2 = signed2.message;
  // assert commitment_1.slot == commitment_2.slot
  if (c1.slot !== c2.slot) {
    throw new TicketError(TicketErrorCode.HOLDER_SLASHING_SLOT_MISMATCH, "commitments are for different slots", {
      slot1: c1.slot,
      slot2: c2.slot,
    });
  }
  // assert commitment_1.ticket_id == commitment_2.ticket_id
  if (c1.ticket_id !== c2.ticket_id) {
    throw new TicketError(TicketErrorCode.HOLDER_SLASHING_TICKET_MISMATCH, "commitments name different tickets", {
      ticketId1: c1.ticket_id,
      ticketId2: c2.ticket_id,
    });
  }
  // assert commitment_1.ticket_id != SELF_BUILD_TICKET_ID: a self-building proposer has no collateral
  if (c1.ticket_id === SELF_BUILD_TICKET_ID) {
    throw new TicketError(TicketErrorCode.HOLDER_SLASHING_SELF_BUILD, "self-built commitments are not a holder's", {});
  }
  // assert not is_empty_commitment(commitment_1) and not is_empty_commitment(commitment_2): those are the proposer's
  if (isEmptyCommitment(c1) || isEmptyCommitment(c2)) {
    throw new TicketError(TicketErrorCode.HOLDER_SLASHING_EMPTY_COMMITMENT, "an empty commitment is not signed", {});
  }
  // assert commitment_1 != commitment_2
  if (bytesEqual(ExecutionPayloadCommitment.hashTreeRoot(c1), ExecutionPayloadCommitment.hashTreeRoot(c2))) {
    throw new TicketError(TicketErrorCode.HOLDER_SLASHING_SAME_COMMITMENT, "the two commitments are the same", {});
  }
  // assert the ticket's collateral for this slot is still held and not zero (slashed at most once)
  const held = getSlashableCollateral(cs, c1.slot, c1.ticket_id);
  if (held === null || held.amount === 0) {
    throw new TicketError(TicketErrorCode.HOLDER_SLASHING_NOT_SLASHABLE, "no collateral held for this slot's ticket", {
      slot: c1.slot,
      ticketId: c1.ticket_id,
    });
  }
  // Both signed by the holder whose collateral is held
  const holderPubkey = state.buyers.getReadonly(held.owner).pubkey;
  collectSignatureSet(bctx, () => getPayloadCommitmentSignatureSet(cs, c1, signed1.signature, holderPubkey));
  collectSignatureSet(bctx, () => getPayloadCommitmentSignatureSet(cs, c2, signed2.signature, holderPubkey));

  held.take();
  slashCollateral(cs, held.amount, state.latest_block_header.proposer_index);
}
