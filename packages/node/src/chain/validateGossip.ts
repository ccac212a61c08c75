import {
  type CachedBeaconState,
  computeEpochAtSlot,
  computeSigningRoot,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_PTC_ATTESTER,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  getDomain,
  type PayloadAttestationMessage,
  processSlotsCopy,
  type SignedTicketPurchase,
  type SignedTicketTransfer,
  type SingleAttestation,
  sszTypes,
  toHex,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "./chain.ts";
import { ChainError, ChainErrorCode } from "./errors.ts";

/** Whether a gossip failure drops the message (IGNORE) or also penalises its sender (REJECT). */
export type GossipVerdict = "IGNORE" | "REJECT";

/** A gossip message that may not enter the node; `action` tells the network what to do with it. */
export class GossipRejection extends ChainError {
  readonly action: GossipVerdict;

  constructor(action: GossipVerdict, code: ChainErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.action = action;
  }
}

/** Checkpoint states (target block's state advanced to the epoch start), by "epoch:root": few are live at once. */
const checkpointStates = new WeakMap<Chain, Map<string, CachedBeaconState>>();
const MAX_CHECKPOINT_STATES = 8;

/**
 * `get_checkpoint_state`: the committees a vote is checked against come from its target's state,
 * as the voter saw them, not from our head (a voter on a stale head is still honest).
 */
function checkpointState(chain: Chain, epoch: number, targetRoot: string): CachedBeaconState | undefined {
  let cache = checkpointStates.get(chain);
  if (!cache) {
    cache = new Map();
    checkpointStates.set(chain, cache);
  }
  const key = `${epoch}:${targetRoot}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const entry = chain.getEntry(targetRoot);
  if (!entry) return undefined;
  const state = entry.postPayload ?? entry.postBlock;
  const epochStart = epoch * chain.ctx.preset.SLOTS_PER_EPOCH;
  const advanced = state.state.slot < epochStart ? processSlotsCopy(state, epochStart) : state;
  cache.set(key, advanced);
  if (cache.size > MAX_CHECKPOINT_STATES) cache.delete(cache.keys().next().value as string);
  return advanced;
}

export interface ValidatedAttestation {
  committeeIndex: number;
  position: number;
  committeeSize: number;
}

/** Gossip checks of one validator's vote (Electra's SingleAttestation). */
export function validateSingleAttestation(
  chain: Chain,
  attestation: SingleAttestation,
  currentSlot: number,
  verifySignature: boolean,
): ValidatedAttestation {
  const { data } = attestation;
  const { SLOTS_PER_EPOCH } = chain.ctx.preset;
  // [IGNORE] the vote is from the last epoch's worth of slots and not from the future
  if (data.slot > currentSlot || data.slot + SLOTS_PER_EPOCH < currentSlot) {
    throw new GossipRejection("IGNORE", ChainErrorCode.OUT_OF_WINDOW, "attestation slot outside the gossip window", {
      slot: data.slot,
      currentSlot,
    });
  }
  // [REJECT] the target epoch is the slot's epoch
  if (data.target.epoch !== computeEpochAtSlot(chain.ctx, data.slot)) {
    throw new GossipRejection("REJECT", ChainErrorCode.BAD_TARGET, "target epoch is not the slot's epoch", {});
  }
  // [IGNORE] the voted block is known (it may still arrive)
  if (!chain.hasBlock(toHex(data.beacon_block_root))) {
    throw new GossipRejection("IGNORE", ChainErrorCode.UNKNOWN_BLOCK, "attestation for an unknown block", {});
  }
  // [IGNORE] the target block is known; its state defines the committees
  const state = checkpointState(chain, data.target.epoch, toHex(data.target.root));
  if (!state) throw new GossipRejection("IGNORE", ChainErrorCode.UNKNOWN_BLOCK, "attestation target unknown", {});
  const committees = state.epochCtx.getCommitteeCountPerSlot(data.target.epoch);
  // [REJECT] the committee exists and the attester is in it
  if (attestation.committee_index >= committees) {
    throw new GossipRejection("REJECT", ChainErrorCode.BAD_COMMITTEE, "committee index out of range", {});
  }
  const committee = state.epochCtx.getBeaconCommittee(data.slot, attestation.committee_index);
  const position = committee.indexOf(attestation.attester_index);
  if (position < 0) {
    throw new GossipRejection("REJECT", ChainErrorCode.BAD_COMMITTEE, "attester is not in the committee", {});
  }
  // [REJECT] the signature is the attester's
  if (verifySignature) {
    const domain = getDomain(state, DOMAIN_BEACON_ATTESTER, data.target.epoch);
    const ok = verifySignatureSet({
      kind: "attestation",
      type: "single",
      pubkey: state.caches.pubkeys.index2pubkey[attestation.attester_index],
      signingRoot: computeSigningRoot(sszTypes.AttestationData, data, domain),
      signature: attestation.signature,
    });
    if (!ok) throw new GossipRejection("REJECT", ChainErrorCode.BAD_SIGNATURE, "invalid attestation signature", {});
  }
  return { committeeIndex: attestation.committee_index, position, committeeSize: committee.length };
}

/** Gossip checks of one PTC member's vote; returns the member's position in the PTC. */
export function validatePayloadAttestationMessage(
  chain: Chain,
  message: PayloadAttestationMessage,
  currentSlot: number,
  verifySignature: boolean,
): number {
  const { data } = message;
  // [IGNORE] the vote is about the current slot
  if (data.slot !== currentSlot) {
    throw new GossipRejection("IGNORE", ChainErrorCode.OUT_OF_WINDOW, "payload vote not for the current slot", {
      slot: data.slot,
    });
  }
  const entry = chain.getEntry(toHex(data.beacon_block_root));
  // [IGNORE] the block is known
  if (!entry)
    throw new GossipRejection("IGNORE", ChainErrorCode.UNKNOWN_BLOCK, "payload vote for an unknown block", {});
  // [REJECT] the block is of the voted slot, and blob availability mirrors payload presence
  if (entry.block.message.slot !== data.slot || data.blob_data_available !== data.payload_present) {
    throw new GossipRejection("REJECT", ChainErrorCode.BAD_TARGET, "payload vote data is inconsistent", {});
  }
  // [REJECT] the voter is in the slot's PTC
  const ptc = entry.postBlock.epochCtx.getPtc(data.slot);
  const position = ptc.indexOf(message.validator_index);
  if (position < 0) throw new GossipRejection("REJECT", ChainErrorCode.BAD_COMMITTEE, "voter is not in the PTC", {});
  // [REJECT] the signature is the voter's
  if (verifySignature) {
    const domain = getDomain(entry.postBlock, DOMAIN_PTC_ATTESTER, computeEpochAtSlot(chain.ctx, data.slot));
    const ok = verifySignatureSet({
      kind: "payload_attestation",
      type: "single",
      pubkey: entry.postBlock.caches.pubkeys.index2pubkey[message.validator_index],
      signingRoot: computeSigningRoot(sszTypes.PayloadAttestationData, data, domain),
      signature: message.signature,
    });
    if (!ok) throw new GossipRejection("REJECT", ChainErrorCode.BAD_SIGNATURE, "invalid payload vote signature", {});
  }
  return position;
}

/** Gossip checks of a ticket purchase or transfer: a known account, a usable nonce, the account's signature. */
export function validateTicketOperation(chain: Chain, op: SignedTicketPurchase | SignedTicketTransfer): void {
  const state = chain.head().state;
  const isPurchase = "buyer_index" in op.message;
  const account = isPurchase
    ? (op.message as SignedTicketPurchase["message"]).buyer_index
    : (op.message as SignedTicketTransfer["message"]).from;
  // [REJECT] the account exists
  if (account >= state.state.buyers.length) {
    throw new GossipRejection("REJECT", ChainErrorCode.UNKNOWN_ACCOUNT, "unknown buyer account", { account });
  }
  const buyer = state.state.buyers.getReadonly(account);
  // [IGNORE] the nonce is not already used
  if (op.message.nonce < buyer.nonce) {
    throw new GossipRejection("IGNORE", ChainErrorCode.STALE_NONCE, "nonce already used", { nonce: op.message.nonce });
  }
  // [REJECT] signed by the account's key
  const domain = getDomain(state, isPurchase ? DOMAIN_TICKET_PURCHASE : DOMAIN_TICKET_TRANSFER);
  const signingRoot = isPurchase
    ? computeSigningRoot(sszTypes.TicketPurchase, op.message as SignedTicketPurchase["message"], domain)
    : computeSigningRoot(sszTypes.TicketTransfer, op.message as SignedTicketTransfer["message"], domain);
  const ok = verifySignatureSet({
    kind: isPurchase ? "ticket_purchase" : "ticket_transfer",
    type: "single",
    pubkey: state.caches.pubkeys.get(buyer.pubkey),
    signingRoot,
    signature: op.signature,
  });
  if (!ok) throw new GossipRejection("REJECT", ChainErrorCode.BAD_SIGNATURE, "not signed by the account", { account });
}
