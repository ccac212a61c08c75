import { type Block, createBlockFromBytesArray } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, bytesToInt, hexToBytes, intToBytes } from "@ethereumjs/util";
import { decodeReceipts, encodeReceipts, type StoredReceipt } from "./receipts.ts";

/** What the block store needs of a level (sub)database with string keys and byte values. */
export interface StoreLevel {
  get(key: string): Promise<Uint8Array | undefined>;
  batch(ops: ({ type: "put"; key: string; value: Uint8Array } | { type: "del"; key: string })[]): Promise<void>;
}

const HEAD_KEY = "head";
const FINALIZED_KEY = "finalized";
const GENESIS_KEY = "genesis";
const blockKey = (hash: string) => `b:${hash}`;
const receiptsKey = (hash: string) => `r:${hash}`;
const canonicalKey = (n: number) => `n:${n.toString().padStart(16, "0")}`;
const txKey = (hash: string) => `t:${hash}`;

/** Where a transaction sits: its block and index. */
export interface TxLocation {
  blockHash: string;
  index: number;
}

/**
 * Executed blocks and their receipts, the canonical number index and the head, in level. A block
 * is written with its receipts in one batch once executed (its state's trie nodes are already
 * durable by then); a head change rewrites the canonical index and the head in one batch. So a
 * process killed at any moment reopens on a head whose block and state are both there.
 */
export class BlockStore {
  private readonly level: StoreLevel;
  private readonly common: Common;
  private readonly blocks = new Map<string, Block>();

  constructor(level: StoreLevel, common: Common) {
    this.level = level;
    this.common = common;
  }

  async putBlock(block: Block, receipts: StoredReceipt[]): Promise<void> {
    const hash = bytesToHex(block.hash());
    const ops: { type: "put"; key: string; value: Uint8Array }[] = [
      { type: "put", key: blockKey(hash), value: block.serialize() },
      { type: "put", key: receiptsKey(hash), value: encodeReceipts(receipts) },
    ];
    block.transactions.forEach((tx, index) => {
      const location = RLP.encode([hexToBytes(hash as `0x${string}`), intToBytes(index)]);
      ops.push({ type: "put", key: txKey(bytesToHex(tx.hash())), value: location });
    });
    await this.level.batch(ops);
    this.blocks.set(hash, block);
  }

  async getBlock(hash: string): Promise<Block | undefined> {
    const cached = this.blocks.get(hash);
    if (cached) return cached;
    const bytes = await this.level.get(blockKey(hash));
    if (bytes === undefined) return undefined;
    const block = createBlockFromBytesArray(RLP.decode(bytes) as never, { common: this.common });
    this.blocks.set(hash, block);
    return block;
  }

  async getReceipts(hash: string): Promise<StoredReceipt[] | undefined> {
    const bytes = await this.level.get(receiptsKey(hash));
    return bytes === undefined ? undefined : decodeReceipts(bytes);
  }

  async getTxLocation(txHash: string): Promise<TxLocation | undefined> {
    const bytes = await this.level.get(txKey(txHash));
    if (bytes === undefined) return undefined;
    const [blockHash, index] = RLP.decode(bytes) as Uint8Array[];
    return { blockHash: bytesToHex(blockHash), index: bytesToInt(index) };
  }

  async canonicalHash(n: number): Promise<string | undefined> {
    const bytes = await this.level.get(canonicalKey(n));
    return bytes === undefined ? undefined : bytesToHex(bytes);
  }

  async headHash(): Promise<string | undefined> {
    const bytes = await this.level.get(HEAD_KEY);
    return bytes === undefined ? undefined : bytesToHex(bytes);
  }

  async genesisHash(): Promise<string | undefined> {
    const bytes = await this.level.get(GENESIS_KEY);
    return bytes === undefined ? undefined : bytesToHex(bytes);
  }

  async finalizedHash(): Promise<string | undefined> {
    const bytes = await this.level.get(FINALIZED_KEY);
    return bytes === undefined ? undefined : bytesToHex(bytes);
  }

  async writeGenesis(block: Block): Promise<void> {
    await this.putBlock(block, []);
    const hash = block.hash();
    await this.level.batch([
      { type: "put", key: GENESIS_KEY, value: hash },
      { type: "put", key: canonicalKey(0), value: hash },
      { type: "put", key: HEAD_KEY, value: hash },
    ]);
  }

  /**
   * Make `head` canonical: rewrite the number index from it back to where it meets the old
   * canonical chain, drop index entries above it, and move the head pointer, in one batch.
   */
  async setHead(head: Block, oldHead: Block, finalized: string | null): Promise<void> {
    const ops: ({ type: "put"; key: string; value: Uint8Array } | { type: "del"; key: string })[] = [];
    for (let n = Number(head.header.number) + 1; n <= Number(oldHead.header.number); n++) {
      ops.push({ type: "del", key: canonicalKey(n) });
    }
    let block: Block | undefined = head;
    while (block !== undefined) {
      const n = Number(block.header.number);
      const hash = bytesToHex(block.hash());
      if ((await this.canonicalHash(n)) === hash && n < Number(head.header.number)) break;
      ops.push({ type: "put", key: canonicalKey(n), value: block.hash() });
      if (n === 0) break;
      block = await this.getBlock(bytesToHex(block.header.parentHash));
    }
    ops.push({ type: "put", key: HEAD_KEY, value: head.hash() });
    if (finalized !== null)
      ops.push({ type: "put", key: FINALIZED_KEY, value: hexToBytes(finalized as `0x${string}`) });
    await this.level.batch(ops);
  }
}
