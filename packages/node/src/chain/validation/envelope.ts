import {
  computeStartSlotAtEpoch,
  getExecutionPayloadEnvelopeSignatureSet,
  getTicketAssignment,
  isEmptyCommitment,
  isSelfBuild,
  type SignedExecutionPayloadEnvelope,
  toHex,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";

/**
 * Gossip validation of `execution_payload` (Gloas p2p-interface; our commitment stands where Gloas
 * has the bid, its ticket where Gloas has the builder), in the spec's order and before the payload
 * is executed: the block must be known, and the envelope must match what the block committed to
 * and carry the ticket holder's signature. Throws GossipValidationError. On success the envelope's
 * signature needs no second check on import.
 */
export function validateGossipEnvelope(chain: Chain, signed: SignedExecutionPayloadEnvelope): void {
  const envelope = signed.message;
  const root = toHex(envelope.beacon_block_root);
  // [IGNORE] The envelope's block root envelope.beacon_block_root has been seen
  // (a client MAY queue payload for processing once the block is retrieved)
  const entry = chain.getEntry(root);
  if (!entry)
    throw new GossipValidationError("IGNORE", ChainErrorCode.UNKNOWN_BLOCK, "envelope block unknown", { root });
  // [IGNORE] The node has not seen another valid SignedExecutionPayloadEnvelope for this block root
  // from this builder (a block has one committed ticket: a payload imported is the one valid envelope)
  if (entry.payloadKnown) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.ALREADY_KNOWN, "payload already imported", { root });
  }
  // [IGNORE] The envelope is from a slot greater than or equal to the latest finalized slot
  const finalizedSlot = computeStartSlotAtEpoch(chain.ctx, chain.forkChoice.finalized.epoch);
  if (!(envelope.slot >= finalizedSlot)) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.NOT_AFTER_FINALIZED, "envelope is before finality", {
      slot: envelope.slot,
      finalizedSlot,
    });
  }
  const commitment = entry.block.message.body.signed_payload_commitment.message;
  // [REJECT] block.slot equals envelope.slot
  if (entry.slot !== envelope.slot) {
    throw new GossipValidationError("REJECT", ChainErrorCode.ENVELOPE_WRONG_SLOT, "envelope slot is not its block's", {
      slot: envelope.slot,
      blockSlot: entry.slot,
    });
  }
  // [REJECT] (ours) the block committed to a payload: an empty commitment has nothing to reveal
  if (isEmptyCommitment(commitment)) {
    throw new GossipValidationError(
      "REJECT",
      ChainErrorCode.ENVELOPE_NO_PAYLOAD_COMMITTED,
      "the block committed to no payload",
      { root },
    );
  }
  // [REJECT] envelope.builder_index == bid.builder_index (ours: the committed ticket)
  if (envelope.ticket_id !== commitment.ticket_id) {
    throw new GossipValidationError("REJECT", ChainErrorCode.ENVELOPE_WRONG_TICKET, "envelope names another ticket", {
      ticketId: envelope.ticket_id,
      committedTicketId: commitment.ticket_id,
    });
  }
  // [REJECT] payload.block_hash == bid.block_hash
  if (toHex(envelope.payload.block_hash) !== toHex(commitment.block_hash)) {
    throw new GossipValidationError(
      "REJECT",
      ChainErrorCode.ENVELOPE_BLOCK_HASH_MISMATCH,
      "payload hash differs from the committed hash",
      { root },
    );
  }
  // [REJECT] signed_execution_payload_envelope.signature is valid with respect to the builder's
  // public key (ours: the slot's ticket owner, or the proposer for a self-built payload)
  const postBlock = chain.regen.getPostState(root, false);
  const ticket = getTicketAssignment(chain.ctx, postBlock.state, envelope.slot);
  const signerPubkey = isSelfBuild(ticket)
    ? postBlock.state.validators.getReadonly(entry.block.message.proposer_index).pubkey
    : postBlock.state.buyers.getReadonly(ticket.owner).pubkey;
  if (!verifySignatureSet(getExecutionPayloadEnvelopeSignatureSet(postBlock, signed, signerPubkey))) {
    throw new GossipValidationError("REJECT", ChainErrorCode.ENVELOPE_BAD_SIGNATURE, "invalid envelope signature", {
      root,
    });
  }
}
