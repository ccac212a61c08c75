import { type AttesterSlashing, type CachedBeaconState, processAttesterSlashing } from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import type { AttesterSlashingPool } from "../opPools.ts";
import { assertAppliesTo } from "./applyToHead.ts";

/** `attester_slashed_indices`: the validators in both attestations, in increasing order. */
export function attesterSlashedIndices(slashing: AttesterSlashing): number[] {
  const second = new Set(slashing.attestation_2.attesting_indices);
  return slashing.attestation_1.attesting_indices.filter((i) => second.has(i));
}

/**
 * Gossip checks of an attester slashing (phase0 p2p-interface, `attester_slashing`), against the
 * head state, which is not changed. Returns the validators it slashes (both attestations' common
 * indices). Throws a GossipValidationError or the state transition's typed error (a REJECT);
 * returning means ACCEPT.
 */
export function validateAttesterSlashing(
  head: CachedBeaconState,
  pool: AttesterSlashingPool,
  slashing: AttesterSlashing,
): number[] {
  const indices = attesterSlashedIndices(slashing);
  // [IGNORE] At least one index in the intersection of the attesting indices of each attestation
  // has not yet been seen in any prior attester_slashing
  if (!pool.hasNewIndex(indices)) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.ATTESTER_SLASHING_NO_NEW_INDEX,
      "every validator it slashes is covered by an earlier slashing",
      { count: indices.length },
    );
  }
  // [REJECT] All of the conditions within process_attester_slashing pass validation
  assertAppliesTo(head, (scratch, bctx) => processAttesterSlashing(scratch, slashing, bctx));
  return indices;
}
