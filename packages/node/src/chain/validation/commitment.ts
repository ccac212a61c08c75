import {
  getPayloadCommitmentSignatureSet,
  getTicketAssignment,
  isSelfBuild,
  type SignedExecutionPayloadCommitment,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";

/**
 * Gossip validation of `execution_payload_commitment`, before a commitment may enter the pool
 * (and, with the network, be forwarded): for the next slot, for the ticket that slot drew, signed
 * by that ticket's owner. A commitment that fails any of these would make the block that carries
 * it invalid. Read from the head state as it is: the slot's ticket was drawn TICKET_LOOKAHEAD_SLOTS
 * ahead, so no slots are processed (a head far behind the clock cannot judge it: IGNORE).
 */
export function validateGossipCommitment(
  chain: Chain,
  signed: SignedExecutionPayloadCommitment,
  currentSlot: number,
): void {
  const { slot } = signed.message;
  const head = chain.head();
  // [IGNORE] the commitment is for the current or the next slot, after the head
  if (!(slot > head.slot && slot <= currentSlot + 1)) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.COMMITMENT_OUT_OF_WINDOW,
      "commitment is not for an upcoming slot",
      { slot, headSlot: head.slot, currentSlot },
    );
  }
  // [IGNORE] the slot's ticket is drawn in our head state (drawn TICKET_LOOKAHEAD_SLOTS before the slot)
  const state = head.state;
  if (slot > state.state.slot + chain.ctx.preset.TICKET_LOOKAHEAD_SLOTS) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.COMMITMENT_HEAD_BEHIND,
      "our head is too far behind to know the slot's ticket",
      { slot, headStateSlot: state.state.slot },
    );
  }
  const ticket = getTicketAssignment(chain.ctx, state.state, slot);
  // [IGNORE] the slot has a ticket, and the commitment names it. IGNORE, not REJECT: which ticket a
  // slot drew, and who owns it now, depend on our view of the chain, which may lag or be a fork
  if (isSelfBuild(ticket) || ticket.ticket_id !== signed.message.ticket_id) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.COMMITMENT_WRONG_TICKET,
      "commitment does not name the slot's ticket",
      { slot, ticketId: signed.message.ticket_id },
    );
  }
  // [IGNORE] the commitment is signed by the ticket's owner (as far as our view knows: a transfer
  // on another branch may have given the ticket to someone else)
  const owner = state.state.buyers.getReadonly(ticket.owner).pubkey;
  if (!verifySignatureSet(getPayloadCommitmentSignatureSet(state, signed.message, signed.signature, owner))) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.COMMITMENT_BAD_SIGNATURE,
      "commitment is not signed by the ticket's owner",
      { slot, owner: ticket.owner },
    );
  }
}
