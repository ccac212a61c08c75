/**
 * The `epoch_processing` handlers: one sub-step each, run as `beforeProcessEpoch` → step →
 * `flushEpochTransitionCache` on the pre-state, which already has the earlier sub-steps applied.
 * The ticket market's per-slot sub-steps (settle the previous slot's ticket, draw for
 * `slot + TICKET_LOOKAHEAD_SLOTS`, re-price) use the same pre → post format: their pre-state is a
 * state just moved into its slot (`state.slot += 1`) with the earlier market sub-steps applied.
 */
import {
  beforeProcessEpoch,
  type CachedBeaconState,
  drawTicket,
  type EpochTransitionCache,
  flushEpochTransitionCache,
  processEffectiveBalanceUpdates,
  processInactivityUpdates,
  processJustificationAndFinalization,
  processParticipationFlagUpdates,
  processRandaoMixesReset,
  processRegistryUpdates,
  processRewardsAndPenalties,
  processSlashings,
  processSlashingsReset,
  processTicketExpiry,
  processTicketPricing,
  processTicketRevenue,
  processValidatorTicketGrants,
  processPendingCollateral,
  settleTicket,
} from "@turnstile/ticket-state";

type Step = (cs: CachedBeaconState) => void;

function withCache(step: (cs: CachedBeaconState, cache: EpochTransitionCache) => void): Step {
  return (cs) => {
    const cache = beforeProcessEpoch(cs);
    step(cs, cache);
    flushEpochTransitionCache(cs, cache);
  };
}

/** `process_epoch`'s sub-steps, in order. */
export const EPOCH_STEPS: [string, Step][] = [
  ["justification_and_finalization", withCache(processJustificationAndFinalization)],
  ["inactivity_updates", withCache(processInactivityUpdates)],
  ["rewards_and_penalties", withCache(processRewardsAndPenalties)],
  ["registry_updates", withCache(processRegistryUpdates)],
  ["slashings", withCache(processSlashings)],
  ["ticket_expiry", withCache((cs) => processTicketExpiry(cs))],
  ["ticket_revenue", withCache(processTicketRevenue)],
  ["validator_ticket_grants", withCache(processValidatorTicketGrants)],
  ["effective_balance_updates", withCache(processEffectiveBalanceUpdates)],
  ["slashings_reset", withCache((cs) => processSlashingsReset(cs))],
  ["randao_mixes_reset", withCache((cs) => processRandaoMixesReset(cs))],
  ["participation_flag_updates", withCache((cs) => processParticipationFlagUpdates(cs))],
];

/** The ticket market's step on entering a slot (`process_ticket_slot`), in order. */
export const TICKET_SLOT_STEPS: [string, Step][] = [
  ["pending_collateral", (cs) => processPendingCollateral(cs)],
  ["ticket_settlement", (cs) => settleTicket(cs, cs.state.slot - 1)],
  ["ticket_lottery", (cs) => drawTicket(cs, cs.state.slot + cs.ctx.preset.TICKET_LOOKAHEAD_SLOTS)],
  ["ticket_pricing", (cs) => processTicketPricing(cs)],
];

export const EPOCH_PROCESSING_HANDLERS: Record<string, Step> = Object.fromEntries([
  ...EPOCH_STEPS,
  ...TICKET_SLOT_STEPS,
]);
