import type { SecretKey } from "@chainsafe/blst";
import { PayloadStatus } from "@turnstile/fork-choice";
import {
  type AttestationData,
  buildInclusionList,
  type CachedBeaconState,
  computeEnvelopeStateRoot,
  computeEpochAtSlot,
  computeSigningRoot,
  computeSigningRootOfRoot,
  computeStartSlotAtEpoch,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_PAYLOAD_ENVELOPE,
  DOMAIN_PTC_ATTESTER,
  type ExecutionPayload,
  type ExecutionPayloadEnvelope,
  fromHex,
  getDomain,
  getTicketAssignment,
  isSelfBuild,
  type PayloadAttestationData,
  type PayloadAttestationMessage,
  processSlotsCopy,
  produceBlock,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  type SignedInclusionList,
  type SingleAttestation,
  signObject,
  sszTypes,
  toHex,
  ZERO_HASH,
} from "@turnstile/ticket-state";

import type { Chain } from "../chain/chain.ts";
import type { InclusionListPool } from "../chain/inclusionLists.ts";
import type { OpPools } from "../chain/opPools.ts";
import { withPreparedPayload } from "../execution/engineApiEngine.ts";
import { payloadArgsFor } from "../execution/payloadArgs.ts";
import type { AttestationToSign, SigningGuard, SigningValidator } from "./signingGuard.ts";

/** Where duties send what they make: the node imports it and publishes it to peers. */
export interface DutyOutput {
  block(block: SignedBeaconBlock): void;
  envelope(envelope: SignedExecutionPayloadEnvelope): void;
  attestation(attestation: SingleAttestation): void;
  payloadAttestation(message: PayloadAttestationMessage): void;
  /** The inclusion list of the next slot, when one of our validators proposes it. */
  inclusionList?(list: SignedInclusionList): void;
  /** A duty that could not be done (e.g. the execution layer could not build the payload). */
  failed?(duty: string, error: unknown): void;
}

/** Inclusion lists: the lists seen (binding payloads) and the transactions our proposers list. */
export interface InclusionListDuty {
  pool: InclusionListPool;
  /** Candidate transactions, best first (the node's mempool). */
  candidates(): Uint8Array[];
}

/**
 * The in-process validator client: for the keys it holds, proposes at the slot's start, attests
 * at 1/4, reveals a self-built payload at 2/4 and votes in the PTC at 3/4 (DESIGN.md §5). With
 * inclusion lists, the proposer of the next slot publishes its list at 2/4, and PTC members vote a
 * payload present only if it satisfies its slot's binding list.
 *
 * With a signing guard, a block or attestation (the messages a proposer or attester slashing
 * punishes) leaves only once the guard has recorded it; a refused one is dropped. Envelopes and
 * PTC votes are not slashable and need no guard.
 */
export class ValidatorClient {
  private readonly chain: Chain;
  private readonly pools: OpPools;
  private readonly keys: Map<number, SecretKey>;
  private readonly output: DutyOutput;
  /** Self-built payloads waiting for their reveal, by slot. */
  private readonly selfBuilt = new Map<number, { blockRoot: string; payload: ExecutionPayload; proposer: number }>();
  private readonly guard: SigningGuard | null;
  private readonly pubkeys = new Map<number, Uint8Array>();
  private readonly inclusionLists: InclusionListDuty | null;

  constructor(
    chain: Chain,
    pools: OpPools,
    keys: Map<number, SecretKey>,
    output: DutyOutput,
    guard: SigningGuard | null = null,
    inclusionLists: InclusionListDuty | null = null,
  ) {
    this.chain = chain;
    this.pools = pools;
    this.keys = keys;
    this.output = output;
    this.guard = guard;
    this.inclusionLists = inclusionLists;
  }

  private signer(index: number): SigningValidator {
    let pubkey = this.pubkeys.get(index);
    if (!pubkey) {
      pubkey = this.keys.get(index)!.toPublicKey().toBytes();
      this.pubkeys.set(index, pubkey);
    }
    return { index, pubkey };
  }

  onInterval(slot: number, interval: number): void {
    // Whether we are too far behind to take part is the network's call (BeaconNode.isSyncing):
    // a node with no peers, far behind after downtime, has no one to catch up from and goes on alone
    if (slot === 0) return;
    if (interval === 0) this.propose(slot);
    else if (interval === 1) this.attest(slot);
    else if (interval === 2) {
      this.revealSelfBuilt(slot);
      this.publishInclusionList(slot + 1);
    } else if (interval === 3) this.votePayloadTimeliness(slot);
  }

  /** The head duties build on (inclusion lists: a censoring payload is passed over). */
  private dutyHead(): ReturnType<Chain["head"]> {
    return this.inclusionLists ? this.inclusionLists.pool.headForDuties() : this.chain.head();
  }

