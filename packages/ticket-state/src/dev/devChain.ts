import type { SecretKey } from "@chainsafe/blst";
import { BitArray } from "@chainsafe/ssz";
import { getIndexedPayloadAttestation } from "../block/processPayloadAttestation.ts";
import { interopBuyerSecretKey, interopSecretKey } from "../bls/interop.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { ChainContext } from "../config/chainContext.ts";
import { DeterministicExecutionEngine } from "../engine/deterministicEngine.ts";
import { createGenesisState } from "../genesis/createGenesisState.ts";
import {
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_PAYLOAD_ENVELOPE,
  DOMAIN_PTC_ATTESTER,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  DOMAIN_VOLUNTARY_EXIT,
  ZERO_HASH,
} from "../params/constants.ts";
import { buildCommitment } from "../produce/buildCommitment.ts";
import { computeEnvelopeStateRoot } from "../produce/computeStateRoots.ts";
import { produceBlock } from "../produce/produceBlock.ts";
import { signPayloadCommitment, signTicketFill, signTicketOffer } from "../produce/signHolderMarket.ts";
import { signTicketBid } from "../produce/signTicketBid.ts";
import { processSlots } from "../slot/processSlots.ts";
import { processSlotsCopy, stateTransition, stateTransitionEnvelope } from "../stateTransition.ts";
import { computeOpenAuctionSlot } from "../tickets/auctionSchedule.ts";
import { getTicketAssignment, isSelfBuild } from "../tickets/ticketAssignment.ts";
import type {
  Attestation,
  AttestationData,
  AttesterSlashing,
  ExecutionPayload,
  ExecutionPayloadCommitment,
  ExecutionPayloadEnvelope,
  ExecutionTicket,
  HolderSlashing,
  IndexedAttestation,
  PayloadAttestation,
  ProposerSlashing,
  SignedBeaconBlock,
  SignedExecutionPayloadCommitment,
  SignedExecutionPayloadEnvelope,
  SignedTicketBid,
  SignedTicketFill,
  SignedTicketOffer,
  SignedTicketPurchase,
  SignedTicketSellBack,
  SignedTicketTransfer,
  SignedVoluntaryExit,
} from "../types/index.ts";
import {
  AttestationData as AttestationDataType,
  BeaconBlockHeader,
  PayloadAttestationData,
  TicketPurchase,
  TicketTransfer,
  VoluntaryExit,
} from "../types/sszTypes.ts";
import { latestBlockRoot } from "../util/blockRoots.ts";
import { bytesEqual as bytesEq, toHex as hexKey } from "../util/bytes.ts";
import { computeEpochAtSlot, computeStartSlotAtEpoch } from "../util/epoch.ts";
import { aggregateSignatureBytes, signObject, signTicketSellBack } from "./signing.ts";

export interface DevChainOptions {
  validatorCount: number;
  buyerCount: number;
  buyerBalance?: number;
  initialTicketsPerBuyer?: number;
  genesisTime?: number;
  /**
   * Verify the BLS signatures of imported blocks and envelopes (default true). Only the market lab
   * turns it off, by an explicit flag: everything is still signed, nothing is checked.
   */
  verifySignatures?: boolean;
  /** Builds and judges payloads (default: a DeterministicExecutionEngine); the lab passes one with its own MEV process. */
  engine?: DeterministicExecutionEngine;
}

/** What the honest (or not) actors do in one slot. Every field has a sensible default. */
export interface SlotPlan {
  /** The beacon proposer is offline: no block this slot. */
  skipBlock?: boolean;
  /** The ticket holder sends no commitment: the proposer must put an empty one. */
  withholdCommitment?: boolean;
  /** The holder commits but never reveals the payload. */
  withholdPayload?: boolean;
  purchases?: SignedTicketPurchase[];
  transfers?: SignedTicketTransfer[];
  /** Ticket auction bids (only under auction pricing); see `signBid`. */
  bids?: SignedTicketBid[];
  /** Secondary-market fills; see `signOffer` and `signFill`. */
  fills?: SignedTicketFill[];
  /** Evidence of equivocating ticket holders; see `holderEquivocation`. */
  holderSlashings?: HolderSlashing[];
  /** Sell-backs to the bonding curve (`bonding_curve` pricing only). */
  sellBacks?: SignedTicketSellBack[];
  proposerSlashings?: ProposerSlashing[];
  attesterSlashings?: AttesterSlashing[];
  voluntaryExits?: SignedVoluntaryExit[];
  /** The slot's inclusion list, which the payload's builder (holder or self-builder) honours. */
  inclusionListTransactions?: Uint8Array[];
  /** Gas limit of the slot's payload (default `DEFAULT_GAS_LIMIT`). */
  gasLimit?: number;
  /** Include last slot's attestations (default true). */
  attest?: boolean;
  /** Throw when a planned operation does not apply (default true); false drops it, as a proposer would. */
  strict?: boolean;
}

