import {
  computeSigningRoot,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  getDomain,
  type SignedTicketPurchase,
  type SignedTicketTransfer,
  sszTypes,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "./chain.ts";
import { ChainError, ChainErrorCode } from "./errors.ts";

/** Whether a gossip failure drops the message (IGNORE) or also penalises its sender (REJECT). */
export type GossipVerdict = "IGNORE" | "REJECT";

/** A gossip message that may not enter the node; `action` tells the network what to do with it. */
export class GossipRejection extends ChainError {
  readonly action: GossipVerdict;

  constructor(action: GossipVerdict, code: ChainErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(code, message, data);
    this.action = action;
  }
}

// Votes (beacon_attestation, payload_attestation_message) are checked in ./votes/

/** Gossip checks of a ticket purchase or transfer: a known account, a usable nonce, the account's signature. */
export function validateTicketOperation(chain: Chain, op: SignedTicketPurchase | SignedTicketTransfer): void {
  const state = chain.head().state;
  const isPurchase = "buyer_index" in op.message;
  const account = isPurchase
    ? (op.message as SignedTicketPurchase["message"]).buyer_index
    : (op.message as SignedTicketTransfer["message"]).from;
  // [REJECT] the account exists
  if (account >= state.state.buyers.length) {
    throw new GossipRejection("REJECT", ChainErrorCode.UNKNOWN_ACCOUNT, "unknown buyer account", { account });
  }
  const buyer = state.state.buyers.getReadonly(account);
  // [IGNORE] the nonce is not already used
  if (op.message.nonce < buyer.nonce) {
    throw new GossipRejection("IGNORE", ChainErrorCode.STALE_NONCE, "nonce already used", { nonce: op.message.nonce });
  }
  // [REJECT] signed by the account's key
  const domain = getDomain(state, isPurchase ? DOMAIN_TICKET_PURCHASE : DOMAIN_TICKET_TRANSFER);
  const signingRoot = isPurchase
    ? computeSigningRoot(sszTypes.TicketPurchase, op.message as SignedTicketPurchase["message"], domain)
    : computeSigningRoot(sszTypes.TicketTransfer, op.message as SignedTicketTransfer["message"], domain);
  const ok = verifySignatureSet({
    kind: isPurchase ? "ticket_purchase" : "ticket_transfer",
    type: "single",
    pubkey: state.caches.pubkeys.get(buyer.pubkey),
    signingRoot,
    signature: op.signature,
  });
  if (!ok) throw new GossipRejection("REJECT", ChainErrorCode.BAD_SIGNATURE, "not signed by the account", { account });
}
