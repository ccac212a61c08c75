import type { Common } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";

/**
 * Largest transaction gossiped or pooled: geth's txMaxSize (4 slots of 32 KiB), far below
 * MAX_BYTES_PER_TRANSACTION, which bounds what a payload may carry, not what a peer may relay.
 */
export const MAX_POOLED_TRANSACTION_BYTES = 4 * 32 * 1024;

export interface DecodedTransaction {
  tx: TypedTransaction;
  hash: string;
  /** Recovered from the signature. */
  sender: string;
}

/**
 * What holds of a raw transaction whatever the state (gossip REJECTs a peer that relays one that
 * fails): size, encoding, signature (sender recovery) and chain id. Typed errors: TX_TOO_LARGE,
 * TX_INVALID.
 */
export function decodeRawTransaction(raw: Uint8Array, common: Common): DecodedTransaction {
  if (raw.length > MAX_POOLED_TRANSACTION_BYTES) {
    throw new ExecutionError(ExecutionErrorCode.TX_TOO_LARGE, "transaction too large", {
      bytes: raw.length,
      max: MAX_POOLED_TRANSACTION_BYTES,
    });
  }
  let tx: TypedTransaction;
  try {
    tx = createTxFromRLP(raw, { common });
  } catch (e) {
    throw new ExecutionError(ExecutionErrorCode.TX_INVALID, `undecodable transaction: ${(e as Error).message}`);
  }
  const hash = bytesToHex(tx.hash());
  if (!tx.isSigned() || !tx.isValid()) {
    throw new ExecutionError(
      ExecutionErrorCode.TX_INVALID,
      `invalid transaction: ${tx.getValidationErrors().join("; ")}`,
      {
        hash,
      },
    );
  }
  if (tx.common.chainId() !== common.chainId()) {
    throw new ExecutionError(ExecutionErrorCode.TX_INVALID, "wrong chain id", { hash });
  }
  let sender: string;
  try {
    sender = tx.getSenderAddress().toString();
  } catch (e) {
    throw new ExecutionError(ExecutionErrorCode.TX_INVALID, `no sender recovers: ${(e as Error).message}`, { hash });
  }
  return { tx, hash, sender };
}
