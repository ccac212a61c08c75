import assert from "node:assert/strict";
import {
  type BeaconBlock,
  type BlockProcessingContext,
  type CachedBeaconState,
  computeEpochAtSlot,
  computeTimestampAtSlot,
  DEFAULT_GAS_LIMIT,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_PAYLOAD_COMMITMENT,
  DOMAIN_PAYLOAD_ENVELOPE,
  type ExecutionPayload,
  type ExecutionPayloadCommitment,
  type ExecutionPayloadEnvelope,
  getBlockProposerSignatureSet,
  getRandaoMix,
  getTicketAssignment,
  isSelfBuild,
  processBlock,
  processExecutionPayload,
  processSlotsCopy,
  type SignatureSet,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  type StateTransitionOptions,
  sszTypes,
  stateTransition,
  type TicketStateError,
  verifySignatureSet,
  ZERO_HASH,
} from "@turnstile/ticket-state";
import { type DevChain, signObject } from "@turnstile/ticket-state/dev";

export type SecretKey = DevChain["validatorKeys"][number];
// biome-ignore lint/suspicious/noExplicitAny: error classes take varied constructor arguments
type ErrorClass<E> = new (...args: any[]) => E;

/** A processing context that collects the signature sets a rule asks for. */
export function collecting(): BlockProcessingContext & { signatureSets: SignatureSet[] } {
  return { signatureSets: [] };
}

/** Assert that `fn` throws an `errorClass` with `code`, and return the error. */
export function assertThrowsCode<E extends TicketStateError>(
  fn: () => unknown,
  errorClass: ErrorClass<E>,
  code: E["code"],
): E {
  let caught: unknown = null;
  assert.throws(fn, (e: unknown) => {
    caught = e;
    return e instanceof errorClass && e.code === code;
  });
  return caught as unknown as E;
}

/**
 * Assert that a rule applied to `cs` throws `errorClass`/`code` and that it threw before touching
 * the state (every rule checks all its preconditions before it writes).
 */
export function assertRuleRejects<E extends TicketStateError>(
  cs: CachedBeaconState,
  fn: () => unknown,
  errorClass: ErrorClass<E>,
  code: E["code"],
): E {
  const before = cs.hashTreeRoot();
  const error = assertThrowsCode(fn, errorClass, code);
  assert.deepEqual(cs.hashTreeRoot(), before, "a rejected operation must leave the state as it was");
  return error;
}

/** Assert that `stateTransition` rejects the block with `errorClass`/`code` and leaves `pre` unchanged. */
export function assertBlockRejected<E extends TicketStateError>(
  pre: CachedBeaconState,
  signedBlock: SignedBeaconBlock,
  errorClass: ErrorClass<E>,
  code: E["code"],
  opts: StateTransitionOptions = {},
): E {
  const rootBefore = pre.hashTreeRoot();
  const slotBefore = pre.state.slot;
  const error = assertThrowsCode(() => stateTransition(pre, signedBlock, opts), errorClass, code);
  assert.deepEqual(pre.hashTreeRoot(), rootBefore, "a rejected block must leave the caller's state unchanged");
  assert.equal(pre.state.slot, slotBefore);
  return error;
}

/** Assert that every set verifies on its own. */
export function assertSetsVerify(sets: SignatureSet[]): void {
  for (const set of sets) assert.ok(verifySignatureSet(set), `${set.kind} signature set should verify`);
}

/** Public key bytes of the single key of a set. */
export function setPubkey(set: SignatureSet): Uint8Array {
  assert.equal(set.type, "single");
  return set.type === "single" ? set.pubkey.toBytes() : new Uint8Array();
}

/** A deep copy of a signed block that may be tampered with freely. */
export function cloneBlock(chain: DevChain, signed: SignedBeaconBlock): SignedBeaconBlock {
  return chain.ctx.ssz.SignedBeaconBlock.clone(signed);
}

/**
 * Re-sign a (tampered) block as its proposer would, after recomputing its state root when the
 * block still processes (a block that does not process keeps its old root: it is rejected first).
 */
