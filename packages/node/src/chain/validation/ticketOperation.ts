import {
  getTicketPurchaseSignatureSet,
  getTicketTransferSignatureSet,
  isAuctionPricing,
  type SignatureSet,
  type SignedTicketPurchase,
  type SignedTicketTransfer,
  verifySignatureSet,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import { assertAccountNonce, assertFirstAndRoom, type SeenAndRoom } from "./accountOperation.ts";

/*
 * Gossip checks of ticket purchases and transfers: first the rules no chain state can satisfy
 * (else the operation would hold its (account, nonce) and a place in the bounded pool shared by
 * all accounts for as long as the nonce stays unused); then the first for its (account, nonce) and
 * room in the pool; a known account; a nonce not used and less than a block's worth of such
 * operations ahead (further ahead it leaves a gap no block fills); the account's signature.
 */

export function validateTicketPurchase(
  chain: Chain,
  signed: SignedTicketPurchase,
  pool: SeenAndRoom<SignedTicketPurchase>,
): void {
  const head = chain.head().state;
  const { config, preset } = head.ctx;
  const purchase = signed.message;
  // [REJECT] tickets are not sold by auction
  if (isAuctionPricing(config)) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_WRONG_PRICING, "tickets are sold by auction only", {
      pricing: config.TICKET_PRICING,
    });
  }
  // [REJECT] 0 < purchase.count <= MAX_TICKETS_PER_PURCHASE
  if (purchase.count === 0 || purchase.count > preset.MAX_TICKETS_PER_PURCHASE) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_MALFORMED, "purchase count out of range", {
      count: purchase.count,
    });
  }
  assertFirstAndRoom(pool, signed, "purchase");
  const pubkey = assertAccountNonce(head, purchase.buyer_index, purchase.nonce, preset.MAX_TICKET_PURCHASES);
  assertSignedByAccount(getTicketPurchaseSignatureSet(head, signed, pubkey), purchase.buyer_index);
}

export function validateTicketTransfer(
  chain: Chain,
  signed: SignedTicketTransfer,
  pool: SeenAndRoom<SignedTicketTransfer>,
): void {
  const head = chain.head().state;
  const transfer = signed.message;
  // [REJECT] transfer.from != transfer.to
  if (transfer.from === transfer.to) {
    throw new GossipValidationError("REJECT", ChainErrorCode.MARKET_MALFORMED, "transfer to its own sender", {
      account: transfer.from,
    });
  }
  assertFirstAndRoom(pool, signed, "transfer");
  const pubkey = assertAccountNonce(head, transfer.from, transfer.nonce, head.ctx.preset.MAX_TICKET_TRANSFERS);
  assertSignedByAccount(getTicketTransferSignatureSet(head, signed, pubkey), transfer.from);
}

/** [REJECT] signed by the account's key. */
function assertSignedByAccount(set: SignatureSet, account: number): void {
  if (!verifySignatureSet(set)) {
    throw new GossipValidationError("REJECT", ChainErrorCode.BAD_SIGNATURE, "not signed by the account", { account });
  }
}
