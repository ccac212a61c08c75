import { RLP } from "@ethereumjs/rlp";
import { bigIntToBytes, bytesToBigInt, bytesToInt, intToBytes } from "@ethereumjs/util";
import type { TxReceipt } from "@ethereumjs/vm";

/** A transaction's outcome as this EL stores it (what eth_getTransactionReceipt reports). */
export interface StoredReceipt {
  status: 0 | 1;
  cumulativeGasUsed: bigint;
  gasUsed: bigint;
  bitvector: Uint8Array;
  logs: [address: Uint8Array, topics: Uint8Array[], data: Uint8Array][];
  contractAddress: Uint8Array | null;
}

export function fromVmReceipt(receipt: TxReceipt, gasUsed: bigint, contractAddress: Uint8Array | null): StoredReceipt {
  return {
    status: "status" in receipt ? (receipt.status as 0 | 1) : 1,
    cumulativeGasUsed: receipt.cumulativeBlockGasUsed,
    gasUsed,
    bitvector: receipt.bitvector,
    logs: receipt.logs,
    contractAddress,
  };
}

export function encodeReceipts(receipts: StoredReceipt[]): Uint8Array {
  return RLP.encode(
    receipts.map((r) => [
      intToBytes(r.status),
      bigIntToBytes(r.cumulativeGasUsed),
      bigIntToBytes(r.gasUsed),
      r.bitvector,
      r.logs,
      r.contractAddress ?? new Uint8Array(),
    ]),
  );
}

export function decodeReceipts(bytes: Uint8Array): StoredReceipt[] {
  const rows = RLP.decode(bytes) as unknown as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    StoredReceipt["logs"],
    Uint8Array,
  ][];
  return rows.map(([status, cumulative, gasUsed, bitvector, logs, contract]) => ({
    status: bytesToInt(status) as 0 | 1,
    cumulativeGasUsed: bytesToBigInt(cumulative),
    gasUsed: bytesToBigInt(gasUsed),
    bitvector,
    logs,
    contractAddress: contract.length === 0 ? null : contract,
  }));
}
