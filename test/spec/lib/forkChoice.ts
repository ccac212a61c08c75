/**
 * The `fork_choice` procedure of the vectors, used by the runner (to check) and by the generator
 * (to write the `checks` it expects): a ForkChoice store plus the states it needs — each block's
 * post-block state and, once revealed, its post-envelope state — fed the way a node feeds it.
 */
import {
  anchorFromState,
  attestationVote,
  blockImportFromState,
  type CheckpointHex,
  ForkChoice,
  ForkChoiceError,
  ForkChoiceErrorCode,
  justifiedBalancesFromState,
  payloadAttestationVote,
  slotCommitteesFromState,
} from "@turnstile/fork-choice";
import {
  type Attestation,
  type BeaconBlock,
  type CachedBeaconState,
  computeStartSlotAtEpoch,
  getIndexedAttestation,
  getIndexedAttestationSignatureSet,
  getIndexedPayloadAttestationSignatureSet,
  type PayloadAttestationMessage,
  processSlotsCopy,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  stateTransition,
  stateTransitionEnvelope,
  toHex,
} from "@turnstile/ticket-state";
import { assertSignatureSets, vectorEngine } from "./operations.ts";

const ZERO_ROOT = `0x${"00".repeat(32)}`;

interface StoredBlock {
  postBlock: CachedBeaconState;
  postEnvelope: CachedBeaconState | null;
}

export interface ForkChoiceChecks {
  head: { slot: number; root: string; payload_status: number };
  time: number;
  genesis_time: number;
  justified_checkpoint: { epoch: number; root: string };
  finalized_checkpoint: { epoch: number; root: string };
  proposer_boost_root: string;
}

export class ForkChoiceHarness {
  readonly fc: ForkChoice;
  readonly genesisTime: number;
  private readonly blocks = new Map<string, StoredBlock>();

  constructor(anchorState: CachedBeaconState, anchorBlock: BeaconBlock) {
    const { ctx } = anchorState;
    const anchor = anchorFromState(anchorState);
    const anchorBlockRoot = toHex(ctx.ssz.BeaconBlock.hashTreeRoot(anchorBlock));
    if (anchorBlockRoot !== anchor.root) {
      throw new Error(`anchor block ${anchorBlockRoot} is not the anchor state's latest block ${anchor.root}`);
    }
    this.genesisTime = anchorState.state.genesis_time;
    this.blocks.set(anchor.root, { postBlock: anchorState, postEnvelope: anchor.payloadKnown ? anchorState : null });
    this.fc = new ForkChoice(
      {
        slotsPerEpoch: ctx.preset.SLOTS_PER_EPOCH,
        secondsPerSlot: ctx.config.SECONDS_PER_SLOT,
        ptcSize: ctx.preset.PTC_SIZE,
        genesisTime: this.genesisTime,
        slotCommittees: (root, slot) => {
          const stored = this.blocks.get(root);
          return stored ? slotCommitteesFromState(stored.postBlock, slot) : [];
        },
      },
      anchor,
      (checkpoint) => justifiedBalancesFromState(this.checkpointState(checkpoint)),
    );
  }

  /** The state of a checkpoint: its block's latest state advanced to the epoch's first slot. */
  private checkpointState(checkpoint: CheckpointHex): CachedBeaconState {
    const stored = this.blocks.get(checkpoint.root);
    if (stored === undefined) throw new Error(`no state for checkpoint block ${checkpoint.root}`);
    const base = stored.postEnvelope ?? stored.postBlock;
    const startSlot = computeStartSlotAtEpoch(base.ctx, checkpoint.epoch);
    return base.state.slot < startSlot ? processSlotsCopy(base, startSlot) : base;
  }

  tick(time: number): void {
    this.fc.onTick(time);
  }

