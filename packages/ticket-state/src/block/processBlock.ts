import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { BeaconBlock } from "../types/index.ts";
import { BlockRootReader } from "../util/blockRoots.ts";
import { processAttestation } from "./processAttestation.ts";
import { processAttesterSlashing } from "./processAttesterSlashing.ts";
import { processBlockHeader } from "./processBlockHeader.ts";
import { processHolderSlashing } from "./processHolderSlashing.ts";
import { processPayloadAttestation } from "./processPayloadAttestation.ts";
import { processPayloadCommitment } from "./processPayloadCommitment.ts";
import { processProposerSlashing } from "./processProposerSlashing.ts";
import { processRandao } from "./processRandao.ts";
import { processTicketBid } from "./processTicketBid.ts";
import { processTicketFill } from "./processTicketFill.ts";
import { processTicketPurchase } from "./processTicketPurchase.ts";
import { processTicketSellBack } from "./processTicketSellBack.ts";
import { processTicketTransfer } from "./processTicketTransfer.ts";
import { processVoluntaryExit } from "./processVoluntaryExit.ts";
import type { BlockProcessingContext } from "./types.ts";

/** `process_block`: mutates `cs` in place; callers that must keep their state on failure pass a clone. */
export function processBlock(cs: CachedBeaconState, block: BeaconBlock, bctx: BlockProcessingContext): void {
  processBlockHeader(cs, block);
  // Before RANDAO: the commitment names the mix the holder saw, which the reveal then changes
  processPayloadCommitment(cs, block, bctx);
  processRandao(cs, block, bctx);
  processOperations(cs, block, bctx);
}

/** `process_operations`, in the order the body lists them. */
export function processOperations(cs: CachedBeaconState, block: BeaconBlock, bctx: BlockProcessingContext): void {
  const { body } = block;
  for (const op of body.proposer_slashings) processProposerSlashing(cs, op, bctx);
  for (const op of body.attester_slashings) processAttesterSlashing(cs, op, bctx);
  // Attestations of one block read the same few block roots: each is read from the tree once
  const roots = new BlockRootReader(cs.ctx, cs.state);
  for (const op of body.attestations) processAttestation(cs, op, bctx, roots);
  for (const op of body.voluntary_exits) processVoluntaryExit(cs, op, bctx);
  for (const op of body.ticket_purchases) processTicketPurchase(cs, op, bctx);
  for (const op of body.ticket_transfers) processTicketTransfer(cs, op, bctx);
  for (const op of body.payload_attestations) processPayloadAttestation(cs, op, bctx);
  for (const op of body.ticket_bids) processTicketBid(cs, op, bctx);
  for (const op of body.ticket_fills) processTicketFill(cs, op, bctx);
  for (const op of body.holder_slashings) processHolderSlashing(cs, op, bctx);
  for (const op of body.ticket_sell_backs) processTicketSellBack(cs, op, bctx);
}