export interface SlotResult {
  slot: number;
  block: SignedBeaconBlock | null;
  envelope: SignedExecutionPayloadEnvelope | null;
}

/**
 * A whole in-process chain with interop keys: every validator attests, every PTC member votes,
 * ticket holders commit and reveal, and every block and envelope goes through the full state
 * transition with signatures verified. Used by tests, benchmarks and the `simulate` command.
 */
export class DevChain {
  readonly ctx: ChainContext;
  readonly engine: DeterministicExecutionEngine;
  readonly validatorKeys: SecretKey[];
  readonly buyerKeys: SecretKey[];
  /** The head state: post-envelope when the last block's payload was revealed. */
  head: CachedBeaconState;
  headBlockRoot: Uint8Array;
  /** Attestations made during the last slot, included in the next block. */
  private pendingAttestations: Attestation[] = [];
  private pendingPayloadAttestations: PayloadAttestation[] = [];
  private readonly verifySignatures: boolean;

  constructor(ctx: ChainContext, opts: DevChainOptions) {
    this.ctx = ctx;
    this.engine = opts.engine ?? new DeterministicExecutionEngine(ctx);
    this.verifySignatures = opts.verifySignatures ?? true;
    this.validatorKeys = Array.from({ length: opts.validatorCount }, (_, i) => interopSecretKey(i));
    this.buyerKeys = Array.from({ length: opts.buyerCount }, (_, i) => interopBuyerSecretKey(i));
    const genesisTime = opts.genesisTime ?? 0;
    this.engine.genesisPayload(genesisTime);
    this.head = createGenesisState(ctx, {
      genesisTime,
      validatorPubkeys: this.validatorKeys.map((sk) => sk.toPublicKey().toBytes()),
      buyers: this.buyerKeys.map((sk) => ({
        pubkey: sk.toPublicKey().toBytes(),
        balance: opts.buyerBalance ?? 1000 * 10 ** 9,
        initialTickets: opts.initialTicketsPerBuyer ?? 0,
      })),
    });
    this.headBlockRoot = latestBlockRoot(this.head.state);
  }

  get slot(): number {
    return this.head.state.slot;
  }

  signPurchase(buyerIndex: number, count: number, maxPrice: number, nonce?: number): SignedTicketPurchase {
    const message = {
      buyer_index: buyerIndex,
      nonce: nonce ?? this.head.state.buyers.getReadonly(buyerIndex).nonce,
      count,
      max_price: maxPrice,
    };
    const epoch = computeEpochAtSlot(this.ctx, this.head.state.slot + 1);
    const sig = signObject(
      this.head,
      this.buyerKeys[buyerIndex],
      TicketPurchase,
      message,
      DOMAIN_TICKET_PURCHASE,
      epoch,
    );
    return { message, signature: sig };
  }

  signTransfer(ticketId: number, from: number, to: number, nonce?: number, signer = from): SignedTicketTransfer {
    const message = { ticket_id: ticketId, from, to, nonce: nonce ?? this.head.state.buyers.getReadonly(from).nonce };
    const epoch = computeEpochAtSlot(this.ctx, this.head.state.slot + 1);
    const sig = signObject(this.head, this.buyerKeys[signer], TicketTransfer, message, DOMAIN_TICKET_TRANSFER, epoch);
    return { message, signature: sig };
  }

