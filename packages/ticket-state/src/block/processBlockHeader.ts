import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { BlockError, BlockErrorCode } from "../errors/index.ts";
import { ZERO_HASH } from "../params/constants.ts";
import type { BeaconBlock } from "../types/index.ts";
import { BeaconBlockHeader } from "../types/sszTypes.ts";
import { bytesEqual, toHex } from "../util/bytes.ts";

export function processBlockHeader(cs: CachedBeaconState, block: BeaconBlock): void {
  const { state } = cs;
  // [REJECT] the block is for the state's slot
  if (block.slot !== state.slot) {
    throw new BlockError(BlockErrorCode.SLOT_MISMATCH, "block slot differs from state slot", {
      blockSlot: block.slot,
      stateSlot: state.slot,
    });
  }
  // the block is newer than the latest block header
  if (block.slot <= state.latest_block_header.slot) {
    throw new BlockError(BlockErrorCode.NOT_NEWER_THAN_LATEST_HEADER, "block is not newer than the latest header", {
      blockSlot: block.slot,
      latestSlot: state.latest_block_header.slot,
    });
  }
  // the proposer index is the slot's proposer
  const expectedProposer = cs.epochCtx.getBeaconProposer(state.slot);
  if (block.proposer_index !== expectedProposer) {
    throw new BlockError(BlockErrorCode.WRONG_PROPOSER, "block proposer is not the slot's proposer", {
      proposerIndex: block.proposer_index,
      expectedProposer,
    });
  }
  // the parent root matches the latest block header
  const latestRoot = state.latest_block_header.hashTreeRoot();
  if (!bytesEqual(block.parent_root, latestRoot)) {
    throw new BlockError(BlockErrorCode.PARENT_ROOT_MISMATCH, "block parent root is not the latest header's root", {
      parentRoot: toHex(block.parent_root),
      expected: toHex(latestRoot),
    });
  }
  // the proposer is not slashed
  if (state.validators.getReadonly(block.proposer_index).slashed) {
    throw new BlockError(BlockErrorCode.PROPOSER_SLASHED, "block proposer is slashed", {
      proposerIndex: block.proposer_index,
    });
  }
  // Cache the header; its state root is filled in by the next process_slot
  state.latest_block_header = BeaconBlockHeader.toViewDU({
    slot: block.slot,
    proposer_index: block.proposer_index,
    parent_root: block.parent_root,
    state_root: ZERO_HASH,
    body_root: cs.ctx.ssz.BeaconBlockBody.hashTreeRoot(block.body),
  });
}