  private propose(slot: number): void {
    const head = this.dutyHead();
    if (head.slot >= slot) return;
    const epochState = head.state.state.slot < slot ? processSlotsCopy(head.state, slot) : head.state;
    const proposer = epochState.epochCtx.getBeaconProposer(slot);
    const key = this.keys.get(proposer);
    if (!key) return;
    // process_block_header: the proposer is not slashed (a slashed validator keeps its turns until it exits)
    if (epochState.state.validators.getReadonly(proposer).slashed) return;
    // A self-built payload comes from the engine: an Engine API one is asked first, then the block is made
    const selfBuild = isSelfBuild(getTicketAssignment(this.chain.ctx, epochState.state, slot));
    if (!selfBuild) {
      this.produce(head, slot, key, proposer, epochState);
      return;
    }
    withPreparedPayload(
      this.chain.engine,
      () => payloadArgsFor(epochState, slot, this.inclusionLists?.pool.transactionsFor(slot)),
      () => this.produce(head, slot, key, proposer, epochState),
      (e) => {
        // The EL cannot build (unreachable, or refused the parent): the duty's error is reported, and
        // the block goes out with the empty commitment, which a self-build slot allows, rather than not at all
        this.output.failed?.("block", e);
        this.produce(head, slot, key, proposer, epochState, true);
      },
    );
  }

  private produce(
    head: ReturnType<Chain["head"]>,
    slot: number,
    key: SecretKey,
    proposer: number,
    epochState: CachedBeaconState,
    selfBuildEmpty = false,
  ): void {
    const { preset } = this.chain.ctx;
    const produced = produceBlock(head.state, slot, key, this.chain.engine, {
      attestations: this.pools.attestations.getForBlock(slot, preset.MAX_ATTESTATIONS),
      payloadAttestations: this.pools.payloadAttestations.getForBlock(slot, head.root),
      purchases: this.pools.ticketPurchases.getForBlock(),
      transfers: this.pools.ticketTransfers.getForBlock(),
      commitments: this.pools.commitments.forSlot(slot),
      proposerSlashings: this.pools.proposerSlashings.getForBlock(epochState, preset.MAX_PROPOSER_SLASHINGS),
      attesterSlashings: this.pools.attesterSlashings.getForBlock(epochState, preset.MAX_ATTESTER_SLASHINGS),
      voluntaryExits: this.pools.voluntaryExits.getForBlock(epochState, preset.MAX_VOLUNTARY_EXITS),
      // Ticket market (opt-in pricing rules): produceBlock keeps those that apply, up to each MAX_*
      bids: this.pools.ticketBids.getForBlock(slot),
      sellBacks: this.pools.ticketSellBacks.getForBlock(),
      fills: this.pools.ticketFills.getForBlock(),
      holderSlashings: this.pools.holderSlashings.getForBlock(),
      inclusionListTransactions: this.inclusionLists?.pool.transactionsFor(slot),
      selfBuildEmpty,
    });
    const blockRoot = this.chain.ctx.ssz.BeaconBlock.hashTreeRoot(produced.block.message);
    const release = () => {
      this.output.block(produced.block);
      if (produced.selfBuiltPayload) {
        this.selfBuilt.set(slot, { blockRoot: toHex(blockRoot), payload: produced.selfBuiltPayload, proposer });
      }
    };
    if (!this.guard) {
      release();
      return;
    }
    const domain = getDomain(epochState, DOMAIN_BEACON_PROPOSER, computeEpochAtSlot(this.chain.ctx, slot));
    void this.guard
      .mayProposeBlock(this.signer(proposer), slot, computeSigningRootOfRoot(blockRoot, domain))
      .then((allowed) => allowed && release());
  }

  /** Every held validator in the slot's committees votes for the head (and its payload status). */
  private attest(slot: number): void {
    const head = this.dutyHead();
    const state = head.state.state.slot < slot ? processSlotsCopy(head.state, slot) : head.state;
    const epoch = computeEpochAtSlot(this.chain.ctx, slot);
    const epochStart = computeStartSlotAtEpoch(this.chain.ctx, epoch);
    const targetRoot =
      head.slot <= epochStart ? head.root : this.chain.forkChoice.checkpointBlockRoot(head.root, epoch);
    if (targetRoot === undefined) return;
    const data: AttestationData = {
      slot,
      // Same-slot votes carry 0; for an older head the vote says whether its payload is there
      index: head.slot < slot && head.payloadStatus === PayloadStatus.FULL ? 1 : 0,
      beacon_block_root: fromHex(head.root),
      source: state.state.current_justified_checkpoint.toValue(),
      target: { epoch, root: fromHex(targetRoot) },
    };
    // Every vote of the slot signs the same data
    const signingRoot = computeSigningRoot(
      sszTypes.AttestationData,
      data,
      getDomain(state, DOMAIN_BEACON_ATTESTER, epoch),
    );
    const votes: { committee: number; validator: number; key: SecretKey }[] = [];
    const committees = state.epochCtx.getCommitteeCountPerSlot(epoch);
    for (let c = 0; c < committees; c++) {
      const committee = state.epochCtx.getBeaconCommittee(slot, c);
      for (let position = 0; position < committee.length; position++) {
        const key = this.keys.get(committee[position]);
        if (key) votes.push({ committee: c, validator: committee[position], key });
      }
    }
    const release = (vote: (typeof votes)[number]) => {
      const signature = vote.key.sign(signingRoot).toBytes();
      this.output.attestation({ committee_index: vote.committee, attester_index: vote.validator, data, signature });
    };
    if (!this.guard) {
      for (const vote of votes) release(vote);
      return;
    }
    if (votes.length === 0) return;
    const asked: AttestationToSign[] = votes.map((v) => ({
      validator: this.signer(v.validator),
      sourceEpoch: data.source.epoch,
      targetEpoch: epoch,
      signingRoot,
    }));
    void this.guard.mayAttest(asked).then((allowed) => {
      for (let i = 0; i < votes.length; i++) if (allowed[i]) release(votes[i]);
    });
  }