  /** `on_block`, then the block's attestations and payload attestations (errors in those are ignored). */
  block(signed: SignedBeaconBlock): void {
    const block = signed.message;
    const parentRoot = toHex(block.parent_root);
    const parent = this.blocks.get(parentRoot);
    const parentProto = this.fc.protoArray.getBlock(parentRoot);
    if (parent === undefined || parentProto === undefined) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_PARENT, "parent block is unknown", { parentRoot });
    }
    const commitment = block.body.signed_payload_commitment.message;
    const buildsOnFull =
      toHex(commitment.parent_block_hash) === parentProto.committedBlockHash &&
      !/^0x0*$/.test(parentProto.committedBlockHash);
    const pre = buildsOnFull ? parent.postEnvelope : parent.postBlock;
    if (pre === null) {
      throw new ForkChoiceError(ForkChoiceErrorCode.PARENT_PAYLOAD_UNKNOWN, "block builds on a payload not seen yet", {
        parentRoot,
      });
    }
    const post = stateTransition(pre, signed, { verifySignatures: true, verifyStateRoot: true });
    const imported = blockImportFromState(signed, post);
    this.fc.onBlock(imported);
    if (!this.blocks.has(imported.root)) this.blocks.set(imported.root, { postBlock: post, postEnvelope: null });
    for (const attestation of block.body.attestations) {
      try {
        this.fc.onAttestation(attestationVote(post, attestation), true);
      } catch {
        // A block's attestation the store cannot use (e.g. its target is not in the store) is skipped
      }
    }
    for (const payloadAttestation of block.body.payload_attestations) {
      try {
        this.fc.onPayloadAttestation(payloadAttestationVote(payloadAttestation), true);
      } catch {
        // as above
      }
    }
  }

  /** `on_attestation` from the wire: committees from the target checkpoint's state, signature checked. */
  attestation(attestation: Attestation): void {
    const target = { epoch: attestation.data.target.epoch, root: toHex(attestation.data.target.root) };
    if (!this.blocks.has(target.root)) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_TARGET, "target block is unknown", { target });
    }
    const cs = this.checkpointState(target);
    const indexed = getIndexedAttestation(cs, attestation);
    assertSignatureSets([getIndexedAttestationSignatureSet(cs, indexed)]);
    this.fc.onAttestation(attestationVote(cs, attestation), false);
  }

  /** `on_payload_attestation_message` from the wire: the sender's PTC positions, signature checked. */
  payloadAttestationMessage(message: PayloadAttestationMessage): void {
    const root = toHex(message.data.beacon_block_root);
    const stored = this.blocks.get(root);
    const proto = this.fc.protoArray.getBlock(root);
    if (stored === undefined || proto === undefined) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_BLOCK, "payload vote for an unknown block", { root });
    }
    let ptcIndices: number[] = [];
    if (message.data.slot === proto.slot) {
      const cs = stored.postBlock;
      const ptc = cs.epochCtx.getPtc(message.data.slot);
      ptcIndices = [...ptc.keys()].filter((i) => ptc[i] === message.validator_index);
      if (ptcIndices.length === 0) {
        throw new ForkChoiceError(ForkChoiceErrorCode.BAD_PTC_INDEX, "sender is not in the slot's PTC", {
          validatorIndex: message.validator_index,
        });
      }
      assertSignatureSets([
        getIndexedPayloadAttestationSignatureSet(cs, {
          attesting_indices: [message.validator_index],
          data: message.data,
          signature: message.signature,
        }),
      ]);
    }
    this.fc.onPayloadAttestation(
      {
        beaconBlockRoot: root,
        slot: message.data.slot,
        payloadPresent: message.data.payload_present,
        ptcIndices,
      },
      false,
    );
  }

  /** `on_execution_payload`: the envelope on its block's post-block state, then the FULL node. */
  executionPayload(signed: SignedExecutionPayloadEnvelope): void {
    const root = toHex(signed.message.beacon_block_root);
    const stored = this.blocks.get(root);
    if (stored === undefined) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_BLOCK, "payload for an unknown block", { root });
    }
    const post = stateTransitionEnvelope(stored.postBlock, signed, vectorEngine(true), {
      verifySignature: true,
      verifyStateRoot: true,
    });
    this.fc.onExecutionPayload(root);
    stored.postEnvelope = post;
  }

  checks(): ForkChoiceChecks {
    const head = this.fc.getHead();
    return {
      head: { slot: head.slot, root: head.root, payload_status: head.payloadStatus },
      time: this.fc.time,
      genesis_time: this.genesisTime,
      justified_checkpoint: { epoch: this.fc.justified.epoch, root: this.fc.justified.root },
      finalized_checkpoint: { epoch: this.fc.finalized.epoch, root: this.fc.finalized.root },
      proposer_boost_root: this.fc.proposerBoostRoot ?? ZERO_ROOT,
    };
  }
}
