import { type SignatureSet, verifySignatureSet } from "../bls/signatureSet.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { type ExecutionEngine, PayloadStatus } from "../engine/executionEngine.ts";
import { EnvelopeError, EnvelopeErrorCode } from "../errors/index.ts";
import { ZERO_HASH } from "../params/constants.ts";
import { getExecutionPayloadEnvelopeSignatureSet } from "../signatureSets/index.ts";
import { getTicketAssignment, isSelfBuild } from "../tickets/ticketAssignment.ts";
import type { SignedExecutionPayloadEnvelope } from "../types/index.ts";
import { BeaconBlockHeader } from "../types/sszTypes.ts";
import { bytesEqual, toHex } from "../util/bytes.ts";
import { computeTimestampAtSlot } from "../util/epoch.ts";

export interface EnvelopeProcessingOptions {
  verifySignature?: boolean;
  verifyStateRoot?: boolean;
  /** With `verifySignature`, append the envelope's signature set here for the caller to verify instead. */
  deferSignatures?: SignatureSet[];
}

/**
 * `process_execution_payload`: reveal the payload committed to by the state's latest block.
 * Runs on the post-block state of the same slot. Sets `latest_block_hash` and the slot's
 * availability bit and checks the envelope's post-state root on a copy; only when every check
 * passes does `cs` take the new state and the engine record the payload. A thrown error leaves
 * `cs` and the engine as they were.
 */
export function processExecutionPayload(
  cs: CachedBeaconState,
  signed: SignedExecutionPayloadEnvelope,
  engine: ExecutionEngine,
  opts: EnvelopeProcessingOptions = {},
): void {
  const { state, ctx } = cs;
  const envelope = signed.message;
  const payload = envelope.payload;
  const fail = (code: EnvelopeErrorCode, message: string, data: Record<string, unknown> = {}) =>
    new EnvelopeError(code, message, data);

  // The envelope names the block by its final root: the header with its state root filled in,
  // which is written to the state only once every check has passed
  const header = state.latest_block_header.toValue();
  const fillStateRoot = bytesEqual(header.state_root, ZERO_HASH);
  if (fillStateRoot) header.state_root = state.hashTreeRoot();
  const blockRoot = BeaconBlockHeader.hashTreeRoot(header);
  if (!bytesEqual(envelope.beacon_block_root, blockRoot)) {
    throw fail(EnvelopeErrorCode.WRONG_BLOCK_ROOT, "envelope is not for the state's latest block", {
      beaconBlockRoot: toHex(envelope.beacon_block_root),
      expected: toHex(blockRoot),
    });
  }
  if (envelope.slot !== state.slot || state.latest_block_header.slot !== state.slot) {
    throw fail(EnvelopeErrorCode.WRONG_SLOT, "envelope slot is not the latest block's slot", {
      envelopeSlot: envelope.slot,
      stateSlot: state.slot,
    });
  }
  const commitment = state.latest_payload_commitment;
  if (bytesEqual(commitment.block_hash, ZERO_HASH)) {
    throw fail(EnvelopeErrorCode.NO_PAYLOAD_COMMITTED, "the block committed to no payload", {});
  }
  const slotIndex = state.slot % ctx.preset.SLOTS_PER_HISTORICAL_ROOT;
  if (state.execution_payload_availability.get(slotIndex)) {
    throw fail(EnvelopeErrorCode.ALREADY_REVEALED, "this slot's payload was already revealed", {});
  }
  if (envelope.ticket_id !== commitment.ticket_id) {
    throw fail(EnvelopeErrorCode.WRONG_TICKET, "envelope names another ticket than the commitment", {
      ticketId: envelope.ticket_id,
      committedTicketId: commitment.ticket_id,
    });
  }
  if (!bytesEqual(payload.block_hash, commitment.block_hash)) {
    throw fail(EnvelopeErrorCode.BLOCK_HASH_MISMATCH, "payload hash differs from the committed hash", {
      blockHash: toHex(payload.block_hash),
      committed: toHex(commitment.block_hash),
    });
  }
  if (!bytesEqual(payload.parent_hash, state.latest_block_hash)) {
    throw fail(EnvelopeErrorCode.PARENT_HASH_MISMATCH, "payload does not extend the latest payload", {
      parentHash: toHex(payload.parent_hash),
      latestBlockHash: toHex(state.latest_block_hash),
    });
  }
  if (!bytesEqual(payload.fee_recipient, commitment.fee_recipient)) {
    throw fail(EnvelopeErrorCode.FEE_RECIPIENT_MISMATCH, "payload fee recipient differs from the commitment", {});
  }
  if (payload.gas_limit !== commitment.gas_limit) {
    throw fail(EnvelopeErrorCode.GAS_LIMIT_MISMATCH, "payload gas limit differs from the commitment", {
      gasLimit: payload.gas_limit,
      committed: commitment.gas_limit,
    });
  }
  if (!bytesEqual(payload.prev_randao, commitment.prev_randao)) {
    throw fail(EnvelopeErrorCode.WRONG_PREV_RANDAO, "payload prev_randao differs from the commitment", {});
  }
  const timestamp = computeTimestampAtSlot(ctx, state.genesis_time, state.slot);
  if (payload.timestamp !== timestamp) {
    throw fail(EnvelopeErrorCode.WRONG_TIMESTAMP, "payload timestamp is not the slot's time", {
      timestamp: payload.timestamp,
      expected: timestamp,
    });
  }
  let deferredSet: SignatureSet | null = null;
  if (opts.verifySignature ?? true) {
    // Signed by the key that signed the commitment: the ticket's owner, or the proposer when self-built
    const ticket = getTicketAssignment(ctx, state, state.slot);
    const signerPubkey = isSelfBuild(ticket)
      ? state.validators.getReadonly(state.latest_block_header.proposer_index).pubkey
      : state.buyers.getReadonly(ticket.owner).pubkey;
    const set = getExecutionPayloadEnvelopeSignatureSet(cs, signed, signerPubkey);
    if (opts.deferSignatures) deferredSet = set;
    else if (!verifySignatureSet(set)) {
      throw fail(EnvelopeErrorCode.INVALID_SIGNATURE, "envelope signature is invalid", {});
    }
  }
  // Judged, not yet remembered: the engine learns the payload only once the envelope is accepted
  if (engine.notifyNewPayload(payload) === PayloadStatus.INVALID) {
    throw fail(EnvelopeErrorCode.EXECUTION_INVALID, "execution engine rejected the payload", {
      blockHash: toHex(payload.block_hash),
    });
  }

  // The reveal is applied to a copy, adopted only once its root checks out: a rejected envelope
  // leaves `cs` as it was (the header's state root, the availability bit, latest_block_hash)
  state.commit();
  const post = state.clone();
  if (fillStateRoot) post.latest_block_header.state_root = header.state_root;
  post.execution_payload_availability.set(slotIndex, true);
  post.latest_block_hash = payload.block_hash;

  if (opts.verifyStateRoot ?? true) {
    const postRoot = post.hashTreeRoot();
    if (!bytesEqual(envelope.state_root, postRoot)) {
      throw fail(EnvelopeErrorCode.STATE_ROOT_MISMATCH, "envelope state root differs from the post-state", {
        stateRoot: toHex(envelope.state_root),
        expected: toHex(postRoot),
      });
    }
  }
  // Every check passed: only now is anything written, the state, the engine, the deferred set
  cs.state = post;
  engine.recordPayload?.(payload);
  if (deferredSet !== null) opts.deferSignatures?.push(deferredSet);
}
