import {
  BitListType,
  BitVectorType,
  BooleanType,
  ByteListType,
  ByteVectorType,
  ContainerNodeStructType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  ListUintNum64Type,
  UintBigintType,
  UintNumberType,
  VectorBasicType,
  VectorCompositeType,
} from "@chainsafe/ssz";
import { JUSTIFICATION_BITS_LENGTH } from "../params/constants.ts";
import type { Preset } from "../params/presets.ts";

// Primitive types, shared by every preset
export const Boolean = new BooleanType();
export const Byte = new UintNumberType(1);
export const Bytes4 = new ByteVectorType(4);
export const Bytes20 = new ByteVectorType(20);
export const Bytes32 = new ByteVectorType(32);
export const Bytes48 = new ByteVectorType(48);
export const Bytes96 = new ByteVectorType(96);
export const Uint8 = new UintNumberType(1);
/** uint64 as a JS number; 2^64-1 (FAR_FUTURE_EPOCH, SELF_BUILD_TICKET_ID) reads back as Infinity. */
export const Uint64 = new UintNumberType(8, { clipInfinity: true });
export const Uint256 = new UintBigintType(32);
export const Slot = Uint64;
export const Epoch = Uint64;
export const CommitteeIndex = Uint64;
export const ValidatorIndex = Uint64;
export const BuyerIndex = Uint64;
export const TicketId = Uint64;
export const Gwei = Uint64;
export const Root = Bytes32;
export const Hash32 = Bytes32;
export const Version = Bytes4;
export const DomainType = Bytes4;
export const ForkDigest = Bytes4;
export const Domain = Bytes32;
export const BLSPubkey = Bytes48;
export const BLSSignature = Bytes96;
export const ExecutionAddress = Bytes20;
export const ParticipationFlags = Uint8;

// Preset-independent containers
export const Fork = new ContainerType(
  { previous_version: Version, current_version: Version, epoch: Epoch },
  { typeName: "Fork" },
);
export const ForkData = new ContainerType(
  { current_version: Version, genesis_validators_root: Root },
  { typeName: "ForkData" },
);
export const Checkpoint = new ContainerType({ epoch: Epoch, root: Root }, { typeName: "Checkpoint" });
export const SigningData = new ContainerType({ object_root: Root, domain: Domain }, { typeName: "SigningData" });
/** Tree-backed with a struct node: the registry is read field-by-field in every epoch transition. */
export const Validator = new ContainerNodeStructType(
  {
    pubkey: BLSPubkey,
    withdrawal_credentials: Bytes32,
    effective_balance: Gwei,
    slashed: Boolean,
    activation_eligibility_epoch: Epoch,
    activation_epoch: Epoch,
    exit_epoch: Epoch,
    withdrawable_epoch: Epoch,
  },
  { typeName: "Validator" },
);
export const AttestationData = new ContainerType(
  {
    slot: Slot,
    /** Payload vote (as in Gloas): for a block of an earlier slot 1 = FULL, 0 = EMPTY; same-slot votes carry 0. */
    index: CommitteeIndex,
    beacon_block_root: Root,
    source: Checkpoint,
    target: Checkpoint,
  },
  { typeName: "AttestationData" },
);
export const BeaconBlockHeader = new ContainerType(
  { slot: Slot, proposer_index: ValidatorIndex, parent_root: Root, state_root: Root, body_root: Root },
  { typeName: "BeaconBlockHeader" },
);
export const SignedBeaconBlockHeader = new ContainerType(
  { message: BeaconBlockHeader, signature: BLSSignature },
  { typeName: "SignedBeaconBlockHeader" },
);
export const ProposerSlashing = new ContainerType(
  { signed_header_1: SignedBeaconBlockHeader, signed_header_2: SignedBeaconBlockHeader },
  { typeName: "ProposerSlashing" },
);
export const VoluntaryExit = new ContainerType(
  { epoch: Epoch, validator_index: ValidatorIndex },
  { typeName: "VoluntaryExit" },
);
export const SignedVoluntaryExit = new ContainerType(
  { message: VoluntaryExit, signature: BLSSignature },
  { typeName: "SignedVoluntaryExit" },
);
export const SingleAttestation = new ContainerType(
  { committee_index: CommitteeIndex, attester_index: ValidatorIndex, data: AttestationData, signature: BLSSignature },
  { typeName: "SingleAttestation" },
);
export const PayloadAttestationData = new ContainerType(
  { beacon_block_root: Root, slot: Slot, payload_present: Boolean, blob_data_available: Boolean },
  { typeName: "PayloadAttestationData" },
);
export const PayloadAttestationMessage = new ContainerType(
  { validator_index: ValidatorIndex, data: PayloadAttestationData, signature: BLSSignature },
  { typeName: "PayloadAttestationMessage" },
);