export function resignBlock(
  chain: DevChain,
  block: BeaconBlock,
  pre: CachedBeaconState = chain.head,
): SignedBeaconBlock {
  const scratch = processSlotsCopy(pre, block.slot);
  try {
    processBlock(scratch, block, { signatureSets: null });
    block.state_root = scratch.hashTreeRoot();
  } catch {
    // rejected before its state root matters
  }
  return signBlock(chain, block, pre);
}

/** Sign `block` with its proposer's key, as it is (state root included). */
export function signBlock(chain: DevChain, block: BeaconBlock, pre: CachedBeaconState = chain.head): SignedBeaconBlock {
  const epoch = computeEpochAtSlot(chain.ctx, block.slot);
  const sk = chain.validatorKeys[block.proposer_index];
  return {
    message: block,
    signature: signObject(pre, sk, chain.ctx.ssz.BeaconBlock, block, DOMAIN_BEACON_PROPOSER, epoch),
  };
}

/** The key that must sign the commitment (and envelope) of `slot`: the ticket's owner, or the proposer. */
export function builderKey(chain: DevChain, cs: CachedBeaconState, slot: number): SecretKey {
  const ticket = getTicketAssignment(chain.ctx, cs.state, slot);
  return isSelfBuild(ticket) ? chain.validatorKeys[cs.epochCtx.getBeaconProposer(slot)] : chain.buyerKeys[ticket.owner];
}

export function signCommitment(
  chain: DevChain,
  cs: CachedBeaconState,
  message: ExecutionPayloadCommitment,
  sk: SecretKey,
): Uint8Array {
  const epoch = computeEpochAtSlot(chain.ctx, message.slot);
  return signObject(cs, sk, sszTypes.ExecutionPayloadCommitment, message, DOMAIN_PAYLOAD_COMMITMENT, epoch);
}

/** Replace a block's commitment, signing it with `sk`, then recompute the root and re-sign the block. */
export function withCommitment(
  chain: DevChain,
  signed: SignedBeaconBlock,
  message: ExecutionPayloadCommitment,
  sk: SecretKey | null,
  signature?: Uint8Array,
): SignedBeaconBlock {
  const block = cloneBlock(chain, signed).message;
  const pre = processSlotsCopy(chain.head, block.slot);
  block.body.signed_payload_commitment = {
    message,
    signature: signature ?? (sk === null ? new Uint8Array(96) : signCommitment(chain, pre, message, sk)),
  };
  return resignBlock(chain, block);
}

/**
 * The payload an honest builder makes for `signed`'s slot, as the built-in engine builds it: its
 * prev_randao is the mix before the block's reveal, which the commitment names too.
 */
export function honestPayload(chain: DevChain, signed: SignedBeaconBlock, feeByte = 0xbb): ExecutionPayload {
  const slot = signed.message.slot;
  const pre = processSlotsCopy(chain.head, slot);
  return chain.engine.buildPayload({
    parentHash: pre.state.latest_block_hash,
    feeRecipient: new Uint8Array(20).fill(feeByte),
    gasLimit: DEFAULT_GAS_LIMIT,
    timestamp: computeTimestampAtSlot(chain.ctx, pre.state.genesis_time, slot),
    prevRandao: mixBeforeReveal(chain, slot),
    slot,
  });
}

/** The RANDAO mix a commitment for `slot` names: the current epoch's, before the block's reveal. */
export function mixBeforeReveal(chain: DevChain, slot: number): Uint8Array {
  const pre = processSlotsCopy(chain.head, slot);
  return getRandaoMix(chain.ctx, pre.state, computeEpochAtSlot(chain.ctx, slot));
}

/**
 * Assert that a BLOCK_INVALID_SIGNATURE error names the first set of the block's batch that does
 * not verify: the batch is rebuilt (proposer first, then the sets in processing order).
 */
export function assertNamesFirstBadSet(
  pre: CachedBeaconState,
  signed: SignedBeaconBlock,
  error: TicketStateError,
  kind: string,
): void {
  const scratch = processSlotsCopy(pre, signed.message.slot);
  const sets: SignatureSet[] = [];
  processBlock(scratch, signed.message, { signatureSets: sets });
  sets.unshift(getBlockProposerSignatureSet(scratch, signed.message, signed.signature));
  const index = error.data.setIndex as number;
  assert.equal(error.data.kind, kind);
  assert.equal(sets[index].kind, kind, "setIndex points at a set of the named kind");
  assert.equal(verifySignatureSet(sets[index]), false, "the named set does not verify");
  for (let i = 0; i < index; i++) assert.ok(verifySignatureSet(sets[i]), `set ${i} (${sets[i].kind}) verifies`);
}

