import type { Type } from "@chainsafe/ssz";
import type {
  AttesterSlashing,
  HolderSlashing,
  PayloadAttestationMessage,
  ProposerSlashing,
  SignedBeaconBlock,
  SignedExecutionPayloadCommitment,
  SignedExecutionPayloadEnvelope,
  SignedInclusionList,
  SignedTicketBid,
  SignedTicketFill,
  SignedTicketOffer,
  SignedTicketPurchase,
  SignedTicketSellBack,
  SignedTicketTransfer,
  SignedVoluntaryExit,
  SingleAttestation,
  SszTypes,
} from "@turnstile/ticket-state";
import { GossipError, GossipErrorCode } from "../errors.ts";

/** The gossip topics of DESIGN.md §7, and the payload each carries. */
export interface GossipMessageTypes {
  beacon_block: SignedBeaconBlock;
  beacon_attestation: SingleAttestation;
  execution_payload_commitment: SignedExecutionPayloadCommitment;
  execution_payload: SignedExecutionPayloadEnvelope;
  payload_attestation_message: PayloadAttestationMessage;
  ticket_purchase: SignedTicketPurchase;
  ticket_transfer: SignedTicketTransfer;
  proposer_slashing: ProposerSlashing;
  attester_slashing: AttesterSlashing;
  voluntary_exit: SignedVoluntaryExit;
  /** Inclusion lists: the next slot's proposer lists transactions its payload must carry. */
  inclusion_list: SignedInclusionList;
  /** Ticket market (opt-in pricing rules): a sealed bid in the open ticket auction. */
  ticket_bid: SignedTicketBid;
  /** A pooled ticket sold back to the bonding curve. */
  ticket_sell_back: SignedTicketSellBack;
  /** A seller's signed offer of a ticket at a price (the secondary market's order books; not consensus). */
  ticket_offer: SignedTicketOffer;
  /** A buyer's fill of a seller's signed offer (the secondary market). */
  ticket_fill: SignedTicketFill;
  /** Evidence that a ticket holder signed two commitments for one slot (its collateral is slashed). */
  holder_slashing: HolderSlashing;
  /** A user's signed execution transaction (RLP, as `eth_sendRawTransaction` takes it), for the peers' mempools. */
  transaction: Uint8Array;
}
export type GossipTopicName = keyof GossipMessageTypes;

export const GOSSIP_TOPIC_NAMES: readonly GossipTopicName[] = [
  "beacon_block",
  "beacon_attestation",
  "execution_payload_commitment",
  "execution_payload",
  "payload_attestation_message",
  "ticket_purchase",
  "ticket_transfer",
  "proposer_slashing",
  "attester_slashing",
  "voluntary_exit",
  "inclusion_list",
  "ticket_bid",
  "ticket_sell_back",
  "ticket_offer",
  "ticket_fill",
  "holder_slashing",
  "transaction",
];

/** The SSZ type of each topic's payload, for the chain's preset. */
export function getGossipTypes(ssz: SszTypes): { [K in GossipTopicName]: Type<GossipMessageTypes[K]> } {
  return {
    beacon_block: ssz.SignedBeaconBlock,
    beacon_attestation: ssz.SingleAttestation,
    execution_payload_commitment: ssz.SignedExecutionPayloadCommitment,
    execution_payload: ssz.SignedExecutionPayloadEnvelope,
    payload_attestation_message: ssz.PayloadAttestationMessage,
    ticket_purchase: ssz.SignedTicketPurchase,
    ticket_transfer: ssz.SignedTicketTransfer,
    proposer_slashing: ssz.ProposerSlashing,
    attester_slashing: ssz.AttesterSlashing,
    voluntary_exit: ssz.SignedVoluntaryExit,
    inclusion_list: ssz.SignedInclusionList,
    ticket_bid: ssz.SignedTicketBid,
    ticket_sell_back: ssz.SignedTicketSellBack,
    ticket_offer: ssz.SignedTicketOffer,
    ticket_fill: ssz.SignedTicketFill,
    holder_slashing: ssz.HolderSlashing,
    transaction: ssz.Transaction,
  };
}

export const GOSSIP_ENCODING = "ssz_snappy";

/** `/eth2/{fork_digest hex, no 0x}/{name}/ssz_snappy`. */
export function gossipTopicString(forkDigest: Uint8Array, name: GossipTopicName): string {
  return `/eth2/${Buffer.from(forkDigest).toString("hex")}/${name}/${GOSSIP_ENCODING}`;
}

/** The topic name of a topic string for `forkDigest`, or null if it is not one of ours. */
export function parseGossipTopic(forkDigest: Uint8Array, topic: string): GossipTopicName | null {
  const prefix = `/eth2/${Buffer.from(forkDigest).toString("hex")}/`;
  const suffix = `/${GOSSIP_ENCODING}`;
  if (!topic.startsWith(prefix) || !topic.endsWith(suffix)) return null;
  const name = topic.slice(prefix.length, topic.length - suffix.length);
  return (GOSSIP_TOPIC_NAMES as readonly string[]).includes(name) ? (name as GossipTopicName) : null;
}

export function assertGossipTopicName(name: string): asserts name is GossipTopicName {
  if (!(GOSSIP_TOPIC_NAMES as readonly string[]).includes(name)) {
    throw new GossipError(GossipErrorCode.UNKNOWN_TOPIC, `unknown gossip topic ${name}`, { name });
  }
}
