import { type Head, PayloadStatus } from "@turnstile/fork-choice";
import {
  type CachedBeaconState,
  type ChainContext,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  getBlockRootAtSlot,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import type { BlockEntry, Chain } from "../chain/chain.ts";
import type { Reorg } from "../chain/reorg.ts";
import { CONSENSUS_VERSION, STATUS_NAMES } from "./responses.ts";

/** The node imports every payload through its own execution engine: nothing it reports is optimistic. */
const EXECUTION_OPTIMISTIC = false;

/**
 * Root of the state a block leaves: the post-payload state (the envelope's `state_root`) for its FULL
 * variant, else the post-block state (the block's `state_root`). The anchor's entry is a stand-in
 * without a state root: its state is hashed.
 */
export function stateRootOf(chain: Chain, root: string, full: boolean): string {
  if (root === chain.anchorRoot) return toHex(chain.anchor.hashTreeRoot());
  const entry = chain.getEntry(root);
  if (!entry) return toHex(chain.regen.getPostState(root, full).hashTreeRoot());
  return toHex(full && entry.envelope ? entry.envelope.message.state_root : entry.block.message.state_root);
}

/**
 * `get_block_root_at_slot(state, compute_start_slot_at_epoch(epoch) - 1)`, the root duties of `epoch`
 * depend on. Spec: "All dependent roots use the genesis block root in the case of underflow."
 */
function dependentRoot(ctx: ChainContext, state: CachedBeaconState, headRoot: string, epoch: number): string {
  const slot = computeStartSlotAtEpoch(ctx, epoch) - 1;
  if (slot >= 0) return toHex(getBlockRootAtSlot(ctx, state.state, slot));
  // Underflow happens only in the first epochs, where the state still holds the genesis root (or is genesis)
  return state.state.slot === 0 ? headRoot : toHex(getBlockRootAtSlot(ctx, state.state, 0));
}

/** What `head` and `head_v2` share: the head, its state and the roots its duties depend on. */
function headFacts(chain: Chain, head: Head, previous: Head | null) {
  const epoch = computeEpochAtSlot(chain.ctx, head.slot);
  // Block roots are the same before and after the payload: the post-block state has them
  const state = chain.regen.getPostState(head.root, false);
  return {
    slot: String(head.slot),
    block: head.root,
    state: stateRootOf(chain, head.root, head.payloadStatus === PayloadStatus.FULL),
    // The head moved into another epoch than the previous head's: duties may have changed
    epoch_transition: previous !== null && computeEpochAtSlot(chain.ctx, previous.slot) !== epoch,
    rootBeforeEpoch: dependentRoot(chain.ctx, state, head.root, epoch),
    rootBeforePreviousEpoch: dependentRoot(chain.ctx, state, head.root, epoch - 1),
  };
}

/** `head` (deprecated by `head_v2`), with Turnstile's `payload_status` as an extra field. */
export function headEvent(chain: Chain, head: Head, previous: Head | null) {
  const f = headFacts(chain, head, previous);
  return {
    slot: f.slot,
    block: f.block,
    state: f.state,
    epoch_transition: f.epoch_transition,
    previous_duty_dependent_root: f.rootBeforePreviousEpoch,
    current_duty_dependent_root: f.rootBeforeEpoch,
    execution_optimistic: EXECUTION_OPTIMISTIC,
    payload_status: STATUS_NAMES[head.payloadStatus],
  };
}

/**
 * `head_v2` (Gloas): the head block and its payload status. Spec: `current_epoch_dependent_root` is
 * `get_block_root_at_slot(state, compute_start_slot_at_epoch(epoch - 1) - 1)` and
 * `next_epoch_dependent_root` is `get_block_root_at_slot(state, compute_start_slot_at_epoch(epoch) - 1)`.
 */
export function headV2Event(chain: Chain, head: Head, previous: Head | null) {
  const f = headFacts(chain, head, previous);
  return {
    version: CONSENSUS_VERSION,
    data: {
      slot: f.slot,
      block: f.block,
      state: f.state,
      payload_status: STATUS_NAMES[head.payloadStatus].toLowerCase(),
      epoch_transition: f.epoch_transition,
      current_epoch_dependent_root: f.rootBeforePreviousEpoch,
      next_epoch_dependent_root: f.rootBeforeEpoch,
      execution_optimistic: EXECUTION_OPTIMISTIC,
    },
  };
}

export function blockEvent(entry: BlockEntry) {
  return { slot: String(entry.slot), block: entry.root, execution_optimistic: EXECUTION_OPTIMISTIC };
}

/** `finalized_checkpoint`: the checkpoint's block and the state that block left (its `state_root`). */
export function finalizedEvent(chain: Chain, checkpoint: { epoch: number; root: string }) {
  return {
    block: checkpoint.root,
    state: stateRootOf(chain, checkpoint.root, false),
    epoch: String(checkpoint.epoch),
    execution_optimistic: EXECUTION_OPTIMISTIC,
  };
}

/**
 * `chain_reorg`: the head moved to a block that does not descend from the old head. `oldHead` is the
 * head before the move, when known, for the payload variant the old head's state is named by.
 */
export function chainReorgEvent(chain: Chain, reorg: Reorg, oldHead: Head | null, newHead: Head | null) {
  const full = (h: Head | null, root: string) => h?.root === root && h.payloadStatus === PayloadStatus.FULL;
  return {
    slot: String(reorg.slot),
    depth: String(reorg.depth),
    old_head_block: reorg.oldHeadRoot,
    new_head_block: reorg.newHeadRoot,
    old_head_state: stateRootOf(chain, reorg.oldHeadRoot, full(oldHead, reorg.oldHeadRoot)),
    new_head_state: stateRootOf(chain, reorg.newHeadRoot, full(newHead, reorg.newHeadRoot)),
    epoch: String(computeEpochAtSlot(chain.ctx, reorg.slot)),
    execution_optimistic: EXECUTION_OPTIMISTIC,
  };
}

/**
 * `execution_payload` (Gloas): a payload envelope was imported. Turnstile's builder is the holder of the
 * slot's ticket, so `builder_index` is the envelope's `ticket_id` (self-build: 2^64-1, as Gloas's
 * `BUILDER_INDEX_SELF_BUILD`).
 */
export function executionPayloadEvent(entry: BlockEntry) {
  const envelope = entry.envelope!.message;
  return {
    slot: String(envelope.slot),
    builder_index: sszTypes.TicketId.toJson(envelope.ticket_id),
    block_hash: toHex(envelope.payload.block_hash),
    block_root: entry.root,
    execution_optimistic: EXECUTION_OPTIMISTIC,
  };
}

/** Turnstile's `payload`: the block whose payload was revealed and the payload's hash. */
export function payloadEvent(entry: BlockEntry) {
  return { slot: String(entry.slot), block: entry.root, block_hash: toHex(entry.envelope!.message.payload.block_hash) };
}
