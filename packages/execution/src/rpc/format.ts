import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bigIntToHex, bytesToHex, intToHex } from "@ethereumjs/util";
import type { StoredReceipt } from "../el/receipts.ts";

/** keccak256(rlp([])): every post-merge header's uncle hash. */
const EMPTY_UNCLE_HASH = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

export function formatTx(tx: TypedTransaction, block: Block | null, index: number | null): Record<string, unknown> {
  const json = tx.toJSON() as Record<string, unknown>;
  const baseFee = block?.header.baseFeePerGas ?? 0n;
  const gasPrice = "maxFeePerGas" in tx ? baseFee + tx.getEffectivePriorityFee(baseFee) : (json.gasPrice as string);
  return {
    ...json,
    hash: bytesToHex(tx.hash()),
    from: tx.getSenderAddress().toString(),
    to: tx.to?.toString() ?? null,
    input: json.data,
    gas: json.gasLimit,
    gasPrice: typeof gasPrice === "bigint" ? bigIntToHex(gasPrice) : gasPrice,
    type: intToHex(tx.type),
    blockHash: block ? bytesToHex(block.hash()) : null,
    blockNumber: block ? bigIntToHex(block.header.number) : null,
    transactionIndex: index === null ? null : intToHex(index),
  };
}

export function formatBlock(block: Block, fullTransactions: boolean): Record<string, unknown> {
  const h = block.header;
  return {
    number: bigIntToHex(h.number),
    hash: bytesToHex(block.hash()),
    parentHash: bytesToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    sha3Uncles: EMPTY_UNCLE_HASH,
    logsBloom: bytesToHex(h.logsBloom),
    transactionsRoot: bytesToHex(h.transactionsTrie),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptTrie),
    miner: h.coinbase.toString(),
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: bytesToHex(h.extraData),
    mixHash: bytesToHex(h.mixHash),
    size: intToHex(block.serialize().length),
    gasLimit: bigIntToHex(h.gasLimit),
    gasUsed: bigIntToHex(h.gasUsed),
    timestamp: bigIntToHex(h.timestamp),
    baseFeePerGas: bigIntToHex(h.baseFeePerGas ?? 0n),
    transactions: block.transactions.map((tx, i) =>
      fullTransactions ? formatTx(tx, block, i) : bytesToHex(tx.hash()),
    ),
    uncles: [],
  };
}

export function formatReceipt(block: Block, index: number, receipts: StoredReceipt[]): Record<string, unknown> {
  const tx = block.transactions[index];
  const receipt = receipts[index];
  const blockHash = bytesToHex(block.hash());
  const blockNumber = bigIntToHex(block.header.number);
  const transactionHash = bytesToHex(tx.hash());
  let logIndex = 0;
  for (let i = 0; i < index; i++) logIndex += receipts[i].logs.length;
  const baseFee = block.header.baseFeePerGas ?? 0n;
  return {
    transactionHash,
    transactionIndex: intToHex(index),
    blockHash,
    blockNumber,
    from: tx.getSenderAddress().toString(),
    to: tx.to?.toString() ?? null,
    cumulativeGasUsed: bigIntToHex(receipt.cumulativeGasUsed),
    gasUsed: bigIntToHex(receipt.gasUsed),
    effectiveGasPrice: bigIntToHex(baseFee + tx.getEffectivePriorityFee(baseFee)),
    contractAddress: receipt.contractAddress ? bytesToHex(receipt.contractAddress) : null,
    logs: receipt.logs.map(([address, topics, data], i) => ({
      address: bytesToHex(address),
      topics: topics.map(bytesToHex),
      data: bytesToHex(data),
      blockHash,
      blockNumber,
      transactionHash,
      transactionIndex: intToHex(index),
      logIndex: intToHex(logIndex + i),
      removed: false,
    })),
    logsBloom: bytesToHex(receipt.bitvector),
    status: intToHex(receipt.status),
    type: intToHex(tx.type),
  };
}