  private revealSelfBuilt(slot: number): void {
    const built = this.selfBuilt.get(slot);
    this.selfBuilt.delete(slot);
    if (!built) return;
    const entry = this.chain.getEntry(built.blockRoot);
    if (!entry) return;
    this.output.envelope(
      buildEnvelope(
        this.chain.regen.getPostState(entry.root, false),
        built.blockRoot,
        built.payload,
        this.keys.get(built.proposer)!,
      ),
    );
  }

  /** Before `slot`: if one of our validators proposes it, list transactions its payload must carry. */
  private publishInclusionList(slot: number): void {
    if (!this.inclusionLists || !this.output.inclusionList) return;
    const candidates = this.inclusionLists.candidates();
    if (candidates.length === 0) return;
    const head = this.chain.head();
    if (head.slot >= slot) return;
    // The proposer from the head's epoch cache when the slot is in that epoch (no state copy for others' slots)
    const sameEpoch = computeEpochAtSlot(this.chain.ctx, slot) === head.state.epochCtx.epoch;
    if (sameEpoch && !this.keys.has(head.state.epochCtx.getBeaconProposer(slot))) return;
    const pre = processSlotsCopy(head.state, slot);
    const key = this.keys.get(pre.epochCtx.getBeaconProposer(slot));
    if (!key) return;
    this.output.inclusionList(buildInclusionList(pre, candidates, key));
  }

  /**
   * PTC members say whether the slot's block had its payload revealed by now, and (inclusion lists)
   * whether that payload satisfies the slot's binding list: a censoring payload is voted absent.
   */
  private votePayloadTimeliness(slot: number): void {
    const head = this.chain.head();
    if (head.slot !== slot) return;
    const entry = this.chain.getEntry(head.root)!;
    const postBlock = this.chain.regen.getPostState(entry.root, false);
    const ptc = postBlock.epochCtx.getPtc(slot);
    const payload = entry.envelope?.message.payload;
    const present =
      entry.payloadKnown &&
      // Never for a payload the EL found invalid after it was imported optimistically
      !this.chain.forkChoice.isExecutionInvalid(head.root, PayloadStatus.FULL) &&
      (payload === undefined ||
        this.inclusionLists === null ||
        this.inclusionLists.pool.isSatisfied(slot, payload, this.chain.engine));
    const data: PayloadAttestationData = {
      beacon_block_root: fromHex(head.root),
      slot,
      payload_present: present,
      blob_data_available: present,
    };
    const epoch = computeEpochAtSlot(this.chain.ctx, slot);
    for (let position = 0; position < ptc.length; position++) {
      const key = this.keys.get(ptc[position]);
      if (!key) continue;
      const signature = signObject(postBlock, key, sszTypes.PayloadAttestationData, data, DOMAIN_PTC_ATTESTER, epoch);
      this.output.payloadAttestation({ validator_index: ptc[position], data, signature });
    }
  }
}

/** Wrap a revealed payload in its signed envelope, with the post-state root it leads to. */
export function buildEnvelope(
  postBlock: CachedBeaconState,
  blockRoot: string,
  payload: ExecutionPayload,
  signer: SecretKey,
): SignedExecutionPayloadEnvelope {
  const commitment = postBlock.state.latest_payload_commitment;
  const message: ExecutionPayloadEnvelope = {
    payload,
    beacon_block_root: fromHex(blockRoot),
    slot: postBlock.state.slot,
    ticket_id: commitment.ticket_id,
    state_root: ZERO_HASH,
  };
  message.state_root = computeEnvelopeStateRoot(postBlock, message);
  const epoch = computeEpochAtSlot(postBlock.ctx, message.slot);
  const type = postBlock.ctx.ssz.ExecutionPayloadEnvelope;
  return { message, signature: signObject(postBlock, signer, type, message, DOMAIN_PAYLOAD_ENVELOPE, epoch) };
}
