import { type CachedBeaconState, type ProposerSlashing, processProposerSlashing } from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import type { ProposerSlashingPool } from "../opPools.ts";
import { assertAppliesTo } from "./applyToHead.ts";

/**
 * Gossip checks of a proposer slashing (phase0 p2p-interface, `proposer_slashing`), against the
 * head state, which is not changed. Throws a GossipValidationError or the state transition's typed
 * error (a REJECT); returning means ACCEPT.
 */
export function validateProposerSlashing(
  head: CachedBeaconState,
  pool: ProposerSlashingPool,
  slashing: ProposerSlashing,
): void {
  const index = slashing.signed_header_1.message.proposer_index;
  // [IGNORE] The proposer slashing is the first valid proposer slashing received for the proposer
  // with index proposer_slashing.signed_header_1.message.proposer_index
  if (pool.hasSeen(index)) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.PROPOSER_SLASHING_ALREADY_SEEN,
      "a slashing of this proposer was seen",
      { index },
    );
  }
  // [REJECT] All of the conditions within process_proposer_slashing pass validation
  assertAppliesTo(head, (scratch, bctx) => processProposerSlashing(scratch, slashing, bctx));
}
