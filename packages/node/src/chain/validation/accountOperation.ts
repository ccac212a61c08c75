import type { CachedBeaconState } from "@turnstile/ticket-state";
import { ChainErrorCode, GossipValidationError } from "../errors.ts";
import type { KeyedOpPool } from "../opPools.ts";

/*
 * Gossip checks shared by the buyer accounts' operations (purchases, transfers, bids, sell-backs,
 * offers): one kept per key, pools bounded, nonces within a block's reach.
 */

/** What dedupes an operation and bounds its pool: a KeyedOpPool, or the offer book. */
export type SeenAndRoom<T> = Pick<KeyedOpPool<T>, "hasSeen" | "isFull" | "limit">;

/** [IGNORE] the first valid operation for its key (account nonce, offer, slot's ticket); [IGNORE] the pool has room. */
export function assertFirstAndRoom<T>(pool: SeenAndRoom<T>, op: T, what: string): void {
  if (pool.hasSeen(op)) {
    throw new GossipValidationError(
      "IGNORE",
      ChainErrorCode.MARKET_ALREADY_SEEN,
      `a ${what} for the same key was seen`,
    );
  }
  if (pool.isFull()) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.MARKET_NOT_APPLICABLE, `the ${what} pool is full`, {
      limit: pool.limit,
    });
  }
}

/**
 * [REJECT] the account exists; [IGNORE] the nonce is not used; [IGNORE] it is less than `perBlock`
 * ahead of the account's (one block, which takes an account's operations in nonce order, could
 * carry them all). A nonce further ahead leaves a gap that may never be filled: one account could
 * otherwise fill the pool, shared by all, with operations no block includes. Returns the pubkey.
 */
export function assertAccountNonce(
  head: CachedBeaconState,
  account: number,
  nonce: number,
  perBlock: number,
): Uint8Array {
  const { buyers } = head.state;
  if (!(account < buyers.length)) {
    throw new GossipValidationError("REJECT", ChainErrorCode.UNKNOWN_ACCOUNT, "unknown buyer account", { account });
  }
  const buyer = buyers.getReadonly(account);
  if (nonce < buyer.nonce) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.STALE_NONCE, "nonce already used", {
      nonce,
      accountNonce: buyer.nonce,
    });
  }
  if (nonce >= buyer.nonce + perBlock) {
    throw new GossipValidationError("IGNORE", ChainErrorCode.NONCE_TOO_FAR, "nonce too far ahead of the account's", {
      nonce,
      accountNonce: buyer.nonce,
    });
  }
  return buyer.pubkey;
}
