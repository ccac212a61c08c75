import { TicketStateError } from "@turnstile/ticket-state";

export const ExecutionErrorCode = {
  /** A transaction the mempool refuses (bad encoding, signature, chain id, nonce, balance, fee). */
  TX_INVALID: "EXECUTION_TX_INVALID",
  /** A transaction larger than the pool and gossip accept (MAX_POOLED_TRANSACTION_BYTES). */
  TX_TOO_LARGE: "EXECUTION_TX_TOO_LARGE",
  /** A transaction already in the mempool. */
  TX_KNOWN: "EXECUTION_TX_KNOWN",
  /** The mempool is full and the transaction pays too little to displace one. */
  MEMPOOL_FULL: "EXECUTION_MEMPOOL_FULL",
  /** A payload id that names no payload being built. */
  UNKNOWN_PAYLOAD: "EXECUTION_UNKNOWN_PAYLOAD",
  /** A block (by hash or number) the execution layer does not have. */
  UNKNOWN_BLOCK: "EXECUTION_UNKNOWN_BLOCK",
  /** Payload attributes that cannot build on the head (timestamp not after it). */
  INVALID_ATTRIBUTES: "EXECUTION_INVALID_ATTRIBUTES",
  /** The genesis config (alloc, chain id) is malformed, or differs from the database's genesis. */
  BAD_GENESIS: "EXECUTION_BAD_GENESIS",
  /** A JSON-RPC request that is malformed or names an unknown method. */
  RPC_INVALID_REQUEST: "EXECUTION_RPC_INVALID_REQUEST",
  /** The Engine API refused the request's JWT (missing, bad signature, `iat` out of range). */
  JWT_REFUSED: "EXECUTION_JWT_REFUSED",
  /** The JWT secret file is not 32 bytes of hex. */
  BAD_JWT_SECRET: "EXECUTION_BAD_JWT_SECRET",
  /** The execution client could not be reached or answered with a transport error. */
  ENGINE_UNREACHABLE: "EXECUTION_ENGINE_UNREACHABLE",
  /** A user's eth_call or eth_estimateGas refused: too many waiting already (they share the EL with the node's payloads). */
  CALL_BUSY: "EXECUTION_CALL_BUSY",
  /** The execution client answered with a JSON-RPC error. */
  ENGINE_RPC_ERROR: "EXECUTION_ENGINE_RPC_ERROR",
} as const;
export type ExecutionErrorCode = (typeof ExecutionErrorCode)[keyof typeof ExecutionErrorCode];

export class ExecutionError extends TicketStateError<ExecutionErrorCode> {}