  /** `owner` sells pooled ticket `ticketId` back to the bonding curve for at least `minPrice`. */
  signSellBack(ticketId: number, owner: number, minPrice = 0, nonce?: number, signer = owner): SignedTicketSellBack {
    const message = {
      ticket_id: ticketId,
      owner,
      nonce: nonce ?? this.head.state.buyers.getReadonly(owner).nonce,
      min_price: minPrice,
    };
    const epoch = computeEpochAtSlot(this.ctx, this.head.state.slot + 1);
    return signTicketSellBack(this.head, this.buyerKeys[signer], message, epoch);
  }

  /**
   * A bid of `buyerIndex` for `count` tickets at `bidPrice` each, in the auction open at the next
   * slot (or `auctionSlot`), with the account's current nonce (or `nonce`).
   */
  signBid(buyerIndex: number, count: number, bidPrice: number, auctionSlot?: number, nonce?: number): SignedTicketBid {
    const message = {
      buyer_index: buyerIndex,
      nonce: nonce ?? this.head.state.buyers.getReadonly(buyerIndex).nonce,
      count,
      bid_price: bidPrice,
      auction_slot: auctionSlot ?? computeOpenAuctionSlot(this.ctx, this.head.state.slot + 1),
    };
    return signTicketBid(this.head, this.buyerKeys[buyerIndex], message);
  }

  /**
   * The key of buyer account `index`: an interop buyer key, or, for an account created for a
   * validator granted tickets, that validator's key (the account carries its pubkey).
   */
  buyerKey(index: number, cs: CachedBeaconState = this.head): SecretKey {
    if (index < this.buyerKeys.length) return this.buyerKeys[index];
    const pubkey = cs.state.buyers.getReadonly(index).pubkey;
    const validatorIndex = cs.caches.pubkeys.pubkey2index.get(hexKey(pubkey));
    if (validatorIndex === undefined) throw new Error(`no key known for buyer ${index}`);
    return this.validatorKeys[validatorIndex];
  }

  /** Where ticket `ticketId` is in the head state (pool or assignment ring), or null. */
  findTicket(ticketId: number): ExecutionTicket | null {
    const { state } = this.head;
    for (let i = 0; i < state.ticket_assignments.length; i++) {
      const ticket = state.ticket_assignments.getReadonly(i).ticket;
      if (ticket.ticket_id === ticketId) return ticket.toValue();
    }
    const poolIndex = this.head.caches.tickets.findInPool(state, ticketId);
    return poolIndex >= 0 ? state.ticket_pool.getReadonly(poolIndex).toValue() : null;
  }

  /**
   * An offer of ticket `ticketId` for `price` Gwei until `expirySlot`, by its current owner with
   * the ticket's current nonce unless `opts` says otherwise; signed by `opts.signer` (default the seller).
   */
  signOffer(
    ticketId: number,
    price: number,
    expirySlot: number,
    opts: { seller?: number; ticketNonce?: number; signer?: number } = {},
  ): SignedTicketOffer {
    const ticket = this.findTicket(ticketId);
    const seller = opts.seller ?? ticket?.owner ?? 0;
    const message = {
      ticket_id: ticketId,
      ticket_nonce: opts.ticketNonce ?? ticket?.nonce ?? 0,
      seller,
      price,
      expiry_slot: expirySlot,
    };
    return signTicketOffer(this.head, this.buyerKey(opts.signer ?? seller), message);
  }

  /** `buyer` takes `offer` (signed by `signer`, default the buyer). */
  signFill(offer: SignedTicketOffer, buyer: number, signer = buyer): SignedTicketFill {
    return signTicketFill(this.head, this.buyerKey(signer), { offer, buyer });
  }

  /**
   * The holder of the ticket assigned to `slot` signs two different commitments for it:
   * evidence that slashes its collateral. (The commitments need not build on anything real.)
   */
  holderEquivocation(slot: number): HolderSlashing {
    const ticket = getTicketAssignment(this.ctx, this.head.state, slot);
    const key = this.buyerKey(ticket.owner);
    const commitment = (tag: number): ExecutionPayloadCommitment => ({
      slot,
      ticket_id: ticket.ticket_id,
      parent_block_hash: ZERO_HASH,
      parent_block_root: ZERO_HASH,
      block_hash: new Uint8Array(32).fill(tag),
      prev_randao: ZERO_HASH,
      fee_recipient: new Uint8Array(20),
      gas_limit: 0,
    });
    return {
      signed_commitment_1: signPayloadCommitment(this.head, key, commitment(1)),
      signed_commitment_2: signPayloadCommitment(this.head, key, commitment(2)),
    };
  }