// Execution Tickets: accounts, tickets and their operations
export const Buyer = new ContainerType({ pubkey: BLSPubkey, balance: Gwei, nonce: Uint64 }, { typeName: "Buyer" });
/**
 * `collateral`: Gwei the holder posted with the purchase (TICKET_COLLATERAL), held until the
 * ticket's slot is settled. `nonce`: bumped on every change of owner, so that an offer signed
 * for one ownership can never be filled in another (see `process_ticket_fill`).
 */
export const ExecutionTicket = new ContainerType(
  { ticket_id: TicketId, owner: BuyerIndex, purchase_slot: Slot, price: Gwei, collateral: Gwei, nonce: Uint64 },
  { typeName: "ExecutionTicket" },
);
/** The ticket drawn for `slot`; `ticket.ticket_id == SELF_BUILD_TICKET_ID` when the pool was empty. */
export const TicketAssignment = new ContainerType(
  { slot: Slot, ticket: ExecutionTicket },
  { typeName: "TicketAssignment" },
);
export const TicketPurchase = new ContainerType(
  { buyer_index: BuyerIndex, nonce: Uint64, count: Uint64, max_price: Gwei },
  { typeName: "TicketPurchase" },
);
export const SignedTicketPurchase = new ContainerType(
  { message: TicketPurchase, signature: BLSSignature },
  { typeName: "SignedTicketPurchase" },
);
export const TicketTransfer = new ContainerType(
  { ticket_id: TicketId, from: BuyerIndex, to: BuyerIndex, nonce: Uint64 },
  { typeName: "TicketTransfer" },
);
export const SignedTicketTransfer = new ContainerType(
  { message: TicketTransfer, signature: BLSSignature },
  { typeName: "SignedTicketTransfer" },
);
/** A sealed bid in a ticket auction: `count` tickets at up to `bid_price` each, escrowed at inclusion. */
export const TicketBid = new ContainerType(
  { buyer_index: BuyerIndex, nonce: Uint64, count: Uint64, bid_price: Gwei, auction_slot: Slot },
  { typeName: "TicketBid" },
);
export const SignedTicketBid = new ContainerType(
  { message: TicketBid, signature: BLSSignature },
  { typeName: "SignedTicketBid" },
);
/** A pooled ticket sold back to the protocol at the bonding curve's price, paying at least `min_price`. */
export const TicketSellBack = new ContainerType(
  { ticket_id: TicketId, owner: BuyerIndex, nonce: Uint64, min_price: Gwei },
  { typeName: "TicketSellBack" },
);
export const SignedTicketSellBack = new ContainerType(
  { message: TicketSellBack, signature: BLSSignature },
  { typeName: "SignedTicketSellBack" },
);
/** A seller's standing offer: its ticket, as of ownership `ticket_nonce`, for `price` Gwei until `expiry_slot`. */
export const TicketOffer = new ContainerType(
  { ticket_id: TicketId, ticket_nonce: Uint64, seller: BuyerIndex, price: Gwei, expiry_slot: Slot },
  { typeName: "TicketOffer" },
);
export const SignedTicketOffer = new ContainerType(
  { message: TicketOffer, signature: BLSSignature },
  { typeName: "SignedTicketOffer" },
);
/** A buyer takes a signed offer: settled atomically (ticket to the buyer, price to the seller). */
export const TicketFill = new ContainerType(
  { offer: SignedTicketOffer, buyer: BuyerIndex },
  { typeName: "TicketFill" },
);
export const SignedTicketFill = new ContainerType(
  { message: TicketFill, signature: BLSSignature },
  { typeName: "SignedTicketFill" },
);
/** Collateral of a settled ticket, held until no holder slashing for its slot can still be included. */
export const PendingCollateral = new ContainerType(
  { ticket_id: TicketId, owner: BuyerIndex, slot: Slot, amount: Gwei },
  { typeName: "PendingCollateral" },
);
export const ExecutionPayloadCommitment = new ContainerType(
  {
    slot: Slot,
    ticket_id: TicketId,
    parent_block_hash: Hash32,
    parent_block_root: Root,
    block_hash: Hash32,
    /** The RANDAO mix before this block's reveal: a holder commits before it knows the reveal (as Gloas bids do). */
    prev_randao: Bytes32,
    fee_recipient: ExecutionAddress,
    gas_limit: Uint64,
  },
  { typeName: "ExecutionPayloadCommitment" },
);
export const SignedExecutionPayloadCommitment = new ContainerType(
  { message: ExecutionPayloadCommitment, signature: BLSSignature },
  { typeName: "SignedExecutionPayloadCommitment" },
);
/** Evidence that a ticket holder signed two different commitments for the same slot. */
export const HolderSlashing = new ContainerType(
  { signed_commitment_1: SignedExecutionPayloadCommitment, signed_commitment_2: SignedExecutionPayloadCommitment },
  { typeName: "HolderSlashing" },
);

