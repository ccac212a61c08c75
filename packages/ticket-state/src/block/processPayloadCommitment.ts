import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { TicketError, TicketErrorCode } from "../errors/index.ts";
import { G2_POINT_AT_INFINITY, ZERO_HASH } from "../params/constants.ts";
import { getPayloadCommitmentSignatureSet } from "../signatureSets/index.ts";
import { getTicketAssignment, isSelfBuild } from "../tickets/ticketAssignment.ts";
import type { BeaconBlock, ExecutionPayloadCommitment } from "../types/index.ts";
import { ExecutionPayloadCommitment as CommitmentType } from "../types/sszTypes.ts";
import { bytesEqual, toHex } from "../util/bytes.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { getRandaoMix } from "../util/seed.ts";
import { type BlockProcessingContext, collectSignatureSet } from "./types.ts";

/** An empty commitment: the slot has no payload. Its fields are fixed so that it has one form only. */
export function isEmptyCommitment(commitment: ExecutionPayloadCommitment): boolean {
  return bytesEqual(commitment.block_hash, ZERO_HASH);
}

/**
 * `process_payload_commitment`: the block carries exactly one commitment, in one of three forms:
 * (a) signed by the owner of the ticket assigned to this slot; (b) no ticket assigned: a
 * self-build signed by the proposer; (c) empty (zero block hash, infinity signature): no payload
 * this slot, which is all a proposer may do with a slot whose ticket holder sent nothing.
 */
export function processPayloadCommitment(
  cs: CachedBeaconState,
  block: BeaconBlock,
  bctx: BlockProcessingContext,
): void {
  const { state, ctx } = cs;
  const signed = block.body.signed_payload_commitment;
  const commitment = signed.message;
  const assigned = getTicketAssignment(ctx, state, state.slot);

  if (commitment.slot !== block.slot) {
    throw new TicketError(TicketErrorCode.COMMITMENT_WRONG_SLOT, "commitment is for another slot", {
      commitmentSlot: commitment.slot,
      blockSlot: block.slot,
    });
  }
  if (!bytesEqual(commitment.parent_block_hash, state.latest_block_hash)) {
    throw new TicketError(
      TicketErrorCode.COMMITMENT_WRONG_PARENT_HASH,
      "commitment does not build on the latest payload",
      {
        parentBlockHash: toHex(commitment.parent_block_hash),
        latestBlockHash: toHex(state.latest_block_hash),
      },
    );
  }
  if (!bytesEqual(commitment.parent_block_root, block.parent_root)) {
    throw new TicketError(TicketErrorCode.COMMITMENT_WRONG_PARENT_ROOT, "commitment names another parent block", {
      parentBlockRoot: toHex(commitment.parent_block_root),
      blockParentRoot: toHex(block.parent_root),
    });
  }

  if (isEmptyCommitment(commitment)) {
    // (c) empty: the assigned ticket (or SELF_BUILD) is named, nothing else is set, nothing signed
    const canonical =
      commitment.ticket_id === assigned.ticket_id &&
      bytesEqual(commitment.prev_randao, ZERO_HASH) &&
      bytesEqual(commitment.fee_recipient, new Uint8Array(20)) &&
      commitment.gas_limit === 0 &&
      bytesEqual(signed.signature, G2_POINT_AT_INFINITY);
    if (!canonical) {
      throw new TicketError(
        TicketErrorCode.COMMITMENT_EMPTY_NOT_CANONICAL,
        "empty commitment is not in its canonical form",
        {
          ticketId: commitment.ticket_id,
          assignedTicketId: assigned.ticket_id,
        },
      );
    }
  } else if (!bytesEqual(commitment.prev_randao, getRandaoMix(ctx, state, computeEpochAtSlot(ctx, state.slot)))) {
    throw new TicketError(
      TicketErrorCode.COMMITMENT_WRONG_PREV_RANDAO,
      "commitment prev_randao is not the current mix",
      {
        prevRandao: toHex(commitment.prev_randao),
      },
    );
  } else if (isSelfBuild(assigned)) {
    // (b) self-build: no ticket for this slot, the proposer builds and signs
    if (commitment.ticket_id !== assigned.ticket_id) {
      throw new TicketError(TicketErrorCode.COMMITMENT_WRONG_TICKET, "no ticket is assigned to this slot", {
        ticketId: commitment.ticket_id,
      });
    }
    const proposerPubkey = state.validators.getReadonly(block.proposer_index).pubkey;
    collectSignatureSet(bctx, () => getPayloadCommitmentSignatureSet(cs, commitment, signed.signature, proposerPubkey));
  } else {
    // (a) the ticket holder's commitment, signed by the ticket's owner
    if (isSelfBuild({ ...assigned, ticket_id: commitment.ticket_id })) {
      throw new TicketError(
        TicketErrorCode.COMMITMENT_SELF_BUILD_WITH_TICKET,
        "proposer may not self-build a slot whose ticket is assigned",
        { assignedTicketId: assigned.ticket_id },
      );
    }
    if (commitment.ticket_id !== assigned.ticket_id) {
      throw new TicketError(
        TicketErrorCode.COMMITMENT_WRONG_TICKET,
        "commitment names a ticket not assigned to this slot",
        {
          ticketId: commitment.ticket_id,
          assignedTicketId: assigned.ticket_id,
        },
      );
    }
    const ownerPubkey = state.buyers.getReadonly(assigned.owner).pubkey;
    collectSignatureSet(bctx, () => getPayloadCommitmentSignatureSet(cs, commitment, signed.signature, ownerPubkey));
  }
  state.latest_payload_commitment = CommitmentType.toViewDU(commitment);
}
