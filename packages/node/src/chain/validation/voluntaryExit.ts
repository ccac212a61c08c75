import { type CachedBeaconState, processVoluntaryExit, type SignedVoluntaryExit } from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import type { VoluntaryExitPool } from "../opPools.ts";
import { assertAppliesTo } from "./applyToHead.ts";

/**
 * Gossip checks of a voluntary exit (phase0 p2p-interface, `voluntary_exit`), against the head
 * state, which is not changed. Throws a GossipValidationError or the state transition's typed error
 * (a REJECT); returning means ACCEPT.
 */
export function validateVoluntaryExit(
  head: CachedBeaconState,
  pool: VoluntaryExitPool,
  exit: SignedVoluntaryExit,
): void {
  const index = exit.message.validator_index;
  // [IGNORE] The voluntary exit is the first valid voluntary exit received for the validator with
  // index signed_voluntary_exit.message.validator_index
  if (pool.hasSeen(index)) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.EXIT_ALREADY_SEEN, "an exit for this validator was seen", {
      index,
    });
  }
  // [REJECT] All of the conditions within process_voluntary_exit pass validation
  assertAppliesTo(head, (scratch, bctx) => processVoluntaryExit(scratch, exit, bctx));
}