  /** `validatorIndex` asks to exit, as of `epoch` (default: the next slot's epoch). */
  signVoluntaryExit(validatorIndex: number, epoch?: number): SignedVoluntaryExit {
    const message = {
      epoch: epoch ?? computeEpochAtSlot(this.ctx, this.head.state.slot + 1),
      validator_index: validatorIndex,
    };
    const key = this.validatorKeys[validatorIndex];
    return {
      message,
      signature: signObject(this.head, key, VoluntaryExit, message, DOMAIN_VOLUNTARY_EXIT, message.epoch),
    };
  }

  /** `proposer` signs two different headers for `slot`: evidence that slashes it. */
  doubleProposal(proposer: number, slot: number): ProposerSlashing {
    const epoch = computeEpochAtSlot(this.ctx, slot);
    const signed = (tag: number) => {
      const message = {
        slot,
        proposer_index: proposer,
        parent_root: ZERO_HASH,
        state_root: ZERO_HASH,
        body_root: new Uint8Array(32).fill(tag),
      };
      const key = this.validatorKeys[proposer];
      return {
        message,
        signature: signObject(this.head, key, BeaconBlockHeader, message, DOMAIN_BEACON_PROPOSER, epoch),
      };
    };
    return { signed_header_1: signed(1), signed_header_2: signed(2) };
  }

  /** `indices` vote twice for target `epoch` (two block roots): evidence that slashes them all. */
  doubleVote(indices: number[], epoch: number): AttesterSlashing {
    const vote = (tag: number): IndexedAttestation => {
      const data: AttestationData = {
        slot: computeStartSlotAtEpoch(this.ctx, epoch),
        index: 0,
        beacon_block_root: new Uint8Array(32).fill(tag),
        source: { epoch: 0, root: ZERO_HASH },
        target: { epoch, root: new Uint8Array(32).fill(tag) },
      };
      const signatures = indices.map((i) =>
        signObject(this.head, this.validatorKeys[i], AttestationDataType, data, DOMAIN_BEACON_ATTESTER, epoch),
      );
      return {
        attesting_indices: [...indices].sort((a, b) => a - b),
        data,
        signature: aggregateSignatureBytes(signatures),
      };
    };
    return { attestation_1: vote(1), attestation_2: vote(2) };
  }

  /** Build, sign and import the block (and envelope) of the next slot, as `plan` says. */
  advance(plan: SlotPlan = {}): SlotResult {
    const slot = this.head.state.slot + 1;
    // A slashed validator stays in the shuffling until it exits, but any block it makes is invalid
    if (plan.skipBlock || this.proposerIsSlashed(slot)) {
      // Nobody proposes; attesters of this slot vote for the old head (they still attest)
      processSlots(this.head, slot);
      // No block took the earlier votes: they wait for the next one, with this slot's
      if (plan.attest !== false)
        this.pendingAttestations = [...this.pendingAttestations, this.makeAttestation(this.head, slot)];
      this.pendingPayloadAttestations = [];
      return { slot, block: null, envelope: null };
    }
    const signedBlock = this.produceBlock(slot, plan);
    const postBlock = stateTransition(this.head, signedBlock, { verifySignatures: this.verifySignatures });
    const blockRoot = this.ctx.ssz.BeaconBlock.hashTreeRoot(signedBlock.message);
    let envelope: SignedExecutionPayloadEnvelope | null = null;
    let head = postBlock;
    const commitment = signedBlock.message.body.signed_payload_commitment.message;
    if (!isZero(commitment.block_hash) && !plan.withholdPayload) {
      envelope = this.produceEnvelope(postBlock, blockRoot, commitment);
      head = stateTransitionEnvelope(postBlock, envelope, this.engine, { verifySignature: this.verifySignatures });
    }
    this.head = head;
    this.headBlockRoot = blockRoot;
    this.pendingAttestations = plan.attest === false ? [] : [this.makeAttestation(postBlock, slot)];
    this.pendingPayloadAttestations = [this.makePayloadAttestation(postBlock, slot, blockRoot, envelope !== null)];
    return { slot, block: signedBlock, envelope };
  }

