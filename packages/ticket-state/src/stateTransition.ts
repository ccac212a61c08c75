import { processBlock } from "./block/processBlock.ts";
import { type SignatureSet, verifySignatureSets } from "./bls/signatureSet.ts";
import type { CachedBeaconState } from "./cache/cachedBeaconState.ts";
import type { ExecutionEngine } from "./engine/executionEngine.ts";
import { type EnvelopeProcessingOptions, processExecutionPayload } from "./envelope/processExecutionPayload.ts";
import { BlockError, BlockErrorCode } from "./errors/index.ts";
import { getBlockProposerSignatureSet } from "./signatureSets/index.ts";
import { processSlots } from "./slot/processSlots.ts";
import type { SignedBeaconBlock, SignedExecutionPayloadEnvelope } from "./types/index.ts";
import { BeaconBlockHeader } from "./types/sszTypes.ts";
import { bytesEqual, toHex } from "./util/bytes.ts";

export interface StateTransitionOptions {
  /** Verify every signature of the block in one batch (default true). */
  verifySignatures?: boolean;
  /** Check `block.state_root` against the post-state (default true; block producers turn it off). */
  verifyStateRoot?: boolean;
  /**
   * With `verifySignatures`, append the block's signature sets here instead of verifying them: the
   * caller verifies them later, e.g. a whole range-sync batch in one multi-verification.
   */
  deferSignatures?: SignatureSet[];
  /**
   * The latest slot the caller's clock admits (fork choice: `block.slot <= get_current_slot(store)`).
   * A block beyond it is refused before any slot is processed: each empty slot costs work, so a
   * block from the far future would otherwise keep `process_slots` busy for as long as it names.
   */
  maxSlot?: number;
}

/**
 * `state_transition`: advance to the block's slot, apply the block, verify its signatures in one
 * batch and its state root. Works on a clone: the caller's state is unchanged whether this
 * returns the post-state or throws a typed error.
 */
export function stateTransition(
  pre: CachedBeaconState,
  signedBlock: SignedBeaconBlock,
  opts: StateTransitionOptions = {},
): CachedBeaconState {
  const verifySignatures = opts.verifySignatures ?? true;
  const block = signedBlock.message;
  assertSlotInRange(block.slot, opts.maxSlot);
  const post = pre.clone();
  processSlots(post, block.slot);
  const signatureSets: SignatureSet[] | null = verifySignatures ? [] : null;
  processBlock(post, block, { signatureSets });
  if (signatureSets !== null) {
    // A block's root is its header's: processBlockHeader already hashed the body into the cached header
    const blockRoot = BeaconBlockHeader.hashTreeRoot({
      ...post.state.latest_block_header.toValue(),
      state_root: block.state_root,
    });
    signatureSets.unshift(getBlockProposerSignatureSet(post, block, signedBlock.signature, blockRoot));
  }
  if (signatureSets !== null && !opts.deferSignatures) {
    const invalid = verifySignatureSets(signatureSets);
    if (invalid >= 0) {
      throw new BlockError(BlockErrorCode.INVALID_SIGNATURE, `invalid ${signatureSets[invalid].kind} signature`, {
        kind: signatureSets[invalid].kind,
        setIndex: invalid,
      });
    }
  }
  if (opts.verifyStateRoot ?? true) {
    const root = post.hashTreeRoot();
    if (!bytesEqual(block.state_root, root)) {
      throw new BlockError(BlockErrorCode.STATE_ROOT_MISMATCH, "block state root differs from the post-state", {
        stateRoot: toHex(block.state_root),
        expected: toHex(root),
      });
    }
  }
  // Handed over only once every other check passed, so a failed block adds nothing
  if (signatureSets !== null && opts.deferSignatures) opts.deferSignatures.push(...signatureSets);
  return post;
}

/**
 * Beyond the spec, checked before `process_slots`: a slot must be an exact integer (a uint64
 * above 2^53 has no exact JS number, and 2^64 - 1 decodes to Infinity, which no loop reaches), and
 * not after the caller's `maxSlot`, if given.
 */
function assertSlotInRange(slot: number, maxSlot: number | undefined): void {
  if (!Number.isSafeInteger(slot)) {
    throw new BlockError(BlockErrorCode.SLOT_OUT_OF_RANGE, "block slot is not an exact integer", { slot });
  }
  if (maxSlot !== undefined && slot > maxSlot) {
    throw new BlockError(BlockErrorCode.FUTURE_SLOT, "block slot is after the latest slot the caller admits", {
      slot,
      maxSlot,
    });
  }
}

/** Advance a copy of `pre` through empty slots to `slot` (the caller's state is unchanged). */
export function processSlotsCopy(pre: CachedBeaconState, slot: number): CachedBeaconState {
  assertSlotInRange(slot, undefined);
  const post = pre.clone();
  processSlots(post, slot);
  return post;
}

/** Apply a payload envelope to a copy of the post-block state of its slot. */
export function stateTransitionEnvelope(
  pre: CachedBeaconState,
  signedEnvelope: SignedExecutionPayloadEnvelope,
  engine: ExecutionEngine,
  opts: EnvelopeProcessingOptions = {},
): CachedBeaconState {
  const post = pre.clone();
  processExecutionPayload(post, signedEnvelope, engine, opts);
  return post;
}
