import {
  getPayloadCommitmentSignatureSet,
  getTicketAssignment,
  isSelfBuild,
  processSlotsCopy,
  type SignedExecutionPayloadCommitment,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "./chain.ts";
import { ChainErrorCode } from "./errors.ts";
import { GossipRejection } from "./validateGossip.ts";

/**
 * Checks on a ticket holder's commitment before it may enter the pool (and, with the network,
 * be forwarded): for the next slot, for the ticket that slot drew, signed by that ticket's owner.
 * A commitment that fails any of these would make the block that carries it invalid.
 */
export function validatePayloadCommitment(
  chain: Chain,
  signed: SignedExecutionPayloadCommitment,
  currentSlot: number,
): void {
  const { slot } = signed.message;
  const head = chain.head();
  // [IGNORE] the commitment is for the current or the next slot, after the head
  if (slot <= head.slot || slot > currentSlot + 1) {
    throw new GossipRejection(
      "IGNORE",
      ChainErrorCode.COMMITMENT_OUT_OF_WINDOW,
      "commitment is not for an upcoming slot",
      {
        slot,
        headSlot: head.slot,
        currentSlot,
      },
    );
  }
  const pre = processSlotsCopy(head.state, slot);
  const ticket = getTicketAssignment(chain.ctx, pre.state, slot);
  // [IGNORE] the slot has a ticket, and the commitment names it. IGNORE, not REJECT: which ticket a
  // slot drew, and who owns it now, depend on our view of the chain, which may lag or be a fork
  if (isSelfBuild(ticket) || ticket.ticket_id !== signed.message.ticket_id) {
    throw new GossipRejection(
      "REJECT",
      ChainErrorCode.COMMITMENT_WRONG_TICKET,
      "commitment does not name the slot's ticket",
      {
        slot,
        ticketId: signed.message.ticket_id,
      },
    );
  }
  // [IGNORE] the commitment is signed by the ticket's owner (as far as our view knows)
  const owner = pre.state.buyers.getReadonly(ticket.owner).pubkey;
  if (!verifySignatureSet(getPayloadCommitmentSignatureSet(pre, signed.message, signed.signature, owner))) {
    throw new GossipRejection(
      "REJECT",
      ChainErrorCode.COMMITMENT_BAD_SIGNATURE,
      "commitment is not signed by the ticket's owner",
      {
        slot,
        owner: ticket.owner,
      },
    );
  }
}