/** Every SSZ type whose shape depends on the preset. */
export function createPresetTypes(p: Preset) {
  const MAX_ATTESTERS = p.MAX_VALIDATORS_PER_COMMITTEE * p.MAX_COMMITTEES_PER_SLOT;

  const IndexedAttestation = new ContainerType(
    {
      attesting_indices: new ListBasicType(ValidatorIndex, MAX_ATTESTERS),
      data: AttestationData,
      signature: BLSSignature,
    },
    { typeName: "IndexedAttestation" },
  );
  const AttesterSlashing = new ContainerType(
    { attestation_1: IndexedAttestation, attestation_2: IndexedAttestation },
    { typeName: "AttesterSlashing" },
  );
  /** Electra's shape: one aggregate may cover several committees of a slot. */
  const Attestation = new ContainerType(
    {
      aggregation_bits: new BitListType(MAX_ATTESTERS),
      data: AttestationData,
      signature: BLSSignature,
      committee_bits: new BitVectorType(p.MAX_COMMITTEES_PER_SLOT),
    },
    { typeName: "Attestation" },
  );
  const PayloadAttestation = new ContainerType(
    { aggregation_bits: new BitVectorType(p.PTC_SIZE), data: PayloadAttestationData, signature: BLSSignature },
    { typeName: "PayloadAttestation" },
  );
  const IndexedPayloadAttestation = new ContainerType(
    {
      attesting_indices: new ListBasicType(ValidatorIndex, p.PTC_SIZE),
      data: PayloadAttestationData,
      signature: BLSSignature,
    },
    { typeName: "IndexedPayloadAttestation" },
  );
  const Transaction = new ByteListType(p.MAX_BYTES_PER_TRANSACTION);
  /** Bellatrix's container, unchanged. */
  const ExecutionPayload = new ContainerType(
    {
      parent_hash: Hash32,
      fee_recipient: ExecutionAddress,
      state_root: Bytes32,
      receipts_root: Bytes32,
      logs_bloom: new ByteVectorType(p.BYTES_PER_LOGS_BLOOM),
      prev_randao: Bytes32,
      block_number: Uint64,
      gas_limit: Uint64,
      gas_used: Uint64,
      timestamp: Uint64,
      extra_data: new ByteListType(p.MAX_EXTRA_DATA_BYTES),
      base_fee_per_gas: Uint256,
      block_hash: Hash32,
      transactions: new ListCompositeType(Transaction, p.MAX_TRANSACTIONS_PER_PAYLOAD),
    },
    { typeName: "ExecutionPayload" },
  );
  /** Transactions the payload of `slot` must contain when they are valid on it and fit (inclusion lists). */
  const InclusionList = new ContainerType(
    {
      slot: Slot,
      proposer_index: ValidatorIndex,
      transactions: new ListCompositeType(Transaction, p.MAX_TRANSACTIONS_PER_INCLUSION_LIST),
    },
    { typeName: "InclusionList" },
  );
  const SignedInclusionList = new ContainerType(
    { message: InclusionList, signature: BLSSignature },
    { typeName: "SignedInclusionList" },
  );
  const ExecutionPayloadEnvelope = new ContainerType(
    {
      payload: ExecutionPayload,
      beacon_block_root: Root,
      slot: Slot,
      ticket_id: TicketId,
      state_root: Root,
    },
    { typeName: "ExecutionPayloadEnvelope" },
  );
  const SignedExecutionPayloadEnvelope = new ContainerType(
    { message: ExecutionPayloadEnvelope, signature: BLSSignature },
    { typeName: "SignedExecutionPayloadEnvelope" },
  );
  const BeaconBlockBody = new ContainerType(
    {
      randao_reveal: BLSSignature,
      graffiti: Bytes32,
      proposer_slashings: new ListCompositeType(ProposerSlashing, p.MAX_PROPOSER_SLASHINGS),
      attester_slashings: new ListCompositeType(AttesterSlashing, p.MAX_ATTESTER_SLASHINGS),
      attestations: new ListCompositeType(Attestation, p.MAX_ATTESTATIONS),
      voluntary_exits: new ListCompositeType(SignedVoluntaryExit, p.MAX_VOLUNTARY_EXITS),
      ticket_purchases: new ListCompositeType(SignedTicketPurchase, p.MAX_TICKET_PURCHASES),
      ticket_transfers: new ListCompositeType(SignedTicketTransfer, p.MAX_TICKET_TRANSFERS),
      signed_payload_commitment: SignedExecutionPayloadCommitment,
      payload_attestations: new ListCompositeType(PayloadAttestation, p.MAX_PAYLOAD_ATTESTATIONS),
      ticket_bids: new ListCompositeType(SignedTicketBid, p.MAX_TICKET_BIDS),
      ticket_fills: new ListCompositeType(SignedTicketFill, p.MAX_TICKET_FILLS),
      holder_slashings: new ListCompositeType(HolderSlashing, p.MAX_HOLDER_SLASHINGS),
      ticket_sell_backs: new ListCompositeType(SignedTicketSellBack, p.MAX_TICKET_SELL_BACKS),
    },
    { typeName: "BeaconBlockBody" },
  );
  const BeaconBlock = new ContainerType(
    {
      slot: Slot,
      proposer_index: ValidatorIndex,
      parent_root: Root,
      state_root: Root,
      body: BeaconBlockBody,
    },
    { typeName: "BeaconBlock" },
  );
  const SignedBeaconBlock = new ContainerType(
    { message: BeaconBlock, signature: BLSSignature },
    { typeName: "SignedBeaconBlock" },
  );
  const BeaconState = new ContainerType(
    {
      // Versioning
      genesis_time: Uint64,
      genesis_validators_root: Root,
      slot: Slot,
      fork: Fork,
      // History
      latest_block_header: BeaconBlockHeader,
      block_roots: new VectorCompositeType(Root, p.SLOTS_PER_HISTORICAL_ROOT),
      state_roots: new VectorCompositeType(Root, p.SLOTS_PER_HISTORICAL_ROOT),
      // Registry
      validators: new ListCompositeType(Validator, p.VALIDATOR_REGISTRY_LIMIT),
      balances: new ListUintNum64Type(p.VALIDATOR_REGISTRY_LIMIT),
      // Randomness
      randao_mixes: new VectorCompositeType(Bytes32, p.EPOCHS_PER_HISTORICAL_VECTOR),
      // Slashings
      slashings: new VectorBasicType(Gwei, p.EPOCHS_PER_SLASHINGS_VECTOR),
      // Participation
      previous_epoch_participation: new ListBasicType(ParticipationFlags, p.VALIDATOR_REGISTRY_LIMIT),
      current_epoch_participation: new ListBasicType(ParticipationFlags, p.VALIDATOR_REGISTRY_LIMIT),
      // Finality
      justification_bits: new BitVectorType(JUSTIFICATION_BITS_LENGTH),
      previous_justified_checkpoint: Checkpoint,
      current_justified_checkpoint: Checkpoint,
      finalized_checkpoint: Checkpoint,
      // Inactivity
      inactivity_scores: new ListUintNum64Type(p.VALIDATOR_REGISTRY_LIMIT),
      // Execution Tickets market
      buyers: new ListCompositeType(Buyer, p.BUYER_REGISTRY_LIMIT),
      ticket_pool: new ListCompositeType(ExecutionTicket, p.TICKET_POOL_LIMIT),
      ticket_assignments: new VectorCompositeType(TicketAssignment, p.TICKET_LOOKAHEAD_SLOTS + 1),
      ticket_price: Gwei,
      next_ticket_id: TicketId,
      tickets_sold_in_slot: Uint64,
      ticket_revenue: Gwei,
      // Payload separation
      latest_payload_commitment: ExecutionPayloadCommitment,
      latest_block_hash: Hash32,
      execution_payload_availability: new BitVectorType(p.SLOTS_PER_HISTORICAL_ROOT),
      // Ticket auctions: the open auction's bids, in inclusion order, each escrowed
      ticket_bids: new ListCompositeType(TicketBid, p.TICKET_BID_BOOK_LIMIT),
      // Holder collateral: settled tickets' collateral, released after COLLATERAL_RELEASE_DELAY_SLOTS
      pending_collateral: new ListCompositeType(PendingCollateral, p.COLLATERAL_RELEASE_DELAY_SLOTS),
      // pi_pool_target: the pool size its previous step saw (the controller's velocity form needs no signed integral)
      ticket_pricing_previous_pool_size: Uint64,
      // bonding_curve: outstanding tickets (pooled + drawn but not settled) and the reserve backing them
      ticket_curve_supply: Uint64,
      ticket_curve_reserve: Gwei,
    },
    { typeName: "BeaconState" },
  );

  return {
    IndexedAttestation,
    AttesterSlashing,
    Attestation,
    PayloadAttestation,
    IndexedPayloadAttestation,
    Transaction,
    ExecutionPayload,
    InclusionList,
    SignedInclusionList,
    ExecutionPayloadEnvelope,
    SignedExecutionPayloadEnvelope,
    BeaconBlockBody,
    BeaconBlock,
    SignedBeaconBlock,
    BeaconState,
  };
}

