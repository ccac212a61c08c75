import type { AttestationVote } from "@turnstile/fork-choice";
import {
  computeEpochAtSlot,
  computeSigningRoot,
  DOMAIN_BEACON_ATTESTER,
  getDomain,
  type SingleAttestation,
  sszTypes,
  toHex,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import type { SeenIndices } from "../seenIndices.ts";
import { checkpointState } from "./checkpointState.ts";
import { VoteErrorCode, VoteRejection } from "./errors.ts";
import { gossipSlotRange } from "./gossipClock.ts";

export interface ValidatedAttestation {
  committeeIndex: number;
  /** The attester's position in its committee, and the committee's size (for the aggregation bits). */
  position: number;
  committeeSize: number;
  /** The vote as fork choice takes it. */
  vote: AttestationVote;
}

/**
 * The `beacon_attestation` gossip rules (phase0, Deneb, Electra and Gloas p2p-interface) for one
 * validator's vote, plus what fork choice's `validate_on_attestation` would refuse, so that no vote
 * fork choice cannot use is forwarded. `seen` holds the attesters already admitted per target
 * epoch; the caller adds to it once the vote is admitted. Throws a VoteRejection; returning means
 * the vote passed every rule but the payload one (see `admitAttestation`).
 */
export function validateAttestation(
  chain: Chain,
  seen: SeenIndices,
  attestation: SingleAttestation,
  now: number,
  verifySignature: boolean,
): ValidatedAttestation {
  const { data, attester_index: attester } = attestation;
  const { ctx, forkChoice } = chain;
  const clock = gossipSlotRange(chain, now);
  const epoch = computeEpochAtSlot(ctx, data.slot);

  // [IGNORE] `attestation.data.slot <= current_slot` (with a MAXIMUM_GOSSIP_CLOCK_DISPARITY allowance)
  if (data.slot > clock.latest) {
    throw new VoteRejection("IGNORE", VoteErrorCode.FUTURE_SLOT, "attestation from a future slot", {
      slot: data.slot,
      currentSlot: clock.latest,
    });
  }
  // [IGNORE] `compute_epoch_at_slot(attestation.data.slot)` is the previous or current epoch
  // (with a MAXIMUM_GOSSIP_CLOCK_DISPARITY allowance)
  if (epoch + 1 < computeEpochAtSlot(ctx, clock.earliest)) {
    throw new VoteRejection("IGNORE", VoteErrorCode.TOO_OLD, "attestation from before the previous epoch", {
      slot: data.slot,
      currentSlot: clock.earliest,
    });
  }
  // [REJECT] `attestation.data.target.epoch == compute_epoch_at_slot(attestation.data.slot)`
  if (data.target.epoch !== epoch) {
    throw new VoteRejection("REJECT", VoteErrorCode.TARGET_EPOCH_MISMATCH, "target epoch is not the slot's epoch", {
      slot: data.slot,
      targetEpoch: data.target.epoch,
    });
  }
  // [REJECT] `attestation.data.index < 2` (Gloas: the index is the payload vote, 0 EMPTY or 1 FULL)
  if (data.index !== 0 && data.index !== 1) {
    throw new VoteRejection("REJECT", VoteErrorCode.BAD_PAYLOAD_INDEX, "payload vote index is neither 0 nor 1", {
      index: data.index,
    });
  }
  const blockRoot = toHex(data.beacon_block_root);
  const block = forkChoice.protoArray.getBlock(blockRoot);
  // [IGNORE] the block being voted for (`attestation.data.beacon_block_root`) has been seen
  // (a client MAY queue attestations for processing once the block is retrieved)
  if (block === undefined || !chain.hasBlock(blockRoot)) {
    throw new VoteRejection("IGNORE", VoteErrorCode.UNKNOWN_BLOCK, "attestation for an unknown block", { blockRoot });
  }
  // [REJECT] the block being voted for passes validation: only valid blocks are stored, so a known
  // block does (an invalid one is never known, and a vote for it is IGNOREd above)
  // [REJECT] (validate_on_attestation) the voted block is not newer than the vote:
  // `store.blocks[attestation.data.beacon_block_root].slot <= attestation.data.slot`
  if (block.slot > data.slot) {
    throw new VoteRejection("REJECT", VoteErrorCode.BLOCK_AFTER_VOTE, "voted block is newer than the vote", {
      blockSlot: block.slot,
      slot: data.slot,
    });
  }
  // [REJECT] `attestation.data.index == 0` if `block.slot == attestation.data.slot`
  if (block.slot === data.slot && data.index !== 0) {
    throw new VoteRejection("REJECT", VoteErrorCode.SAME_SLOT_FULL, "a same-slot vote must carry index 0", {
      slot: data.slot,
    });
  }
  // [IGNORE] the target block is known (validate_on_attestation: `target.root in store.blocks`;
  // its state holds the committees)
  const targetRoot = toHex(data.target.root);
  if (!forkChoice.protoArray.hasBlock(targetRoot)) {
    throw new VoteRejection("IGNORE", VoteErrorCode.UNKNOWN_TARGET, "attestation for an unknown target", {
      targetRoot,
    });
  }
  // [IGNORE] the current finalized checkpoint is an ancestor of the voted block:
  // `get_checkpoint_block(store, beacon_block_root, finalized_checkpoint.epoch) == finalized_checkpoint.root`
  const { finalized } = forkChoice;
  if (forkChoice.checkpointBlockRoot(blockRoot, finalized.epoch) !== finalized.root) {
    throw new VoteRejection(
      "IGNORE",
      VoteErrorCode.NOT_FINALIZED_DESCENDANT,
      "voted block is off the finalized chain",
      {
        blockRoot,
      },
    );
  }
  // [REJECT] the target block is an ancestor of the LMD vote's block:
  // `get_checkpoint_block(store, attestation.data.beacon_block_root, attestation.data.target.epoch) == attestation.data.target.root`
  if (forkChoice.checkpointBlockRoot(blockRoot, data.target.epoch) !== targetRoot) {
    throw new VoteRejection("REJECT", VoteErrorCode.WRONG_TARGET, "target is not the voted block's checkpoint", {
      blockRoot,
      targetRoot,
      targetEpoch: data.target.epoch,
    });
  }
  // [IGNORE] the target's state is at hand (the committees are read from it)
  const state = checkpointState(chain, data.target.epoch, targetRoot);
  if (!state) {
    throw new VoteRejection("IGNORE", VoteErrorCode.UNKNOWN_TARGET, "target state unavailable", { targetRoot });
  }
  // [REJECT] the committee index is within the expected range:
  // `index < get_committee_count_per_slot(state, attestation.data.target.epoch)`
  const committees = state.epochCtx.getCommitteeCountPerSlot(data.target.epoch);
  if (attestation.committee_index >= committees) {
    throw new VoteRejection("REJECT", VoteErrorCode.BAD_COMMITTEE_INDEX, "committee index out of range", {
      committeeIndex: attestation.committee_index,
      committees,
    });
  }
  // [REJECT] the attester is a member of the committee:
  // `attestation.attester_index in get_beacon_committee(state, attestation.data.slot, index)`
  const committee = state.epochCtx.getBeaconCommittee(data.slot, attestation.committee_index);
  const position = committee.indexOf(attester);
  if (position < 0) {
    throw new VoteRejection("REJECT", VoteErrorCode.NOT_IN_COMMITTEE, "attester is not in the committee", {
      attester,
      committeeIndex: attestation.committee_index,
      slot: data.slot,
    });
  }
  // [IGNORE] there has been no other valid attestation seen on an attestation subnet that has an
  // identical `attestation.data.target.epoch` and participating validator index
  if (seen.has(data.target.epoch, attester)) {
    throw new VoteRejection("IGNORE", VoteErrorCode.ALREADY_SEEN, "attester already voted for this target epoch", {
      attester,
      targetEpoch: data.target.epoch,
    });
  }
  // [REJECT] the signature of `attestation` is valid
  if (verifySignature) {
    const domain = getDomain(state, DOMAIN_BEACON_ATTESTER, data.target.epoch);
    const ok = verifySignatureSet({
      kind: "attestation",
      type: "single",
      pubkey: state.caches.pubkeys.index2pubkey[attester],
      signingRoot: computeSigningRoot(sszTypes.AttestationData, data, domain),
      signature: attestation.signature,
    });
    if (!ok) {
      throw new VoteRejection("REJECT", VoteErrorCode.BAD_SIGNATURE, "invalid attestation signature", { attester });
    }
  }
  return {
    committeeIndex: attestation.committee_index,
    position,
    committeeSize: committee.length,
    vote: {
      attestingIndices: [attester],
      slot: data.slot,
      index: data.index,
      beaconBlockRoot: blockRoot,
      target: { epoch: data.target.epoch, root: targetRoot },
    },
  };
}
