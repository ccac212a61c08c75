import type { SignatureSet } from "../bls/signatureSet.ts";
import { computeSigningRoot, computeSigningRootOfRoot } from "../bls/signingRoot.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import {
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_PAYLOAD_COMMITMENT,
  DOMAIN_PAYLOAD_ENVELOPE,
  DOMAIN_PTC_ATTESTER,
  DOMAIN_RANDAO,
  DOMAIN_TICKET_BID,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_SELL_BACK,
  DOMAIN_TICKET_TRANSFER,
  DOMAIN_VOLUNTARY_EXIT,
} from "../params/constants.ts";
import type {
  BeaconBlock,
  ExecutionPayloadCommitment as Commitment,
  IndexedAttestation,
  IndexedPayloadAttestation,
  SignedBeaconBlockHeader,
  SignedExecutionPayloadEnvelope,
  SignedTicketBid,
  SignedTicketPurchase,
  SignedTicketSellBack,
  SignedTicketTransfer,
  SignedVoluntaryExit,
} from "../types/index.ts";
import {
  AttestationData,
  BeaconBlockHeader,
  Epoch,
  ExecutionPayloadCommitment,
  PayloadAttestationData,
  TicketBid,
  TicketPurchase,
  TicketSellBack,
  TicketTransfer,
  VoluntaryExit,
} from "../types/sszTypes.ts";
import { getDomain } from "../util/domain.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";

// One function per signed object: each says which key(s) must have signed what, under which domain.

/** @param blockRoot the block's root when the caller has it (hashing a block costs more than the rest) */
export function getBlockProposerSignatureSet(
  cs: CachedBeaconState,
  block: BeaconBlock,
  signature: Uint8Array,
  blockRoot?: Uint8Array,
): SignatureSet {
  const domain = getDomain(cs, DOMAIN_BEACON_PROPOSER, computeEpochAtSlot(cs.ctx, block.slot));
  return {
    kind: "block_proposer",
    type: "single",
    pubkey: cs.caches.pubkeys.index2pubkey[block.proposer_index],
    signingRoot: computeSigningRootOfRoot(blockRoot ?? cs.ctx.ssz.BeaconBlock.hashTreeRoot(block), domain),
    signature,
  };
}

export function getBlockHeaderSignatureSet(cs: CachedBeaconState, signed: SignedBeaconBlockHeader): SignatureSet {
  const domain = getDomain(cs, DOMAIN_BEACON_PROPOSER, computeEpochAtSlot(cs.ctx, signed.message.slot));
  return {
    kind: "proposer_slashing_header",
    type: "single",
    pubkey: cs.caches.pubkeys.index2pubkey[signed.message.proposer_index],
    signingRoot: computeSigningRoot(BeaconBlockHeader, signed.message, domain),
    signature: signed.signature,
  };
}

export function getRandaoRevealSignatureSet(
  cs: CachedBeaconState,
  proposerIndex: number,
  reveal: Uint8Array,
): SignatureSet {
  const epoch = computeEpochAtSlot(cs.ctx, cs.state.slot);
  return {
    kind: "randao_reveal",
    type: "single",
    pubkey: cs.caches.pubkeys.index2pubkey[proposerIndex],
    signingRoot: computeSigningRoot(Epoch, epoch, getDomain(cs, DOMAIN_RANDAO, epoch)),
    signature: reveal,
  };
}

export function getIndexedAttestationSignatureSet(cs: CachedBeaconState, indexed: IndexedAttestation): SignatureSet {
  const domain = getDomain(cs, DOMAIN_BEACON_ATTESTER, indexed.data.target.epoch);
  return {
    kind: "attestation",
    type: "aggregate",
    pubkeys: indexed.attesting_indices.map((i) => cs.caches.pubkeys.index2pubkey[i]),
    signingRoot: computeSigningRoot(AttestationData, indexed.data, domain),
    signature: indexed.signature,
  };
}

export function getVoluntaryExitSignatureSet(cs: CachedBeaconState, signed: SignedVoluntaryExit): SignatureSet {
  const domain = getDomain(cs, DOMAIN_VOLUNTARY_EXIT, signed.message.epoch);
  return {
    kind: "voluntary_exit",
    type: "single",
    pubkey: cs.caches.pubkeys.index2pubkey[signed.message.validator_index],
    signingRoot: computeSigningRoot(VoluntaryExit, signed.message, domain),
    signature: signed.signature,
  };
}

