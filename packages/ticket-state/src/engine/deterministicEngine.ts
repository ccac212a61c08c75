import type { ChainContext } from "../config/chainContext.ts";
import type { ExecutionPayload } from "../types/index.ts";
import { bytesEqual, bytesToUint64, concatBytes, toHex, uintToBytes8 } from "../util/bytes.ts";
import { hash } from "../util/hash.ts";
import { type ExecutionEngine, PayloadStatus } from "./executionEngine.ts";

/** First byte of a synthetic transaction: marks the 8-byte little-endian MEV value that follows. */
export const SYNTHETIC_TX_TYPE = 0x7e;
/** Length of every transaction the built-in engine accepts: type (1), value or sender data (8), filler (23). */
export const SYNTHETIC_TX_LENGTH = 1 + 8 + 23;
/** First byte of a user transaction (what inclusion lists carry on the built-in engine): opaque after it. */
export const USER_TX_TYPE = 0x7d;
/** Gas a synthetic transaction uses; a payload's gas_used is this times its transaction count. */
export const SYNTHETIC_TX_GAS = 21_000;
export const DEFAULT_GAS_LIMIT = 30_000_000;
/** Bound on the synthetic MEV of one slot, in Gwei (0.1 ETH): keeps the market's prices in a readable range. */
export const MAX_SYNTHETIC_MEV_GWEI = 100_000_000;

export interface BuildPayloadArgs {
  parentHash: Uint8Array;
  feeRecipient: Uint8Array;
  gasLimit: number;
  timestamp: number;
  prevRandao: Uint8Array;
  slot: number;
  /** The slot's inclusion list: each valid transaction that still fits is appended (after the MEV). */
  inclusionListTransactions?: readonly Uint8Array[];
}

/**
 * Whether the built-in engine can execute `tx`: a transaction of its format (32 bytes, a synthetic
 * or a user type). The engine keeps no account state, so validity does not depend on the parent.
 */
export function isValidDeterministicTransaction(tx: Uint8Array): boolean {
  return tx.length === SYNTHETIC_TX_LENGTH && (tx[0] === SYNTHETIC_TX_TYPE || tx[0] === USER_TX_TYPE);
}

/** Gas the built-in engine's execution of `payload` leaves: every transaction costs `SYNTHETIC_TX_GAS`. */
export function deterministicRemainingGas(payload: ExecutionPayload): number {
  return Math.max(0, payload.gas_limit - payload.transactions.length * SYNTHETIC_TX_GAS);
}

/**
 * The built-in execution layer: no EVM, but real payloads with a hash chain.
 * `block_hash` is the hash tree root of the payload with `block_hash` zeroed (every header field
 * and the transactions), transactions are opaque bytes, and each slot carries a synthetic MEV
 * value that anyone can compute in advance (`slotMevValue`), so ticket holders can price slots.
 */
export class DeterministicExecutionEngine implements ExecutionEngine {
  /** Block number of each payload this engine has accepted, by block hash. */
  private readonly known = new Map<string, { blockNumber: number; timestamp: number }>();

  private readonly ctx: ChainContext;

  constructor(ctx: ChainContext) {
    this.ctx = ctx;
  }

  computeBlockHash(payload: ExecutionPayload): Uint8Array {
    return this.ctx.ssz.ExecutionPayload.hashTreeRoot({ ...payload, block_hash: new Uint8Array(32) });
  }

  /** The genesis payload every chain of this config starts from. */
  genesisPayload(genesisTime: number): ExecutionPayload {
    const payload = this.ctx.ssz.ExecutionPayload.defaultValue();
    payload.gas_limit = DEFAULT_GAS_LIMIT;
    payload.timestamp = genesisTime;
    payload.block_hash = this.computeBlockHash(payload);
    this.known.set(toHex(payload.block_hash), { blockNumber: 0, timestamp: genesisTime });
    return payload;
  }

  /** Synthetic MEV for `slot` in Gwei: pseudo-random, public, the same for every node. */
  slotMevValue(slot: number): number {
    const r = bytesToUint64(hash(concatBytes(Uint8Array.from([SYNTHETIC_TX_TYPE]), uintToBytes8(slot))));
    return Number(r % BigInt(MAX_SYNTHETIC_MEV_GWEI));
  }

