import { concatBytes, SYNTHETIC_TX_LENGTH, toHex, USER_TX_TYPE, uintToBytes8 } from "@turnstile/ticket-state";

/** Transactions the pool holds at most (the oldest go first). */
export const USER_TRANSACTION_POOL_LIMIT = 1024;

/**
 * The node's pool of users' transactions for the built-in engine (the embedded EVM keeps its own
 * mempool): what the beacon proposer's inclusion-list duty lists, oldest first. Transactions leave
 * once a payload the node imported carries them.
 */
export class UserTransactionPool {
  private readonly txs = new Map<string, Uint8Array>();

  add(tx: Uint8Array): boolean {
    const key = toHex(tx);
    if (this.txs.has(key)) return false;
    this.txs.set(key, tx);
    if (this.txs.size > USER_TRANSACTION_POOL_LIMIT) this.txs.delete(this.txs.keys().next().value as string);
    return true;
  }

  /** Oldest first. */
  pending(): Uint8Array[] {
    return [...this.txs.values()];
  }

  get size(): number {
    return this.txs.size;
  }

  removeIncluded(transactions: readonly Uint8Array[]): void {
    for (const tx of transactions) this.txs.delete(toHex(tx));
  }
}

/**
 * A user transaction of the built-in engine, made by a node's synthetic traffic: `USER_TX_TYPE`,
 * the slot it was sent in, and the sender's tag, zero-padded to the engine's transaction length.
 */
export function syntheticUserTransaction(slot: number, tag: number): Uint8Array {
  const tx = new Uint8Array(SYNTHETIC_TX_LENGTH);
  tx.set(concatBytes(Uint8Array.from([USER_TX_TYPE]), uintToBytes8(slot), uintToBytes8(tag)));
  return tx;
}
