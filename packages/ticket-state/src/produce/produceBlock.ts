import type { SecretKey } from "@chainsafe/blst";
import { processAttestation } from "../block/processAttestation.ts";
import { processAttesterSlashing } from "../block/processAttesterSlashing.ts";
import { processBlockHeader } from "../block/processBlockHeader.ts";
import { processHolderSlashing } from "../block/processHolderSlashing.ts";
import { processPayloadAttestation } from "../block/processPayloadAttestation.ts";
import { processProposerSlashing } from "../block/processProposerSlashing.ts";
import { processRandao } from "../block/processRandao.ts";
import { processTicketBid } from "../block/processTicketBid.ts";
import { processTicketFill } from "../block/processTicketFill.ts";
import { processTicketPurchase } from "../block/processTicketPurchase.ts";
import { processTicketSellBack } from "../block/processTicketSellBack.ts";
import { processTicketTransfer } from "../block/processTicketTransfer.ts";
import { processVoluntaryExit } from "../block/processVoluntaryExit.ts";
import type { BlockProcessingContext } from "../block/types.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { DeterministicExecutionEngine } from "../engine/deterministicEngine.ts";
import { DOMAIN_BEACON_PROPOSER, DOMAIN_RANDAO, G2_POINT_AT_INFINITY, ZERO_HASH } from "../params/constants.ts";
import { processSlots } from "../slot/processSlots.ts";
import { getTicketAssignment, isSelfBuild } from "../tickets/ticketAssignment.ts";
import type {
  Attestation,
  AttesterSlashing,
  BeaconBlock,
  ExecutionPayload,
  ExecutionPayloadCommitment,
  HolderSlashing,
  PayloadAttestation,
  ProposerSlashing,
  SignedBeaconBlock,
  SignedExecutionPayloadCommitment,
  SignedTicketBid,
  SignedTicketFill,
  SignedTicketPurchase,
  SignedTicketSellBack,
  SignedTicketTransfer,
  SignedVoluntaryExit,
} from "../types/index.ts";
import { Epoch } from "../types/sszTypes.ts";
import { bytesEqual } from "../util/bytes.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { buildCommitment } from "./buildCommitment.ts";
import { computeBlockStateRoot } from "./computeStateRoots.ts";
import { signObject } from "./signObject.ts";

/** Candidate operations for a block; those that do not apply are left out. */
export interface BlockOperations {
  attestations?: Attestation[];
  payloadAttestations?: PayloadAttestation[];
  purchases?: SignedTicketPurchase[];
  transfers?: SignedTicketTransfer[];
  /** Ticket auction bids (only under auction pricing). */
  bids?: SignedTicketBid[];
  /** Pooled tickets sold back to the bonding curve (only under `bonding_curve`). */
  sellBacks?: SignedTicketSellBack[];
  /** Fills of secondary-market offers. */
  fills?: SignedTicketFill[];
  /** Evidence of ticket holders' equivocating commitments. */
  holderSlashings?: HolderSlashing[];
  /** Commitments ticket holders sent for this slot; the one for the assigned ticket and this parent is used. */
  commitments?: SignedExecutionPayloadCommitment[];
  proposerSlashings?: ProposerSlashing[];
  attesterSlashings?: AttesterSlashing[];
  voluntaryExits?: SignedVoluntaryExit[];
  /** The slot's inclusion list, for a self-built payload (the engine appends what is valid and fits). */
  inclusionListTransactions?: readonly Uint8Array[];
  /**
   * In a self-build slot, propose with the empty commitment instead of building (form (c), which
   * a self-build slot allows): the execution layer cannot build, and the slot's block still counts.
   */
  selfBuildEmpty?: boolean;
  graffiti?: string;
}

export interface ProducedBlock {
  block: SignedBeaconBlock;
  /** The payload the proposer built itself (self-build), to reveal at the slot's reveal interval. */
  selfBuiltPayload: ExecutionPayload | null;
}

/** Keep the operations that apply, in order, to `scratch`; a failing one is rolled back and dropped. */
function packOperations<T>(
  scratch: CachedBeaconState,
  ops: T[],
  max: number,
  apply: (cs: CachedBeaconState, op: T, bctx: BlockProcessingContext) => void,
): T[] {
  const kept: T[] = [];
  let current = scratch;
  for (const op of ops) {
    if (kept.length >= max) break;
    const attempt = current.clone();
    try {
      apply(attempt, op, { signatureSets: null });
      kept.push(op);
      current = attempt;
    } catch {
      // stale nonce, another fork's vote, price moved...: not for this block
    }
  }
  scratch.state = current.state;
  scratch.epochCtx = current.epochCtx;
  return kept;
}

/**
 * Build and sign the block of `slot` on `parent` (the head's state, post-payload when the head is
 * FULL): RANDAO reveal, the slot's payload commitment (the ticket holder's, a self-build when no
 * ticket is assigned, or empty), and every candidate operation that applies.
 */
