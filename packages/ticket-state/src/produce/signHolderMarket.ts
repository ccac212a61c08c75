import type { SecretKey } from "@chainsafe/blst";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_PAYLOAD_COMMITMENT, DOMAIN_TICKET_FILL, DOMAIN_TICKET_OFFER } from "../params/constants.ts";
import type {
  ExecutionPayloadCommitment,
  SignedExecutionPayloadCommitment,
  SignedTicketFill,
  SignedTicketOffer,
  TicketFill,
  TicketOffer,
} from "../types/index.ts";
import {
  ExecutionPayloadCommitment as CommitmentType,
  TicketFill as TicketFillType,
  TicketOffer as TicketOfferType,
} from "../types/sszTypes.ts";
import { computeEpochAtSlot } from "../util/epoch.ts";
import { signObject } from "./signObject.ts";

// Signing helpers for the holders' operations (the domains, like a purchase's, take the state's epoch)

/** A seller's offer, signed by the ticket owner's key under `DOMAIN_TICKET_OFFER`. */
export function signTicketOffer(cs: CachedBeaconState, sk: SecretKey, offer: TicketOffer): SignedTicketOffer {
  return {
    message: offer,
    signature: signObject(cs, sk, TicketOfferType, offer, DOMAIN_TICKET_OFFER, cs.epochCtx.epoch),
  };
}

/** A buyer's fill of a signed offer, signed by the buyer's key under `DOMAIN_TICKET_FILL`. */
export function signTicketFill(cs: CachedBeaconState, sk: SecretKey, fill: TicketFill): SignedTicketFill {
  return { message: fill, signature: signObject(cs, sk, TicketFillType, fill, DOMAIN_TICKET_FILL, cs.epochCtx.epoch) };
}

/** A payload commitment signed by `sk` (the ticket holder): half of a holder slashing's evidence. */
export function signPayloadCommitment(
  cs: CachedBeaconState,
  sk: SecretKey,
  commitment: ExecutionPayloadCommitment,
): SignedExecutionPayloadCommitment {
  const epoch = computeEpochAtSlot(cs.ctx, commitment.slot);
  return {
    message: commitment,
    signature: signObject(cs, sk, CommitmentType, commitment, DOMAIN_PAYLOAD_COMMITMENT, epoch),
  };
}