export interface CommittedBlock {
  signed: SignedBeaconBlock;
  /** Post-block state, imported with every signature verified. */
  post: CachedBeaconState;
  blockRoot: Uint8Array;
  payload: ExecutionPayload;
}

/**
 * A block of the next slot whose commitment names `payload` (after `edit`, re-hashed unless
 * `rehash` is false), signed by the slot's rightful builder; imported with signatures verified.
 */
export function blockCommittingTo(
  chain: DevChain,
  edit: (payload: ExecutionPayload) => void = () => {},
  opts: { rehash?: boolean; commitment?: Partial<ExecutionPayloadCommitment> } = {},
): CommittedBlock {
  const slot = chain.slot + 1;
  const produced = chain.produceBlock(slot);
  const payload = honestPayload(chain, produced);
  edit(payload);
  if (opts.rehash ?? true) payload.block_hash = chain.engine.computeBlockHash(payload);
  const pre = processSlotsCopy(chain.head, slot);
  const message: ExecutionPayloadCommitment = {
    ...produced.message.body.signed_payload_commitment.message,
    block_hash: payload.block_hash,
    fee_recipient: payload.fee_recipient,
    prev_randao: payload.prev_randao,
    gas_limit: payload.gas_limit,
    ...opts.commitment,
  };
  const signed = withCommitment(chain, produced, message, builderKey(chain, pre, slot));
  const post = stateTransition(chain.head, signed);
  return { signed, post, blockRoot: chain.ctx.ssz.BeaconBlock.hashTreeRoot(signed.message), payload };
}

/** A signed envelope for `payload` on the post-block state, with the post-envelope state root when it applies. */
export function makeEnvelope(
  chain: DevChain,
  post: CachedBeaconState,
  blockRoot: Uint8Array,
  payload: ExecutionPayload,
  opts: { edit?: (message: ExecutionPayloadEnvelope) => void; signer?: SecretKey } = {},
): SignedExecutionPayloadEnvelope {
  const message: ExecutionPayloadEnvelope = {
    payload,
    beacon_block_root: blockRoot,
    slot: post.state.slot,
    ticket_id: post.state.latest_payload_commitment.ticket_id,
    state_root: ZERO_HASH,
  };
  opts.edit?.(message);
  const scratch = post.clone();
  try {
    processExecutionPayload(scratch, { message, signature: new Uint8Array(96) }, acceptAll, {
      verifySignature: false,
      verifyStateRoot: false,
    });
    message.state_root = scratch.hashTreeRoot();
  } catch {
    // an envelope rejected before its state root matters
  }
  const signer = opts.signer ?? builderKey(chain, post, post.state.slot);
  const epoch = computeEpochAtSlot(chain.ctx, message.slot);
  const type = chain.ctx.ssz.ExecutionPayloadEnvelope;
  return { message, signature: signObject(post, signer, type, message, DOMAIN_PAYLOAD_ENVELOPE, epoch) };
}

/** An engine that accepts every payload (dry runs must not teach the real engine anything). */
export const acceptAll = { notifyNewPayload: () => "VALID" as const };

/** Sign an envelope message again (after an edit) with `sk`. */
export function resignEnvelope(
  chain: DevChain,
  cs: CachedBeaconState,
  message: ExecutionPayloadEnvelope,
  sk: SecretKey,
): SignedExecutionPayloadEnvelope {
  const epoch = computeEpochAtSlot(chain.ctx, message.slot);
  const type = chain.ctx.ssz.ExecutionPayloadEnvelope;
  return { message, signature: signObject(cs, sk, type, message, DOMAIN_PAYLOAD_ENVELOPE, epoch) };
}

/** Bytes that differ from `bytes` in the last position. */
export function flipLast(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1] ^= 1;
  return out;
}
