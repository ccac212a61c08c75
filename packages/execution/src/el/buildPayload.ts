import { type Block, createBlock, genTransactionsTrieRoot } from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import type { TypedTransaction } from "@ethereumjs/tx";
import { encodeReceipt, type RunTxResult, runTx, type VM } from "@ethereumjs/vm";
import type { PayloadAttributesV1 } from "./payloadId.ts";

/** Bytes of a logs bloom. */
const BLOOM_BYTES = 256;

/**
 * Build a payload on `parent` (its state already set in `vm`) from `candidates`, which asks back
 * whether each transaction went in. Paris rules: no block reward, no withdrawals.
 *
 * Every transaction runs against one header (coinbase, base fee, prev_randao, gas limit are all it
 * reads), where @ethereumjs/vm's BlockBuilder recreates the block for each one. `append`, when
 * given, adds the builder's own transactions last, on the state the candidates left.
 */
export async function buildPayloadBlock(
  vm: VM,
  parent: Block,
  attrs: PayloadAttributesV1,
  candidates: Generator<TypedTransaction, void, boolean | undefined>,
  append?: (context: Block, include: (tx: TypedTransaction) => Promise<boolean>) => Promise<void>,
  /** Receives each included transaction's result, in block order (the receipts, without executing again). */
  executed?: RunTxResult[],
): Promise<Block> {
  const headerData = {
    parentHash: parent.hash(),
    number: parent.header.number + 1n,
    gasLimit: parent.header.gasLimit,
    timestamp: BigInt(attrs.timestamp),
    coinbase: attrs.suggestedFeeRecipient,
    mixHash: attrs.prevRandao,
    baseFeePerGas: parent.header.calcNextBaseFee(),
  };
  const context = createBlock({ header: headerData }, { common: vm.common });
  const txs: TypedTransaction[] = [];
  const results: RunTxResult[] = [];
  let gasUsed = 0n;
  const include = async (tx: TypedTransaction): Promise<boolean> => {
    // Yellow paper: a transaction's gas limit fits in what the block has left
    if (tx.gasLimit > headerData.gasLimit - gasUsed) return false;
    try {
      const result = await runTx(vm, { tx, block: context, blockGasUsed: gasUsed });
      txs.push(tx);
      results.push(result);
      executed?.push(result);
      gasUsed += result.totalGasSpent;
      return true;
    } catch {
      // No longer valid on this parent (nonce, balance, fee): left in the pool
      return false;
    }
  };
  await vm.evm.journal.checkpoint();
  let next = candidates.next();
  while (!next.done) next = candidates.next(await include(next.value));
  // The builder's own transactions (a back-run), on the state the candidates left
  if (append) await append(context, include);
  await vm.evm.journal.commit();
  const stateRoot = await vm.stateManager.getStateRoot();
  const receiptTrie = new MerklePatriciaTrie({ common: vm.common });
  const bloom = new Uint8Array(BLOOM_BYTES);
  for (const [i, result] of results.entries()) {
    await receiptTrie.put(RLP.encode(i), encodeReceipt(result.receipt, txs[i].type));
    for (let b = 0; b < BLOOM_BYTES; b++) bloom[b] |= result.receipt.bitvector[b];
  }
  return createBlock(
    {
      header: {
        ...headerData,
        stateRoot,
        transactionsTrie: await genTransactionsTrieRoot(txs, new MerklePatriciaTrie({ common: vm.common })),
        receiptTrie: receiptTrie.root(),
        logsBloom: bloom,
        gasUsed,
      },
      transactions: txs,
    },
    { common: vm.common },
  );
}
