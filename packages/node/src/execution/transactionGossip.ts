import { decodeRawTransaction, ExecutionError, ExecutionErrorCode, parisCommon } from "@turnstile/execution";
import { TicketStateError } from "@turnstile/ticket-state";
import type { EngineApiExecutionEngine } from "./engineApiEngine.ts";

export const TransactionGossipErrorCode = {
  /** The node drives no execution layer with a mempool (the built-in engine): nothing to pool into. */
  NO_MEMPOOL: "TX_GOSSIP_NO_MEMPOOL",
  /** Seen already (from gossip or our own users): not relayed again. */
  ALREADY_KNOWN: "TX_GOSSIP_ALREADY_KNOWN",
  /** Larger than MAX_POOLED_TRANSACTION_BYTES. */
  TOO_LARGE: "TX_GOSSIP_TOO_LARGE",
  /** Not a transaction whatever the state: undecodable, bad signature (no sender recovers), wrong chain id. */
  INVALID: "TX_GOSSIP_INVALID",
  /** Valid in itself, but the EL's pool refused it now (nonce used, balance short, pool full, underpriced). */
  NOT_POOLED: "TX_GOSSIP_NOT_POOLED",
  /** The EL could not be asked (unreachable). */
  EL_UNAVAILABLE: "TX_GOSSIP_EL_UNAVAILABLE",
} as const;
export type TransactionGossipErrorCode = (typeof TransactionGossipErrorCode)[keyof typeof TransactionGossipErrorCode];

/** A refused `transaction` gossip message, with its verdict: REJECT for what no honest peer relays, IGNORE otherwise. */
export class TransactionGossipError extends TicketStateError<TransactionGossipErrorCode> {
  readonly action: "IGNORE" | "REJECT";

  constructor(
    action: "IGNORE" | "REJECT",
    code: TransactionGossipErrorCode,
    message: string,
    data: Record<string, unknown> = {},
  ) {
    super(code, message, data);
    this.action = action;
  }
}

/** Transaction hashes remembered as seen (gossip's duplicates and echoes of our own), oldest dropped first. */
export const SEEN_TRANSACTIONS_LIMIT = 16_384;

/**
 * Users' transactions between nodes (`transaction` topic): a peer's raw transaction is checked
 * (size, encoding, sender recovery, chain id: REJECT when it fails) and pooled in our EL through
 * `eth_sendRawTransaction` on its Engine API endpoint (IGNORE when the pool refuses it: that
 * depends on state the peer may not share). The EL's chain id is asked once.
 */
export class TransactionGossip {
  private readonly engine: EngineApiExecutionEngine;
  private readonly seen = new Set<string>();
  private common: ReturnType<typeof parisCommon> | null = null;

  constructor(engine: EngineApiExecutionEngine) {
    this.engine = engine;
  }

  /** Remember `hash` (a transaction we publish ourselves): its echo is IGNOREd. */
  markSeen(hash: string): void {
    this.seen.add(hash.toLowerCase());
    if (this.seen.size > SEEN_TRANSACTIONS_LIMIT) this.seen.delete(this.seen.values().next().value as string);
  }

  private async chainCommon(): Promise<ReturnType<typeof parisCommon>> {
    if (this.common) return this.common;
    try {
      const chainId = await this.engine.client.request<string>("eth_chainId", []);
      this.common = parisCommon(Number(BigInt(chainId)));
      return this.common;
    } catch (e) {
      throw new TransactionGossipError("IGNORE", TransactionGossipErrorCode.EL_UNAVAILABLE, (e as Error).message);
    }
  }

  /** Check and pool a peer's transaction; returns its hash. Throws a TransactionGossipError with the verdict. */
  async import(raw: Uint8Array): Promise<string> {
    const common = await this.chainCommon();
    let hash: string;
    try {
      hash = decodeRawTransaction(raw, common).hash;
    } catch (e) {
      const tooLarge = e instanceof ExecutionError && e.code === ExecutionErrorCode.TX_TOO_LARGE;
      throw new TransactionGossipError(
        "REJECT",
        tooLarge ? TransactionGossipErrorCode.TOO_LARGE : TransactionGossipErrorCode.INVALID,
        (e as Error).message,
        { bytes: raw.length },
      );
    }
    if (this.seen.has(hash)) {
      throw new TransactionGossipError("IGNORE", TransactionGossipErrorCode.ALREADY_KNOWN, "transaction already seen", {
        hash,
      });
    }
    this.markSeen(hash);
    try {
      await this.engine.client.request<string>("eth_sendRawTransaction", [`0x${Buffer.from(raw).toString("hex")}`]);
    } catch (e) {
      const unreachable = e instanceof ExecutionError && e.code === ExecutionErrorCode.ENGINE_UNREACHABLE;
      throw new TransactionGossipError(
        "IGNORE",
        unreachable ? TransactionGossipErrorCode.EL_UNAVAILABLE : TransactionGossipErrorCode.NOT_POOLED,
        (e as Error).message,
        { hash },
      );
    }
    return hash;
  }
}