  /** MEV carried by a payload: the sum of its synthetic transactions' values. */
  payloadMevValue(payload: ExecutionPayload): number {
    let total = 0;
    for (const tx of payload.transactions) {
      if (tx.length === SYNTHETIC_TX_LENGTH && tx[0] === SYNTHETIC_TX_TYPE) total += Number(bytesToUint64(tx, 1));
    }
    return total;
  }

  buildPayload(args: BuildPayloadArgs): ExecutionPayload {
    const parent = this.known.get(toHex(args.parentHash));
    const mev = this.slotMevValue(args.slot);
    // Split the slot's MEV over a few transactions, as searchers' bundles would be
    const txCount = 1 + (mev % 4);
    const transactions: Uint8Array[] = [];
    let remaining = mev;
    for (let i = 0; i < txCount; i++) {
      const value = i === txCount - 1 ? remaining : Math.floor(mev / txCount);
      remaining -= value;
      const tx = new Uint8Array(SYNTHETIC_TX_LENGTH);
      tx[0] = SYNTHETIC_TX_TYPE;
      tx.set(uintToBytes8(value), 1);
      tx.set(hash(concatBytes(args.parentHash, uintToBytes8(args.slot), uintToBytes8(i))).subarray(0, 23), 9);
      transactions.push(tx);
    }
    // The inclusion list's transactions, appended while valid and while they fit
    const included = new Set<string>();
    for (const tx of args.inclusionListTransactions ?? []) {
      const key = toHex(tx);
      if (included.has(key) || !isValidDeterministicTransaction(tx)) continue;
      if ((transactions.length + 1) * SYNTHETIC_TX_GAS > args.gasLimit) break;
      included.add(key);
      transactions.push(tx);
    }
    const payload: ExecutionPayload = {
      ...this.ctx.ssz.ExecutionPayload.defaultValue(),
      parent_hash: args.parentHash,
      fee_recipient: args.feeRecipient,
      prev_randao: args.prevRandao,
      block_number: (parent?.blockNumber ?? 0) + 1,
      gas_limit: args.gasLimit,
      gas_used: Math.min(args.gasLimit, transactions.length * SYNTHETIC_TX_GAS),
      timestamp: args.timestamp,
      transactions,
    };
    payload.state_root = hash(concatBytes(args.parentHash, uintToBytes8(args.slot)));
    payload.block_hash = this.computeBlockHash(payload);
    return payload;
  }

  /** Judges `payload` against its parent, if known; remembers nothing (see `recordPayload`). */
  notifyNewPayload(payload: ExecutionPayload): PayloadStatus {
    if (!bytesEqual(payload.block_hash, this.computeBlockHash(payload))) return PayloadStatus.INVALID;
    if (payload.gas_used > payload.gas_limit) return PayloadStatus.INVALID;
    const parent = this.known.get(toHex(payload.parent_hash));
    // Unknown parent: accepted optimistically, and checked once recorded as its descendants' parent
    if (parent === undefined) return PayloadStatus.SYNCING;
    if (payload.block_number !== parent.blockNumber + 1 || payload.timestamp <= parent.timestamp) {
      return PayloadStatus.INVALID;
    }
    return PayloadStatus.VALID;
  }

  /**
   * Whether `payload` satisfies an inclusion list: every listed transaction is in it, or is not valid
   * appended at its end (`isValidDeterministicTransaction`), or does not fit in the gas its
   * transactions leave (`deterministicRemainingGas`). Each listed transaction is judged on its own.
   */
  isInclusionListSatisfied(payload: ExecutionPayload, inclusionListTransactions: readonly Uint8Array[]): boolean {
    const present = new Set(payload.transactions.map((tx) => toHex(tx)));
    const remaining = deterministicRemainingGas(payload);
    for (const tx of inclusionListTransactions) {
      if (present.has(toHex(tx))) continue;
      if (!isValidDeterministicTransaction(tx)) continue; // excused: invalid on the payload's post-state
      if (remaining < SYNTHETIC_TX_GAS) continue; // excused: no room left
      return false;
    }
    return true;
  }

  /** Called by `processExecutionPayload` once the envelope passed every check. */
  recordPayload(payload: ExecutionPayload): void {
    this.known.set(toHex(payload.block_hash), { blockNumber: payload.block_number, timestamp: payload.timestamp });
  }

  /** Whether a payload with this block hash was recorded (or is the genesis payload). */
  hasPayload(blockHash: Uint8Array): boolean {
    return this.known.has(toHex(blockHash));
  }
}
