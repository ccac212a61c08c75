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
import type { Chain } from "../chain.ts";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import { assertAccountNonce, assertFirstAndRoom, type SeenAndRoom } from "./accountOperation.ts";

/**
 * Gossip checks of a ticket purchase or transfer: the first for its (account, nonce) and room in
 * the pool; a known account; a nonce not used and less than a block's worth of such operations
 * ahead (further ahead it leaves a gap no block fills, and one account could hold the pool); the
 * account's signature.
 */
export function validateTicketOperation<T extends SignedTicketPurchase | SignedTicketTransfer>(
  chain: Chain,
  op: T,
  pool: SeenAndRoom<T>,
): void {
  const state = chain.head().state;
  const { preset } = state.ctx;
  const isPurchase = "buyer_index" in op.message;
  const account = isPurchase
    ? (op.message as SignedTicketPurchase["message"]).buyer_index
    : (op.message as SignedTicketTransfer["message"]).from;
  // [IGNORE] the first for (account, nonce), and the pool has room
  assertFirstAndRoom(pool, op, isPurchase ? "purchase" : "transfer");
  // [REJECT] the account exists; [IGNORE] its nonce is not used and within a block's reach
  const pubkey = assertAccountNonce(
    state,
    account,
    op.message.nonce,
    isPurchase ? preset.MAX_TICKET_PURCHASES : preset.MAX_TICKET_TRANSFERS,
  );
  // [REJECT] signed by the account's key
  const domain = getDomain(state, isPurchase ? DOMAIN_TICKET_PURCHASE : DOMAIN_TICKET_TRANSFER);
  const signingRoot = isPurchase
    ? computeSigningRoot(sszTypes.TicketPurchase, op.message as SignedTicketPurchase["message"], domain)
    : computeSigningRoot(sszTypes.TicketTransfer, op.message as SignedTicketTransfer["message"], domain);
  const ok = verifySignatureSet({
    kind: isPurchase ? "ticket_purchase" : "ticket_transfer",
    type: "single",
    pubkey: state.caches.pubkeys.get(pubkey),
    signingRoot,
    signature: op.signature,
  });
  if (!ok) {
    throw new GossipValidationError("REJECT", ChainErrorCode.BAD_SIGNATURE, "not signed by the account", { account });
  }
}