export function getTicketPurchaseSignatureSet(
  cs: CachedBeaconState,
  signed: SignedTicketPurchase,
  buyerPubkey: Uint8Array,
): SignatureSet {
  return {
    kind: "ticket_purchase",
    type: "single",
    pubkey: cs.caches.pubkeys.get(buyerPubkey),
    signingRoot: computeSigningRoot(TicketPurchase, signed.message, getDomain(cs, DOMAIN_TICKET_PURCHASE)),
    signature: signed.signature,
  };
}

export function getTicketTransferSignatureSet(
  cs: CachedBeaconState,
  signed: SignedTicketTransfer,
  ownerPubkey: Uint8Array,
): SignatureSet {
  return {
    kind: "ticket_transfer",
    type: "single",
    pubkey: cs.caches.pubkeys.get(ownerPubkey),
    signingRoot: computeSigningRoot(TicketTransfer, signed.message, getDomain(cs, DOMAIN_TICKET_TRANSFER)),
    signature: signed.signature,
  };
}

export function getTicketBidSignatureSet(
  cs: CachedBeaconState,
  signed: SignedTicketBid,
  buyerPubkey: Uint8Array,
): SignatureSet {
  return {
    kind: "ticket_bid",
    type: "single",
    pubkey: cs.caches.pubkeys.get(buyerPubkey),
    signingRoot: computeSigningRoot(TicketBid, signed.message, getDomain(cs, DOMAIN_TICKET_BID)),
    signature: signed.signature,
  };
}

/** Signed by the pooled ticket's owner. */
export function getTicketSellBackSignatureSet(
  cs: CachedBeaconState,
  signed: SignedTicketSellBack,
  ownerPubkey: Uint8Array,
): SignatureSet {
  return {
    kind: "ticket_sell_back",
    type: "single",
    pubkey: cs.caches.pubkeys.get(ownerPubkey),
    signingRoot: computeSigningRoot(TicketSellBack, signed.message, getDomain(cs, DOMAIN_TICKET_SELL_BACK)),
    signature: signed.signature,
  };
}

/** Signed by the assigned ticket's owner, or by the beacon proposer for a self-built payload. */
export function getPayloadCommitmentSignatureSet(
  cs: CachedBeaconState,
  commitment: Commitment,
  signature: Uint8Array,
  signerPubkey: Uint8Array,
): SignatureSet {
  const domain = getDomain(cs, DOMAIN_PAYLOAD_COMMITMENT, computeEpochAtSlot(cs.ctx, commitment.slot));
  return {
    kind: "payload_commitment",
    type: "single",
    pubkey: cs.caches.pubkeys.get(signerPubkey),
    signingRoot: computeSigningRoot(ExecutionPayloadCommitment, commitment, domain),
    signature,
  };
}

export function getIndexedPayloadAttestationSignatureSet(
  cs: CachedBeaconState,
  indexed: IndexedPayloadAttestation,
): SignatureSet {
  const domain = getDomain(cs, DOMAIN_PTC_ATTESTER, computeEpochAtSlot(cs.ctx, indexed.data.slot));
  return {
    kind: "payload_attestation",
    type: "aggregate",
    pubkeys: indexed.attesting_indices.map((i) => cs.caches.pubkeys.index2pubkey[i]),
    signingRoot: computeSigningRoot(PayloadAttestationData, indexed.data, domain),
    signature: indexed.signature,
  };
}

export function getExecutionPayloadEnvelopeSignatureSet(
  cs: CachedBeaconState,
  signed: SignedExecutionPayloadEnvelope,
  signerPubkey: Uint8Array,
): SignatureSet {
  const domain = getDomain(cs, DOMAIN_PAYLOAD_ENVELOPE, computeEpochAtSlot(cs.ctx, signed.message.slot));
  return {
    kind: "execution_payload_envelope",
    type: "single",
    pubkey: cs.caches.pubkeys.get(signerPubkey),
    signingRoot: computeSigningRoot(cs.ctx.ssz.ExecutionPayloadEnvelope, signed.message, domain),
    signature: signed.signature,
  };
}
export * from "./holderMarket.ts";
export * from "./inclusionList.ts";