export const sharedTypes = {
  Fork,
  ForkData,
  Checkpoint,
  SigningData,
  Validator,
  AttestationData,
  BeaconBlockHeader,
  SignedBeaconBlockHeader,
  ProposerSlashing,
  VoluntaryExit,
  SignedVoluntaryExit,
  SingleAttestation,
  PayloadAttestationData,
  PayloadAttestationMessage,
  Buyer,
  ExecutionTicket,
  TicketAssignment,
  TicketPurchase,
  SignedTicketPurchase,
  TicketTransfer,
  SignedTicketTransfer,
  TicketBid,
  SignedTicketBid,
  TicketSellBack,
  SignedTicketSellBack,
  ExecutionPayloadCommitment,
  SignedExecutionPayloadCommitment,
  TicketOffer,
  SignedTicketOffer,
  TicketFill,
  SignedTicketFill,
  PendingCollateral,
  HolderSlashing,
};

export type PresetTypes = ReturnType<typeof createPresetTypes>;
export type SszTypes = typeof sharedTypes & PresetTypes;

const cache = new Map<Preset, SszTypes>();
/** The full type set for a preset; built once per preset object. */
export function getSszTypes(preset: Preset): SszTypes {
  let types = cache.get(preset);
  if (!types) {
    types = { ...sharedTypes, ...createPresetTypes(preset) };
    cache.set(preset, types);
  }
  return types;
}
