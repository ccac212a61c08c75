import type { CompositeViewDU, ValueOf } from "@chainsafe/ssz";
import type { PresetTypes, sharedTypes } from "./sszTypes.ts";

export { BitArray } from "@chainsafe/ssz";
export * as sszTypes from "./sszTypes.ts";
export { getSszTypes, type SszTypes } from "./sszTypes.ts";

type S = typeof sharedTypes;
type P = PresetTypes;

// TypeScript types derived from the SSZ declarations: declared once, never written twice by hand.
export type Fork = ValueOf<S["Fork"]>;
export type Checkpoint = ValueOf<S["Checkpoint"]>;
export type Validator = ValueOf<S["Validator"]>;
export type AttestationData = ValueOf<S["AttestationData"]>;
export type BeaconBlockHeader = ValueOf<S["BeaconBlockHeader"]>;
export type SignedBeaconBlockHeader = ValueOf<S["SignedBeaconBlockHeader"]>;
export type ProposerSlashing = ValueOf<S["ProposerSlashing"]>;
export type VoluntaryExit = ValueOf<S["VoluntaryExit"]>;
export type SignedVoluntaryExit = ValueOf<S["SignedVoluntaryExit"]>;
export type SingleAttestation = ValueOf<S["SingleAttestation"]>;
export type PayloadAttestationData = ValueOf<S["PayloadAttestationData"]>;
export type PayloadAttestationMessage = ValueOf<S["PayloadAttestationMessage"]>;
export type Buyer = ValueOf<S["Buyer"]>;
export type ExecutionTicket = ValueOf<S["ExecutionTicket"]>;
export type TicketAssignment = ValueOf<S["TicketAssignment"]>;
export type TicketPurchase = ValueOf<S["TicketPurchase"]>;
export type SignedTicketPurchase = ValueOf<S["SignedTicketPurchase"]>;
export type TicketTransfer = ValueOf<S["TicketTransfer"]>;
export type SignedTicketTransfer = ValueOf<S["SignedTicketTransfer"]>;
export type TicketBid = ValueOf<S["TicketBid"]>;
export type SignedTicketBid = ValueOf<S["SignedTicketBid"]>;
export type TicketSellBack = ValueOf<S["TicketSellBack"]>;
export type SignedTicketSellBack = ValueOf<S["SignedTicketSellBack"]>;
export type ExecutionPayloadCommitment = ValueOf<S["ExecutionPayloadCommitment"]>;
export type SignedExecutionPayloadCommitment = ValueOf<S["SignedExecutionPayloadCommitment"]>;
export type TicketOffer = ValueOf<S["TicketOffer"]>;
export type SignedTicketOffer = ValueOf<S["SignedTicketOffer"]>;
export type TicketFill = ValueOf<S["TicketFill"]>;
export type SignedTicketFill = ValueOf<S["SignedTicketFill"]>;
export type PendingCollateral = ValueOf<S["PendingCollateral"]>;
export type HolderSlashing = ValueOf<S["HolderSlashing"]>;
export type IndexedAttestation = ValueOf<P["IndexedAttestation"]>;
export type AttesterSlashing = ValueOf<P["AttesterSlashing"]>;
export type Attestation = ValueOf<P["Attestation"]>;
export type PayloadAttestation = ValueOf<P["PayloadAttestation"]>;
export type IndexedPayloadAttestation = ValueOf<P["IndexedPayloadAttestation"]>;
export type ExecutionPayload = ValueOf<P["ExecutionPayload"]>;
export type InclusionList = ValueOf<P["InclusionList"]>;
export type SignedInclusionList = ValueOf<P["SignedInclusionList"]>;
export type ExecutionPayloadEnvelope = ValueOf<P["ExecutionPayloadEnvelope"]>;
export type SignedExecutionPayloadEnvelope = ValueOf<P["SignedExecutionPayloadEnvelope"]>;
export type BeaconBlockBody = ValueOf<P["BeaconBlockBody"]>;
export type BeaconBlock = ValueOf<P["BeaconBlock"]>;
export type SignedBeaconBlock = ValueOf<P["SignedBeaconBlock"]>;
export type BeaconState = ValueOf<P["BeaconState"]>;
/** The tree-backed state: mutations are recorded and hashed incrementally on `commit()`. */
export type BeaconStateView = CompositeViewDU<P["BeaconState"]>;