  private proposerIsSlashed(slot: number): boolean {
    const sameEpoch = computeEpochAtSlot(this.ctx, slot) === this.head.epochCtx.epoch;
    const epochCtx = sameEpoch ? this.head.epochCtx : processSlotsCopy(this.head, slot).epochCtx;
    return this.head.state.validators.getReadonly(epochCtx.getBeaconProposer(slot)).slashed;
  }

  produceBlock(slot: number, plan: SlotPlan = {}): SignedBeaconBlock {
    const pre = this.head.clone();
    processSlots(pre, slot);
    const proposer = pre.epochCtx.getBeaconProposer(slot);
    const parentRoot = pre.state.latest_block_header.hashTreeRoot();
    // The slot's ticket holder commits ahead of the block, unless the plan has it stay silent
    const ticket = getTicketAssignment(this.ctx, pre.state, slot);
    const commitments: SignedExecutionPayloadCommitment[] = [];
    if (!isSelfBuild(ticket) && !plan.withholdCommitment) {
      const built = buildCommitment(pre, slot, this.buyerKey(ticket.owner, pre), this.engine, {
        inclusionListTransactions: plan.inclusionListTransactions,
        gasLimit: plan.gasLimit,
      });
      commitments.push(built.commitment);
      this.builtPayloads.set(hexKey(built.payload.block_hash), built.payload);
    }
    const produced = produceBlock(this.head, slot, this.validatorKeys[proposer], this.engine, {
      attestations: this.pendingAttestations,
      payloadAttestations: this.pendingPayloadAttestations.filter((p) => bytesEq(p.data.beacon_block_root, parentRoot)),
      purchases: plan.purchases,
      transfers: plan.transfers,
      bids: plan.bids,
      fills: plan.fills,
      holderSlashings: plan.holderSlashings,
      sellBacks: plan.sellBacks,
      proposerSlashings: plan.proposerSlashings,
      attesterSlashings: plan.attesterSlashings,
      voluntaryExits: plan.voluntaryExits,
      inclusionListTransactions: plan.inclusionListTransactions,
      commitments,
    });
    if (produced.selfBuiltPayload) {
      this.builtPayloads.set(hexKey(produced.selfBuiltPayload.block_hash), produced.selfBuiltPayload);
    }
    const included = produced.block.message.body;
    const dropped =
      (plan.purchases?.length ?? 0) -
      included.ticket_purchases.length +
      (plan.transfers?.length ?? 0) -
      included.ticket_transfers.length +
      (plan.bids?.length ?? 0) -
      included.ticket_bids.length +
      (plan.proposerSlashings?.length ?? 0) -
      included.proposer_slashings.length +
      (plan.attesterSlashings?.length ?? 0) -
      included.attester_slashings.length +
      (plan.voluntaryExits?.length ?? 0) -
      included.voluntary_exits.length +
      (plan.fills?.length ?? 0) -
      included.ticket_fills.length +
      (plan.holderSlashings?.length ?? 0) -
      included.holder_slashings.length +
      (plan.sellBacks?.length ?? 0) -
      included.ticket_sell_backs.length;
    if (dropped > 0 && plan.strict !== false) {
      throw new Error(`${dropped} planned operation(s) do not apply to slot ${slot}; pass strict: false to drop them`);
    }
    return produced.block;
  }

  private readonly builtPayloads = new Map<string, ExecutionPayload>();

