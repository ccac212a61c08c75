import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";

/** Transactions the pool holds at most; past it, a new one must outbid the cheapest to get in. */
export const MEMPOOL_CAPACITY = 4096;
/**
 * How far ahead of its account nonce a sender's transaction may be pooled (geth's AccountQueue).
 * Without it one funded account fills the pool with transactions behind a nonce gap, which no
 * payload can include and nothing prunes, and every other sender is then refused.
 */
export const MAX_NONCE_AHEAD = 64;
/** A replacement (same sender and nonce) must raise the fee by this percentage, as geth requires. */
export const REPLACEMENT_FEE_BUMP_PERCENT = 10n;

interface Entry {
  tx: TypedTransaction;
  sender: string;
  hash: string;
}

/** The fee a transaction bids per gas above `baseFee` (what the fee recipient earns), or -1 when it cannot pay the base fee. */
export function effectiveTip(tx: TypedTransaction, baseFee: bigint): bigint {
  try {
    return tx.getEffectivePriorityFee(baseFee);
  } catch {
    return -1n;
  }
}

function maxFee(tx: TypedTransaction): bigint {
  return "maxFeePerGas" in tx ? (tx.maxFeePerGas as bigint) : (tx as unknown as { gasPrice: bigint }).gasPrice;
}

/**
 * Pending transactions: per sender by nonce, across senders by the tip they pay. `ordered` yields
 * what a payload should try, in order: each sender's transactions in nonce order from its account
 * nonce, interleaved so that the best-paying next transaction always goes first.
 */
export class Mempool {
  private readonly bySender = new Map<string, Map<bigint, Entry>>();
  private readonly byHash = new Map<string, Entry>();

  get size(): number {
    return this.byHash.size;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  get(hash: string): TypedTransaction | undefined {
    return this.byHash.get(hash)?.tx;
  }

  senders(): string[] {
    return [...this.bySender.keys()];
  }

  /** The nonce after the sender's contiguous run of pooled transactions from `accountNonce`. */
  pendingNonce(sender: string, accountNonce: bigint): bigint {
    const queue = this.bySender.get(sender);
    let n = accountNonce;
    while (queue?.has(n)) n++;
    return n;
  }

  /** Checked by the caller against state (signature, nonce, balance): here only pool rules. */
  add(tx: TypedTransaction, sender: string): string {
    const hash = bytesToHex(tx.hash());
    if (this.byHash.has(hash)) throw new ExecutionError(ExecutionErrorCode.TX_KNOWN, "already known", { hash });
    let queue = this.bySender.get(sender);
    const existing = queue?.get(tx.nonce);
    if (existing) {
      const bumped = (maxFee(existing.tx) * (100n + REPLACEMENT_FEE_BUMP_PERCENT)) / 100n;
      if (maxFee(tx) < bumped) {
        throw new ExecutionError(ExecutionErrorCode.TX_INVALID, "replacement transaction underpriced", { hash });
      }
      this.byHash.delete(existing.hash);
    } else if (this.byHash.size >= MEMPOOL_CAPACITY) {
      const cheapest = this.cheapest();
      if (cheapest === undefined || maxFee(cheapest.tx) >= maxFee(tx)) {
        throw new ExecutionError(ExecutionErrorCode.MEMPOOL_FULL, "mempool full", { hash });
      }
      this.remove(cheapest);
    }
    if (!queue) {
      queue = new Map();
      this.bySender.set(sender, queue);
    }
    const entry = { tx, sender, hash };
    queue.set(tx.nonce, entry);
    this.byHash.set(hash, entry);
    return hash;
  }

  private cheapest(): Entry | undefined {
    let worst: Entry | undefined;
    for (const e of this.byHash.values()) if (!worst || maxFee(e.tx) < maxFee(worst.tx)) worst = e;
    return worst;
  }

  private remove(entry: Entry): void {
    this.byHash.delete(entry.hash);
    const queue = this.bySender.get(entry.sender);
    queue?.delete(entry.tx.nonce);
    if (queue?.size === 0) this.bySender.delete(entry.sender);
  }

  /** Drop what the chain has made stale: transactions below their sender's account nonce. */
  async prune(accountNonce: (sender: string) => Promise<bigint>): Promise<void> {
    for (const [sender, queue] of this.bySender) {
      const nonce = await accountNonce(sender);
      for (const entry of [...queue.values()]) if (entry.tx.nonce < nonce) this.remove(entry);
    }
  }

  /**
   * Candidates for a payload on a parent with `baseFee`: per sender in nonce order from its
   * account nonce (a gap ends the sender's run), across senders highest tip first. `skipSender`
   * (called by the builder when a transaction fails) drops the rest of that sender's run.
   */
  *ordered(
    baseFee: bigint,
    accountNonce: (sender: string) => bigint,
  ): Generator<TypedTransaction, void, boolean | undefined> {
    const heads: { sender: string; nonce: bigint; tip: bigint; tx: TypedTransaction }[] = [];
    const push = (sender: string, nonce: bigint) => {
      const entry = this.bySender.get(sender)?.get(nonce);
      if (!entry) return;
      const tip = effectiveTip(entry.tx, baseFee);
      if (tip < 0n) return;
      heads.push({ sender, nonce, tip, tx: entry.tx });
    };
    for (const sender of this.bySender.keys()) push(sender, accountNonce(sender));
    while (heads.length > 0) {
      let best = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i].tip > heads[best].tip) best = i;
      const [head] = heads.splice(best, 1);
      // The builder answers whether the transaction went in; a failed one ends its sender's run
      const included = yield head.tx;
      if (included !== false) push(head.sender, head.nonce + 1n);
    }
  }
}
