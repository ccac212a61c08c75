import type { SecretKey } from "@chainsafe/blst";
import { PayloadStatus } from "@turnstile/fork-choice";
import {
  type AttestationData,
  type CachedBeaconState,
  computeEnvelopeStateRoot,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_PAYLOAD_ENVELOPE,
  DOMAIN_PTC_ATTESTER,
  type ExecutionPayload,
  type ExecutionPayloadEnvelope,
  fromHex,
  type PayloadAttestationData,
  type PayloadAttestationMessage,
  processSlotsCopy,
  produceBlock,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  type SingleAttestation,
  signObject,
  sszTypes,
  toHex,
  ZERO_HASH,
} from "@turnstile/ticket-state";

import type { Chain } from "../chain/chain.ts";
import type { OpPools } from "../chain/opPools.ts";

/** Where duties send what they make: the node imports it and publishes it to peers. */
export interface DutyOutput {
  block(block: SignedBeaconBlock): void;
  envelope(envelope: SignedExecutionPayloadEnvelope): void;
  attestation(attestation: SingleAttestation): void;
  payloadAttestation(message: PayloadAttestationMessage): void;
}

/**
 * The in-process validator client: for the keys it holds, proposes at the slot's start, attests
 * at 1/4, reveals a self-built payload at 2/4 and votes in the PTC at 3/4 (DESIGN.md §5).
 */
export class ValidatorClient {
  private readonly chain: Chain;
  private readonly pools: OpPools;
  private readonly keys: Map<number, SecretKey>;
  private readonly output: DutyOutput;
  /** Self-built payloads waiting for their reveal, by slot. */
  private readonly selfBuilt = new Map<number, { blockRoot: string; payload: ExecutionPayload; proposer: number }>();

  constructor(chain: Chain, pools: OpPools, keys: Map<number, SecretKey>, output: DutyOutput) {
    this.chain = chain;
    this.pools = pools;
    this.keys = keys;
    this.output = output;
  }

  onInterval(slot: number, interval: number): void {
    if (slot === 0) return;
    // While more than an epoch behind (syncing), our votes and blocks would only make forks
    if (this.chain.forkChoice.getHead().slot + this.chain.ctx.preset.SLOTS_PER_EPOCH < slot) return;
    if (interval === 0) this.propose(slot);
    else if (interval === 1) this.attest(slot);
    else if (interval === 2) this.revealSelfBuilt(slot);
    else if (interval === 3) this.votePayloadTimeliness(slot);
  }

  private propose(slot: number): void {
    const head = this.chain.head();
    if (head.slot >= slot) return;
    const epochState = head.state.state.slot < slot ? processSlotsCopy(head.state, slot) : head.state;
    const proposer = epochState.epochCtx.getBeaconProposer(slot);
    const key = this.keys.get(proposer);
    if (!key) return;
    const produced = produceBlock(head.state, slot, key, this.chain.engine, {
      attestations: this.pools.attestations.getForBlock(slot, this.chain.ctx.preset.MAX_ATTESTATIONS),
      payloadAttestations: this.pools.payloadAttestations.getForBlock(slot, head.root),
      purchases: this.pools.tickets.purchases,
      transfers: this.pools.tickets.transfers,
      commitments: this.pools.commitments.forSlot(slot),
    });
    this.output.block(produced.block);
    if (produced.selfBuiltPayload) {
      const blockRoot = toHex(this.chain.ctx.ssz.BeaconBlock.hashTreeRoot(produced.block.message));
      this.selfBuilt.set(slot, { blockRoot, payload: produced.selfBuiltPayload, proposer });
    }
  }

  /** Every held validator in the slot's committees votes for the head (and its payload status). */
  private attest(slot: number): void {
    const head = this.chain.head();
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
    const committees = state.epochCtx.getCommitteeCountPerSlot(epoch);
    for (let c = 0; c < committees; c++) {
      const committee = state.epochCtx.getBeaconCommittee(slot, c);
      for (let position = 0; position < committee.length; position++) {
        const key = this.keys.get(committee[position]);
        if (!key) continue;
        const signature = signObject(state, key, sszTypes.AttestationData, data, DOMAIN_BEACON_ATTESTER, epoch);
        this.output.attestation({ committee_index: c, attester_index: committee[position], data, signature });
      }
    }
  }

  private revealSelfBuilt(slot: number): void {
    const built = this.selfBuilt.get(slot);
    this.selfBuilt.delete(slot);
    if (!built) return;
    const entry = this.chain.getEntry(built.blockRoot);
    if (!entry) return;
    this.output.envelope(
      buildEnvelope(entry.postBlock, built.blockRoot, built.payload, this.keys.get(built.proposer)!),
    );
  }

  /** PTC members say whether the slot's block had its payload revealed by now. */
  private votePayloadTimeliness(slot: number): void {
    const head = this.chain.head();
    if (head.slot !== slot) return;
    const entry = this.chain.getEntry(head.root)!;
    const ptc = entry.postBlock.epochCtx.getPtc(slot);
    const present = entry.payloadKnown;
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
      const signature = signObject(
        entry.postBlock,
        key,
        sszTypes.PayloadAttestationData,
        data,
        DOMAIN_PTC_ATTESTER,
        epoch,
      );
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