export function produceBlock(
  parent: CachedBeaconState,
  slot: number,
  proposerKey: SecretKey,
  engine: DeterministicExecutionEngine,
  ops: BlockOperations = {},
): ProducedBlock {
  const { ctx } = parent;
  const { preset } = ctx;
  const pre = parent.clone();
  processSlots(pre, slot);
  const proposerIndex = pre.epochCtx.getBeaconProposer(slot);
  const epoch = computeEpochAtSlot(ctx, slot);
  const parentRoot = pre.state.latest_block_header.hashTreeRoot();
  const body = ctx.ssz.BeaconBlockBody.defaultValue();
  body.randao_reveal = signObject(pre, proposerKey, Epoch, epoch, DOMAIN_RANDAO, epoch);
  body.graffiti.set(new TextEncoder().encode(ops.graffiti ?? "turnstile").subarray(0, 32));

  const ticket = getTicketAssignment(ctx, pre.state, slot);
  let selfBuiltPayload: ExecutionPayload | null = null;
  if (isSelfBuild(ticket) && !ops.selfBuildEmpty) {
    const built = buildCommitment(pre, slot, proposerKey, engine, {
      inclusionListTransactions: ops.inclusionListTransactions,
    });
    body.signed_payload_commitment = built.commitment;
    selfBuiltPayload = built.payload;
  } else {
    const fromHolder = ops.commitments?.find(
      (c) =>
        c.message.slot === slot &&
        c.message.ticket_id === ticket.ticket_id &&
        bytesEqual(c.message.parent_block_root, parentRoot) &&
        bytesEqual(c.message.parent_block_hash, pre.state.latest_block_hash),
    );
    const empty: ExecutionPayloadCommitment = {
      slot,
      ticket_id: ticket.ticket_id,
      parent_block_hash: pre.state.latest_block_hash,
      parent_block_root: parentRoot,
      block_hash: ZERO_HASH,
      prev_randao: ZERO_HASH,
      fee_recipient: new Uint8Array(20),
      gas_limit: 0,
    };
    body.signed_payload_commitment = fromHolder ?? { message: empty, signature: G2_POINT_AT_INFINITY };
  }

  const block: BeaconBlock = {
    slot,
    proposer_index: proposerIndex,
    parent_root: parentRoot,
    state_root: ZERO_HASH,
    body,
  };
  const scratch = pre.clone();
  processBlockHeader(scratch, block);
  processRandao(scratch, block, { signatureSets: null });
  // Packed in `process_operations` order, so each one is checked against the state it will meet
  body.proposer_slashings = packOperations(
    scratch,
    ops.proposerSlashings ?? [],
    preset.MAX_PROPOSER_SLASHINGS,
    processProposerSlashing,
  );
  body.attester_slashings = packOperations(
    scratch,
    ops.attesterSlashings ?? [],
    preset.MAX_ATTESTER_SLASHINGS,
    processAttesterSlashing,
  );
  body.attestations = packOperations(scratch, ops.attestations ?? [], preset.MAX_ATTESTATIONS, processAttestation);
  body.voluntary_exits = packOperations(
    scratch,
    ops.voluntaryExits ?? [],
    preset.MAX_VOLUNTARY_EXITS,
    processVoluntaryExit,
  );
  body.ticket_purchases = packOperations(
    scratch,
    ops.purchases ?? [],
    preset.MAX_TICKET_PURCHASES,
    processTicketPurchase,
  );
  body.ticket_transfers = packOperations(
    scratch,
    ops.transfers ?? [],
    preset.MAX_TICKET_TRANSFERS,
    processTicketTransfer,
  );
  body.payload_attestations = packOperations(
    scratch,
    ops.payloadAttestations ?? [],
    preset.MAX_PAYLOAD_ATTESTATIONS,
    processPayloadAttestation,
  );
  body.ticket_bids = packOperations(scratch, ops.bids ?? [], preset.MAX_TICKET_BIDS, processTicketBid);
  body.ticket_fills = packOperations(scratch, ops.fills ?? [], preset.MAX_TICKET_FILLS, processTicketFill);
  body.holder_slashings = packOperations(
    scratch,
    ops.holderSlashings ?? [],
    preset.MAX_HOLDER_SLASHINGS,
    processHolderSlashing,
  );
  body.ticket_sell_backs = packOperations(
    scratch,
    ops.sellBacks ?? [],
    preset.MAX_TICKET_SELL_BACKS,
    processTicketSellBack,
  );

  block.state_root = computeBlockStateRoot(pre, block);
  const signature = signObject(pre, proposerKey, ctx.ssz.BeaconBlock, block, DOMAIN_BEACON_PROPOSER, epoch);
  return { block: { message: block, signature }, selfBuiltPayload };
}
