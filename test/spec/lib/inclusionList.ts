/**
 * The `inclusion_list` runner's two rules, shared by the runner and the generator:
 * `validation` checks a signed inclusion list against a state at its slot (`validate_inclusion_list`);
 * `satisfaction` reveals a payload on the post-block state of the list's slot and asks the built-in
 * engine whether the payload satisfies the list (`is_inclusion_list_satisfied`), which is what a
 * PTC member's `payload_present` vote requires besides the envelope's validity.
 */
import {
  type CachedBeaconState,
  DeterministicExecutionEngine,
  processExecutionPayload,
  type SignedExecutionPayloadEnvelope,
  type SignedInclusionList,
  validateInclusionList,
} from "@turnstile/ticket-state";
import { vectorEngine } from "./operations.ts";

export function applyInclusionListValidation(
  cs: CachedBeaconState,
  list: SignedInclusionList,
  verifySignatures: boolean,
): void {
  validateInclusionList(cs, list, verifySignatures);
}

/** Validate the list, apply the envelope (signature and state root checked), then judge the payload. */
export function applyInclusionListSatisfaction(
  cs: CachedBeaconState,
  list: SignedInclusionList,
  envelope: SignedExecutionPayloadEnvelope,
  verifySignatures: boolean,
): boolean {
  validateInclusionList(cs, list, verifySignatures);
  processExecutionPayload(cs, envelope, vectorEngine(true), { verifySignature: verifySignatures });
  return new DeterministicExecutionEngine(cs.ctx).isInclusionListSatisfied(
    envelope.message.payload,
    list.message.transactions,
  );
}
