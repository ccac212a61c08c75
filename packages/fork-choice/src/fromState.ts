import {
  type Attestation,
  type CachedBeaconState,
  type Checkpoint,
  computeEpochAtSlot,
  computeUnrealizedCheckpoints,
  getIndexedAttestation,
  latestBlockRoot,
  type PayloadAttestation,
  readAllValues,
  type SignedBeaconBlock,
  toHex,
} from "@turnstile/ticket-state";
import type { AttestationVote, BlockImport, PayloadVote } from "./forkChoice.ts";
import type { CheckpointHex, ProtoBlock } from "./protoArray.ts";

// Adapters from ticket-state values to what the store takes: the node and the vector runner use them.

export function checkpointHex(cp: Checkpoint): CheckpointHex {
  return { epoch: cp.epoch, root: toHex(cp.root) };
}

/**
 * The anchor block of a store started from `cs` (genesis, or a finalized checkpoint state): its
 * payload counts as known when the state is the post-payload state of the block.
 */
export function anchorFromState(cs: CachedBeaconState): ProtoBlock {
  const { state } = cs;
  const root = toHex(latestBlockRoot(cs.state));
  const checkpoint = { epoch: computeEpochAtSlot(cs.ctx, state.slot), root };
  const committed = state.latest_payload_commitment;
  const committedHash = toHex(committed.block_hash);
  return {
    root,
    parentRoot: toHex(state.latest_block_header.parent_root),
    slot: state.latest_block_header.slot,
    stateRoot: toHex(state.hashTreeRoot()),
    committedBlockHash: committedHash,
    parentBlockHash: toHex(committed.parent_block_hash),
    justified: checkpoint,
    finalized: checkpoint,
    unrealizedJustified: checkpoint,
    unrealizedFinalized: checkpoint,
    payloadKnown: committedHash === toHex(state.latest_block_hash) && !committed.block_hash.every((b) => b === 0),
    ptcLength: cs.epochCtx.getPtc(state.latest_block_header.slot).length,
    proposerIndex: state.latest_block_header.proposer_index,
  };
}

/**
 * What the store keeps of a block, from the block and its post-block state.
 * @param root the block's root (hex) when the caller has it
 */
export function blockImportFromState(
  signedBlock: SignedBeaconBlock,
  postBlock: CachedBeaconState,
  root?: string,
): BlockImport {
  const block = signedBlock.message;
  const commitment = block.body.signed_payload_commitment.message;
  const unrealized = computeUnrealizedCheckpoints(postBlock);
  return {
    root: root ?? toHex(postBlock.ctx.ssz.BeaconBlock.hashTreeRoot(block)),
    parentRoot: toHex(block.parent_root),
    slot: block.slot,
    stateRoot: toHex(block.state_root),
    committedBlockHash: toHex(commitment.block_hash),
    parentBlockHash: toHex(commitment.parent_block_hash),
    justified: checkpointHex(postBlock.state.current_justified_checkpoint.toValue()),
    finalized: checkpointHex(postBlock.state.finalized_checkpoint.toValue()),
    unrealizedJustified: checkpointHex(unrealized.justified),
    unrealizedFinalized: checkpointHex(unrealized.finalized),
    ptcLength: postBlock.epochCtx.getPtc(block.slot).length,
    proposerIndex: block.proposer_index,
  };
}

/** An attestation as a vote: `cs` must know the attestation's committees (its epoch or the next). */
export function attestationVote(cs: CachedBeaconState, attestation: Attestation): AttestationVote {
  const indexed = getIndexedAttestation(cs, attestation);
  const { data } = attestation;
  return {
    attestingIndices: indexed.attesting_indices,
    slot: data.slot,
    index: data.index,
    beaconBlockRoot: toHex(data.beacon_block_root),
    target: checkpointHex(data.target),
  };
}

/** A PTC aggregate as votes by PTC position. */
export function payloadAttestationVote(attestation: PayloadAttestation): PayloadVote {
  return {
    beaconBlockRoot: toHex(attestation.data.beacon_block_root),
    slot: attestation.data.slot,
    payloadPresent: attestation.data.payload_present,
    ptcIndices: attestation.aggregation_bits.getTrueBitIndexes(),
  };
}

/**
 * `get_weight`'s balances: the effective balance of every validator active and unslashed in the
 * justified checkpoint's state (0 for the others).
 */
export function justifiedBalancesFromState(cs: CachedBeaconState): number[] {
  const epoch = computeEpochAtSlot(cs.ctx, cs.state.slot);
  return readAllValues(cs.state.validators).map((v) =>
    !v.slashed && v.activation_epoch <= epoch && epoch < v.exit_epoch ? v.effective_balance : 0,
  );
}

/** Every validator in the committees of `slot`, as `cs` shuffles them (for `is_head_weak`). */
export function slotCommitteesFromState(cs: CachedBeaconState, slot: number): number[] {
  const count = cs.epochCtx.getCommitteeCountPerSlot(computeEpochAtSlot(cs.ctx, slot));
  const members: number[] = [];
  for (let index = 0; index < count; index++) members.push(...cs.epochCtx.getBeaconCommittee(slot, index));
  return members;
}
