import {
  type CachedBeaconState,
  computeSigningRoot,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  getDomain,
  isAuctionPricing,
  type SignedTicketPurchase,
  type SignedTicketTransfer,
  sszTypes,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import { assertAccountNonce, assertFirstAndRoom, type SeenAndRoom } from "./accountOperation.ts";

/**
 * Gossip checks of a ticket purchase or transfer: the rules no chain state can satisfy otherwise
 * (a purchase under auction pricing or of a count out of range, a transfer to its sender); the
 * first for its (account, nonce) and room in the pool; a known account; a nonce not used and less
 * than a block's worth of such operations ahead (further ahead it leaves a gap no block fills, and
 * one account could hold the pool); the account's signature.
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
  // What no block can ever include: otherwise it would hold its (account, nonce) and a place in the
  // bounded pool shared by all accounts for as long as the nonce stays unused
  if (isPurchase) assertPurchaseRules(state, op.message as SignedTicketPurchase["message"]);
  else assertTransferRules(op.message as SignedTicketTransfer["message"]);
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

/** [REJECT] tickets are not sold by auction; [REJECT] 0 < purchase.count <= MAX_TICKETS_PER_PURCHASE. */
function assertPurchaseRules(head: CachedBeaconState, purchase: SignedTicketPurchase["message"]): void {
  const { config, preset } = head.ctx;
  if (isAuctionPricing(config)) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_WRONG_PRICING, "tickets are sold by auction only", {
      pricing: config.TICKET_PRICING,
    });
  }
  if (purchase.count === 0 || purchase.count > preset.MAX_TICKETS_PER_PURCHASE) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_MALFORMED, "purchase count out of range", {
      count: purchase.count,
    });
  }
}

/** [REJECT] transfer.from != transfer.to. */
function assertTransferRules(transfer: SignedTicketTransfer["message"]): void {
  if (transfer.from === transfer.to) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_MALFORMED, "transfer to its own sender", {
      account: transfer.from,
    });
  }
}