  produceEnvelope(
    postBlock: CachedBeaconState,
    blockRoot: Uint8Array,
    commitment: ExecutionPayloadCommitment,
  ): SignedExecutionPayloadEnvelope {
    const payload = this.builtPayloads.get(hexKey(commitment.block_hash));
    if (!payload) throw new Error("no payload was built for this commitment");
    this.builtPayloads.delete(hexKey(commitment.block_hash));
    const message: ExecutionPayloadEnvelope = {
      payload,
      beacon_block_root: blockRoot,
      slot: commitment.slot,
      ticket_id: commitment.ticket_id,
      state_root: ZERO_HASH,
    };
    message.state_root = computeEnvelopeStateRoot(postBlock, message);
    const ticket = getTicketAssignment(this.ctx, postBlock.state, commitment.slot);
    const signer = isSelfBuild(ticket)
      ? this.validatorKeys[postBlock.state.latest_block_header.proposer_index]
      : this.buyerKey(ticket.owner, postBlock);
    const epoch = computeEpochAtSlot(this.ctx, commitment.slot);
    const envelopeType = this.ctx.ssz.ExecutionPayloadEnvelope;
    return { message, signature: signObject(postBlock, signer, envelopeType, message, DOMAIN_PAYLOAD_ENVELOPE, epoch) };
  }

  /** One aggregate over all of `slot`'s committees, voting for the current head as of `state`. */
  makeAttestation(cs: CachedBeaconState, slot: number): Attestation {
    const ctx = this.ctx;
    const epoch = computeEpochAtSlot(ctx, slot);
    const { SLOTS_PER_HISTORICAL_ROOT } = ctx.preset;
    const headRoot = latestBlockRoot(cs.state);
    const epochStart = computeStartSlotAtEpoch(ctx, epoch);
    const targetRoot =
      epochStart === slot ? headRoot : cs.state.block_roots.get(epochStart % SLOTS_PER_HISTORICAL_ROOT);
    // Same-slot votes carry 0; otherwise the vote says whether the head block's payload is known
    const headSlot = cs.state.latest_block_header.slot;
    const payloadAvailable = cs.state.execution_payload_availability.get(headSlot % SLOTS_PER_HISTORICAL_ROOT);
    const payloadStatus = headSlot !== slot && payloadAvailable ? 1 : 0;
    const data: AttestationData = {
      slot,
      index: payloadStatus,
      beacon_block_root: headRoot,
      source: cs.state.current_justified_checkpoint.toValue(),
      target: { epoch, root: targetRoot },
    };
    const committeeCount = cs.epochCtx.getCommitteeCountPerSlot(epoch);
    const committees = Array.from({ length: committeeCount }, (_, c) => cs.epochCtx.getBeaconCommittee(slot, c));
    const total = committees.reduce((n, c) => n + c.length, 0);
    const aggregationBits = BitArray.fromBitLen(total);
    const committeeBits = BitArray.fromBitLen(ctx.preset.MAX_COMMITTEES_PER_SLOT);
    const signatures: Uint8Array[] = [];
    let offset = 0;
    for (const [c, committee] of committees.entries()) {
      committeeBits.set(c, true);
      for (let i = 0; i < committee.length; i++) {
        aggregationBits.set(offset + i, true);
        signatures.push(
          signObject(cs, this.validatorKeys[committee[i]], AttestationDataType, data, DOMAIN_BEACON_ATTESTER, epoch),
        );
      }
      offset += committee.length;
    }
    return {
      aggregation_bits: aggregationBits,
      data,
      signature: aggregateSignatureBytes(signatures),
      committee_bits: committeeBits,
    };
  }

  makePayloadAttestation(
    cs: CachedBeaconState,
    slot: number,
    blockRoot: Uint8Array,
    present: boolean,
  ): PayloadAttestation {
    const ptc = cs.epochCtx.getPtc(slot);
    const data = { beacon_block_root: blockRoot, slot, payload_present: present, blob_data_available: present };
    const bits = BitArray.fromBitLen(this.ctx.preset.PTC_SIZE);
    const epoch = computeEpochAtSlot(this.ctx, slot);
    const signatures: Uint8Array[] = [];
    for (let i = 0; i < ptc.length; i++) {
      bits.set(i, true);
      signatures.push(
        signObject(cs, this.validatorKeys[ptc[i]], PayloadAttestationData, data, DOMAIN_PTC_ATTESTER, epoch),
      );
    }
    const attestation = { aggregation_bits: bits, data, signature: aggregateSignatureBytes(signatures) };
    getIndexedPayloadAttestation(cs, attestation);
    return attestation;
  }
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}
