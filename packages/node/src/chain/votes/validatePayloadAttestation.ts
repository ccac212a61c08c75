import type { PayloadVote } from "@turnstile/fork-choice";
import {
  computeEpochAtSlot,
  computeSigningRoot,
  DOMAIN_PTC_ATTESTER,
  getDomain,
  type PayloadAttestationMessage,
  sszTypes,
  toHex,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import type { SeenIndices } from "../seenIndices.ts";
import { VoteErrorCode, VoteRejection } from "./errors.ts";
import { gossipSlotRange } from "./gossipClock.ts";

export interface ValidatedPayloadAttestation {
  /** The member's position in the slot's PTC (its bit in an aggregate). */
  position: number;
  /** The vote as fork choice takes it. */
  vote: PayloadVote;
}

/**
 * The `payload_attestation_message` gossip rules (Gloas p2p-interface) for one PTC member's vote.
 * `seen` holds the members already admitted per slot; the caller adds to it once the vote is
 * admitted (fork choice took it). Throws a VoteRejection.
 */
export function validatePayloadAttestationMessage(
  chain: Chain,
  seen: SeenIndices,
  message: PayloadAttestationMessage,
  now: number,
  verifySignature: boolean,
): ValidatedPayloadAttestation {
  const { data, validator_index: member } = message;
  const clock = gossipSlotRange(chain, now);
  // [IGNORE] the message's slot is for the current slot (with a MAXIMUM_GOSSIP_CLOCK_DISPARITY
  // allowance), i.e. `data.slot == current_slot`
  if (data.slot < clock.earliest || data.slot > clock.latest) {
    throw new VoteRejection("IGNORE", VoteErrorCode.PTC_NOT_CURRENT_SLOT, "payload vote not for the current slot", {
      slot: data.slot,
      currentSlot: clock.latest,
    });
  }
  // [IGNORE] the `payload_attestation_message` is the first valid message received from the
  // validator with index `payload_attestation_message.validator_index` (for this slot)
  if (seen.has(data.slot, member)) {
    throw new VoteRejection("IGNORE", VoteErrorCode.PTC_ALREADY_SEEN, "PTC member already voted in this slot", {
      member,
      slot: data.slot,
    });
  }
  const blockRoot = toHex(data.beacon_block_root);
  const entry = chain.getEntry(blockRoot);
  // [IGNORE] the message's block `data.beacon_block_root` has been seen (a client MAY queue
  // attestation for processing once the block is retrieved)
  if (!entry || !chain.forkChoice.protoArray.hasBlock(blockRoot)) {
    throw new VoteRejection("IGNORE", VoteErrorCode.PTC_UNKNOWN_BLOCK, "payload vote for an unknown block", {
      blockRoot,
    });
  }
  // [REJECT] the message's block `data.beacon_block_root` passes validation: only valid blocks are
  // stored, so a known block does
  // [REJECT] the block is of the voted slot: an honest member votes only on its slot's block
  // (validator.md), and fork choice (on_payload_attestation_message) discards any other vote
  if (entry.slot !== data.slot) {
    throw new VoteRejection("REJECT", VoteErrorCode.PTC_BLOCK_SLOT_MISMATCH, "payload vote for another slot's block", {
      blockSlot: entry.slot,
      slot: data.slot,
    });
  }
  // [REJECT] `data.blob_data_available == data.payload_present`: this chain has no blobs, so
  // availability mirrors presence (DESIGN.md §4)
  if (data.blob_data_available !== data.payload_present) {
    throw new VoteRejection("REJECT", VoteErrorCode.PTC_INCONSISTENT_DATA, "blob availability differs from presence", {
      payloadPresent: data.payload_present,
    });
  }
  // [REJECT] the message's validator index is within the payload committee `get_ptc(state, data.slot)`
  // (the block is of `data.slot`, so its post-block state is the slot's)
  const state = chain.regen.getPostState(blockRoot, false);
  const position = state.epochCtx.getPtc(data.slot).indexOf(member);
  if (position < 0) {
    throw new VoteRejection("REJECT", VoteErrorCode.PTC_NOT_MEMBER, "voter is not in the slot's PTC", {
      member,
      slot: data.slot,
    });
  }
  // [REJECT] `payload_attestation_message.signature` is valid with respect to the validator's public key
  if (verifySignature) {
    const domain = getDomain(state, DOMAIN_PTC_ATTESTER, computeEpochAtSlot(chain.ctx, data.slot));
    const ok = verifySignatureSet({
      kind: "payload_attestation",
      type: "single",
      pubkey: state.caches.pubkeys.index2pubkey[member],
      signingRoot: computeSigningRoot(sszTypes.PayloadAttestationData, data, domain),
      signature: message.signature,
    });
    if (!ok) {
      throw new VoteRejection("REJECT", VoteErrorCode.PTC_BAD_SIGNATURE, "invalid payload vote signature", { member });
    }
  }
  return {
    position,
    vote: { beaconBlockRoot: blockRoot, slot: data.slot, payloadPresent: data.payload_present, ptcIndices: [position] },
  };
}
