import { BitVectorType, ByteListType, ContainerType, ListCompositeType, type ValueOf } from "@chainsafe/ssz";
import { sszTypes } from "@turnstile/ticket-state";
import {
  ATTESTATION_SUBNET_COUNT,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_REQUEST_BLOCKS,
  MAX_REQUEST_PAYLOADS,
} from "./constants.ts";

// Req/resp messages of the consensus p2p spec, declared once; fields in protocol order.
const { Epoch, ForkDigest, Root, Slot, Uint64 } = sszTypes;

export const Status = new ContainerType(
  { fork_digest: ForkDigest, finalized_root: Root, finalized_epoch: Epoch, head_root: Root, head_slot: Slot },
  { typeName: "Status", jsonCase: "eth2" },
);
/** Goodbye reason: a single uint64 field, so encoded as the bare uint64. */
export const Goodbye = Uint64;
/** Ping: the sender's MetaData.seq_number, a bare uint64. */
export const Ping = Uint64;
export const Metadata = new ContainerType(
  { seq_number: Uint64, attnets: new BitVectorType(ATTESTATION_SUBNET_COUNT) },
  { typeName: "Metadata", jsonCase: "eth2" },
);
export const BeaconBlocksByRangeRequest = new ContainerType(
  { start_slot: Slot, count: Uint64, step: Uint64 },
  { typeName: "BeaconBlocksByRangeRequest", jsonCase: "eth2" },
);
/** A list of block roots, encoded as the bare list. */
export const BeaconBlocksByRootRequest = new ListCompositeType(Root, MAX_REQUEST_BLOCKS);
export const ExecutionPayloadEnvelopesByRangeRequest = new ContainerType(
  { start_slot: Slot, count: Uint64 },
  { typeName: "ExecutionPayloadEnvelopesByRangeRequest", jsonCase: "eth2" },
);
/** Beacon block roots whose envelopes are wanted, encoded as the bare list. */
export const ExecutionPayloadEnvelopesByRootRequest = new ListCompositeType(Root, MAX_REQUEST_PAYLOADS);
/** `error_message: List[byte, 256]`, encoded as the bare byte list. */
export const ErrorMessage = new ByteListType(MAX_ERROR_MESSAGE_LENGTH);

export type Status = ValueOf<typeof Status>;
export type Metadata = ValueOf<typeof Metadata>;
export type BeaconBlocksByRangeRequest = ValueOf<typeof BeaconBlocksByRangeRequest>;
export type ExecutionPayloadEnvelopesByRangeRequest = ValueOf<typeof ExecutionPayloadEnvelopesByRangeRequest>;
