import type { SignatureSet } from "../bls/signatureSet.ts";
import { computeSigningRoot } from "../bls/signingRoot.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_TICKET_FILL, DOMAIN_TICKET_OFFER } from "../params/constants.ts";
import type { SignedTicketFill, SignedTicketOffer } from "../types/index.ts";
import { TicketFill, TicketOffer } from "../types/sszTypes.ts";
import { getDomain } from "../util/domain.ts";

// The secondary market's two signatures: the seller's offer and the buyer's fill that carries it

export function getTicketOfferSignatureSet(
  cs: CachedBeaconState,
  signed: SignedTicketOffer,
  sellerPubkey: Uint8Array,
): SignatureSet {
  return {
    kind: "ticket_offer",
    type: "single",
    pubkey: cs.caches.pubkeys.get(sellerPubkey),
    signingRoot: computeSigningRoot(TicketOffer, signed.message, getDomain(cs, DOMAIN_TICKET_OFFER)),
    signature: signed.signature,
  };
}

export function getTicketFillSignatureSet(
  cs: CachedBeaconState,
  signed: SignedTicketFill,
  buyerPubkey: Uint8Array,
): SignatureSet {
  return {
    kind: "ticket_fill",
    type: "single",
    pubkey: cs.caches.pubkeys.get(buyerPubkey),
    signingRoot: computeSigningRoot(TicketFill, signed.message, getDomain(cs, DOMAIN_TICKET_FILL)),
    signature: signed.signature,
  };
}
