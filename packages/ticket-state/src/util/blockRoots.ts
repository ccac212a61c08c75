import type { ChainContext } from "../config/chainContext.ts";
import { TicketStateError } from "../errors/TicketStateError.ts";
import type { BeaconStateView } from "../types/index.ts";
import { BeaconBlockHeader } from "../types/sszTypes.ts";
import { computeStartSlotAtEpoch } from "./epoch.ts";

/** `get_block_root_at_slot`: only the last SLOTS_PER_HISTORICAL_ROOT slots before the state's slot. */
export function getBlockRootAtSlot(ctx: ChainContext, state: BeaconStateView, slot: number): Uint8Array {
  const { SLOTS_PER_HISTORICAL_ROOT } = ctx.preset;
  if (!(slot < state.slot && state.slot <= slot + SLOTS_PER_HISTORICAL_ROOT)) {
    throw new TicketStateError("SLOT_OUT_OF_RANGE", `no block root for slot ${slot} at state slot ${state.slot}`, {
      slot,
      stateSlot: state.slot,
    });
  }
  return state.block_roots.get(slot % SLOTS_PER_HISTORICAL_ROOT);
}

/**
 * `get_block_root_at_slot` with each root read from the tree once: for the rules of one block,
 * which never write block roots (only `process_slot` does) nor move the state's slot. An
 * attestation reads four or more roots (and a walk back over skipped slots), mostly the same ones.
 */
export class BlockRootReader {
  private readonly ctx: ChainContext;
  private readonly state: BeaconStateView;
  private readonly roots = new Map<number, Uint8Array>();

  constructor(ctx: ChainContext, state: BeaconStateView) {
    this.ctx = ctx;
    this.state = state;
  }

  atSlot(slot: number): Uint8Array {
    let root = this.roots.get(slot);
    if (root === undefined) {
      root = getBlockRootAtSlot(this.ctx, this.state, slot);
      this.roots.set(slot, root);
    }
    return root;
  }

  atEpoch(epoch: number): Uint8Array {
    return this.atSlot(computeStartSlotAtEpoch(this.ctx, epoch));
  }
}

export function getBlockRoot(ctx: ChainContext, state: BeaconStateView, epoch: number): Uint8Array {
  return getBlockRootAtSlot(ctx, state, computeStartSlotAtEpoch(ctx, epoch));
}

/**
 * Root of the state's latest block: its header with the state root filled in, as the next
 * process_slot would fill it (right after a block the header's state root is still zero).
 */
export function latestBlockRoot(state: BeaconStateView): Uint8Array {
  const header = state.latest_block_header.toValue();
  if (header.state_root.every((b) => b === 0)) header.state_root = state.hashTreeRoot();
  return BeaconBlockHeader.hashTreeRoot(header);
}
