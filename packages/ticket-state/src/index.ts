// Presets, constants and chain config

export {
  getAttestationParticipationFlagIndices,
  getAttestedBlockSlot,
  getAttestingIndices,
  getIndexedAttestation,
  isAttestationSameSlot,
  PAYLOAD_STATUS_EMPTY,
  PAYLOAD_STATUS_FULL,
  processAttestation,
} from "./block/processAttestation.ts";
export { isSlashableAttestationData, processAttesterSlashing } from "./block/processAttesterSlashing.ts";
export { processBlock, processOperations } from "./block/processBlock.ts";
export { processBlockHeader } from "./block/processBlockHeader.ts";
export { processHolderSlashing } from "./block/processHolderSlashing.ts";
export { getIndexedPayloadAttestation, processPayloadAttestation } from "./block/processPayloadAttestation.ts";
export { isEmptyCommitment, processPayloadCommitment } from "./block/processPayloadCommitment.ts";
export { processProposerSlashing } from "./block/processProposerSlashing.ts";
export { processRandao } from "./block/processRandao.ts";
export { processTicketBid } from "./block/processTicketBid.ts";
export { processTicketFill } from "./block/processTicketFill.ts";
export { processTicketPurchase } from "./block/processTicketPurchase.ts";
export { computeSellBackFee, processTicketSellBack } from "./block/processTicketSellBack.ts";
export { findTransferableTicket, processTicketTransfer } from "./block/processTicketTransfer.ts";
export { processVoluntaryExit } from "./block/processVoluntaryExit.ts";
export type { BlockProcessingContext } from "./block/types.ts";
// BLS: domains, signing roots, signature sets, interop keys
export * from "./bls/index.ts";
// Cached state and its caches
export { CachedBeaconState, type ChainCaches, createChainCaches } from "./cache/cachedBeaconState.ts";
export { EpochContext, type PreparedShuffling } from "./cache/epochContext.ts";
export { computeProposerIndexNative, shuffleListNative } from "./cache/nativeShuffle.ts";
export { computeProposerIndexSpec } from "./cache/proposerIndex.ts";
export {
  configureShuffleWorker,
  ShuffleJob,
  type ShuffleJobCounts,
  type ShuffleJobRunner,
  type ShuffleWorkerSettings,
  shuffleJobCounts,
} from "./cache/shuffleWorker.ts";
export { computeCommitteeCountPerSlot, computeEpochShuffling, type EpochShuffling } from "./cache/shuffling.ts";
export { SHUFFLING_CACHE_MAX_ENTRIES, ShufflingCache, shufflingDecisionKey } from "./cache/shufflingCache.ts";
export * from "./config/index.ts";
export * from "./engine/deterministicEngine.ts";
// Execution engine
export * from "./engine/executionEngine.ts";
export { type EnvelopeProcessingOptions, processExecutionPayload } from "./envelope/processExecutionPayload.ts";
export { computeUnrealizedCheckpoints } from "./epoch/computeUnrealizedCheckpoints.ts";
export {
  beforeProcessEpoch,
  type EpochTransitionCache,
  flushEpochTransitionCache,
  readUint64List,
} from "./epoch/epochTransitionCache.ts";
export { processEffectiveBalanceUpdates } from "./epoch/processEffectiveBalanceUpdates.ts";
export { processEpoch } from "./epoch/processEpoch.ts";
export { processInactivityUpdates } from "./epoch/processInactivityUpdates.ts";
export { processJustificationAndFinalization } from "./epoch/processJustificationAndFinalization.ts";
export { processRegistryUpdates } from "./epoch/processRegistryUpdates.ts";
export {
  processParticipationFlagUpdates,
  processRandaoMixesReset,
  processSlashingsReset,
} from "./epoch/processResets.ts";
export { processRewardsAndPenalties } from "./epoch/processRewardsAndPenalties.ts";
export { processSlashings } from "./epoch/processSlashings.ts";
export { processTicketExpiry } from "./epoch/processTicketExpiry.ts";
export { processTicketRevenue } from "./epoch/processTicketRevenue.ts";
export { getOrCreateValidatorBuyer, processValidatorTicketGrants } from "./epoch/processValidatorTicketGrants.ts";
// Errors
export * from "./errors/index.ts";
// Genesis
export * from "./genesis/createGenesisState.ts";
export { validateInclusionList } from "./inclusionList/validateInclusionList.ts";
export * from "./params/index.ts";
export {
  type BuildCommitmentOptions,
  buildCommitment,
  HOLDER_FEE_RECIPIENT,
  SELF_BUILD_FEE_RECIPIENT,
} from "./produce/buildCommitment.ts";
export { buildInclusionList } from "./produce/buildInclusionList.ts";
export { computeBlockStateRoot, computeEnvelopeStateRoot } from "./produce/computeStateRoots.ts";
export { type BlockOperations, type ProducedBlock, produceBlock } from "./produce/produceBlock.ts";
export { signPayloadCommitment, signTicketFill, signTicketOffer } from "./produce/signHolderMarket.ts";
export { signObject, signTicketSellBack } from "./produce/signObject.ts";
export { signTicketBid } from "./produce/signTicketBid.ts";
// Signature sets
export * from "./signatureSets/index.ts";
export { processSlot } from "./slot/processSlot.ts";
export { processSlots } from "./slot/processSlots.ts";
export {
  computeLotteryIndex,
  drawTicket,
  processTicketPricing,
  processTicketSlot,
  settleTicket,
} from "./slot/processTicketSlot.ts";
// State transition
export * from "./stateTransition.ts";
// Ticket market helpers
export {
  AUCTION_PRICING_RULES,
  type AuctionPricing,
  computeOpenAuctionSlot,
  isAuctionPricing,
  isAuctionSettlementSlot,
} from "./tickets/auctionSchedule.ts";
export {
  computeCurvePrice,
  computeCurvePurchasePrices,
  computeCurveReserve,
  computePurchasePrices,
  isBondingCurve,
} from "./tickets/bondingCurve.ts";
export {
  type AuctionBid,
  type AuctionFill,
  type AuctionOutcome,
  clearTicketAuction,
} from "./tickets/clearTicketAuction.ts";
export { processPendingCollateral, settleTicketCollateral, slashCollateral } from "./tickets/holderCollateral.ts";
export { mintTicket } from "./tickets/mintTicket.ts";
export { computeNextPiTicketPrice } from "./tickets/piTicketPrice.ts";
export { settleTicketAuction } from "./tickets/settleTicketAuction.ts";
export {
  getTicketAssignment,
  isSelfBuild,
  selfBuildTicket,
  ticketAssignmentIndex,
} from "./tickets/ticketAssignment.ts";
export { computeNextTicketPrice } from "./tickets/ticketPrice.ts";
// Types
export * from "./types/index.ts";
export { BlockRootReader, getBlockRoot, getBlockRootAtSlot, latestBlockRoot } from "./util/blockRoots.ts";
// Helpers
export * from "./util/bytes.ts";
export { deserializeSsz } from "./util/decode.ts";
export { getDomain } from "./util/domain.ts";
export { computeEpochAtSlot, computeStartSlotAtEpoch, computeTimestampAtSlot } from "./util/epoch.ts";
export { hash } from "./util/hash.ts";
export { type HasherName, useFastHasher } from "./util/hasher.ts";
export { integerSquareRoot } from "./util/math.ts";
export { readAllValues } from "./util/readAll.ts";
export { getRandaoMix, getSeed } from "./util/seed.ts";
export { computeShuffledIndex, shuffleList } from "./util/shuffle.ts";
