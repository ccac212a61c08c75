import {
  computeStartSlotAtEpoch,
  getBlockProposerSignatureSet,
  type SignedBeaconBlock,
  toHex,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain, PrecheckedBlock } from "../chain.ts";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import type { SeenIndices } from "../seenIndices.ts";
import { MAXIMUM_GOSSIP_CLOCK_DISPARITY_SECONDS } from "./constants.ts";

/** Refusals that come after the proposer's signature was verified: the block is a signed header still. */
export const SIGNED_BLOCK_REFUSALS: ReadonlySet<string> = new Set([
  ChainErrorCode.UNKNOWN_PARENT,
  ChainErrorCode.PARENT_PAYLOAD_UNKNOWN,
  ChainErrorCode.NOT_AFTER_PARENT,
  ChainErrorCode.NOT_FINALIZED_DESCENDANT,
  ChainErrorCode.WRONG_PROPOSER,
]);

/**
 * Gossip validation of `beacon_block` (phase0 p2p-interface, as amended for Gloas), in the spec's
 * order and before any state transition: every check here costs at most a hash and one signature,
 * so an invalid block is refused cheaply and its sender scored. Throws GossipValidationError;
 * returns what the import need not check again. Blocks that pass still go through the state
 * transition on import (which checks everything else and maps to REJECT when it fails).
 *
 * @param time now, in Unix seconds
 * @param seen proposers that already showed a validly signed block, by slot (updated here)
 */
export function validateGossipBlock(
  chain: Chain,
  signed: SignedBeaconBlock,
  time: number,
  seen: SeenIndices,
): PrecheckedBlock {
  const { ctx } = chain;
  const block = signed.message;
  const { slot, proposer_index: proposerIndex } = block;
  const genesisTime = chain.anchor.state.genesis_time;

  // [IGNORE] The block is not from a future slot (with a MAXIMUM_GOSSIP_CLOCK_DISPARITY allowance)
  // -- i.e. validate that signed_beacon_block.message.slot <= current_slot
  // (written so that a slot decoded as Infinity, uint64 2^64-1, fails too)
  const latestSlot = Math.floor(
    (time + MAXIMUM_GOSSIP_CLOCK_DISPARITY_SECONDS - genesisTime) / ctx.config.SECONDS_PER_SLOT,
  );
  if (!(slot <= latestSlot)) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.FUTURE_SLOT, "block is from a future slot", {
      slot,
      latestSlot,
    });
  }
  // [IGNORE] The block is from a slot greater than the latest finalized slot
  const finalizedSlot = computeStartSlotAtEpoch(ctx, chain.forkChoice.finalized.epoch);
  if (!(slot > finalizedSlot)) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.NOT_AFTER_FINALIZED, "block is not after finality", {
      slot,
      finalizedSlot,
    });
  }
  const rootBytes = ctx.ssz.BeaconBlock.hashTreeRoot(block);
  const root = toHex(rootBytes);
  const parentRoot = toHex(block.parent_root);
  // Already imported (from another peer, or fetched by root): nothing to do
  if (chain.hasBlock(root)) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.ALREADY_KNOWN, "block already imported", { root });
  }
  // [IGNORE] The block is the first block with valid signature received for the proposer for the slot
  if (seen.has(slot, proposerIndex)) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.REPEAT_PROPOSAL, "proposer already showed a block", {
      slot,
      proposerIndex,
    });
  }
  // [REJECT] The proposer signature, signed_beacon_block.signature, is valid with respect to the
  // proposer_index pubkey. (An index our registry does not know yet cannot be checked: IGNORE.)
  if (chain.anchor.caches.pubkeys.index2pubkey[proposerIndex] === undefined) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.UNKNOWN_PROPOSER, "proposer index not in the registry", {
      proposerIndex,
    });
  }
  if (!verifySignatureSet(getBlockProposerSignatureSet(chain.anchor, block, signed.signature, rootBytes))) {
    throw new GossipValidationError("REJECT", ChainErrorCode.BAD_PROPOSER_SIGNATURE, "invalid proposer signature", {
      root,
      proposerIndex,
    });
  }
  seen.add(slot, proposerIndex);
  // [IGNORE] The block's parent (defined by block.parent_root) has been seen
  // (a client MAY queue blocks for processing once the parent block is retrieved)
  const parent = chain.getEntry(parentRoot);
  if (!parent) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.UNKNOWN_PARENT, "parent block unknown", {
      root,
      parentRoot,
    });
  }
  // [IGNORE] (Gloas) The block's parent execution payload (defined by bid.parent_block_hash) has
  // been seen (a client MAY queue blocks for processing once the parent payload is retrieved)
  const onFull = chain.buildsOnFull(signed, parent);
  if (onFull && !parent.payloadKnown) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.PARENT_PAYLOAD_UNKNOWN, "parent payload unknown", {
      root,
      parentRoot,
    });
  }
  // [REJECT] The block's parent passes validation: only valid blocks are stored, so a known parent does
  // [REJECT] The block is from a higher slot than its parent
  if (!(slot > parent.slot)) {
    throw new GossipValidationError("REJECT", ChainErrorCode.NOT_AFTER_PARENT, "block is not after its parent", {
      slot,
      parentSlot: parent.slot,
    });
  }
  // [REJECT] The current finalized_checkpoint is an ancestor of block -- i.e.
  // get_ancestor(store, block.parent_root, compute_start_slot_at_epoch(finalized.epoch)) == finalized.root
  const finalized = chain.forkChoice.finalized;
  if (chain.forkChoice.checkpointBlockRoot(parentRoot, finalized.epoch) !== finalized.root) {
    throw new GossipValidationError(
      "REJECT",
      ChainErrorCode.NOT_FINALIZED_DESCENDANT,
      "block does not descend from the finalized block",
      { root, parentRoot },
    );
  }
  // [REJECT] The block is proposed by the expected proposer_index for the block's slot in the
  // context of the current shuffling (defined by parent_root/slot). Known from the parent's state
  // or the branch's remembered proposers; otherwise (the first block of an epoch on a new branch)
  // the state transition checks it, the block being signed by a validator already.
  const expected = chain.knownProposer(parentRoot, onFull, slot);
  if (expected !== undefined && expected !== proposerIndex) {
    throw new GossipValidationError("REJECT", ChainErrorCode.WRONG_PROPOSER, "block is not from the slot's proposer", {
      slot,
      proposerIndex,
      expected,
    });
  }
  return { root, proposerSignatureVerified: true };
}
