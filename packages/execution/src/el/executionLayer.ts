import { type Block, createBlockFromExecutionPayload, type ExecutionPayload } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromString, createZeroAddress, hexToBytes, ValueEncoding } from "@ethereumjs/util";
import type { RunTxResult, TxReceipt } from "@ethereumjs/vm";
import { createVM, runBlock, type VM } from "@ethereumjs/vm";
import { Level } from "level";
import { type RealisedMev, Searcher, type SearcherOptions } from "../amm/searcher.ts";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";
import { BlockStore } from "./blockStore.ts";
import { buildPayloadBlock } from "./buildPayload.ts";
import { buildGenesisBlock, type ExecutionGenesis, parisCommon } from "./genesis.ts";
import { checkInclusionList, decodeListedTransaction, type InclusionListVerdict } from "./inclusionList.ts";
import { MAX_NONCE_AHEAD, Mempool } from "./mempool.ts";
import { computePayloadId, type PayloadAttributesV1 } from "./payloadId.ts";
import { decodeRawTransaction } from "./rawTransaction.ts";
import { fromVmReceipt, type StoredReceipt } from "./receipts.ts";
import { LevelTrieDb } from "./trieDb.ts";

export const PayloadStatusV1 = {
  VALID: "VALID",
  INVALID: "INVALID",
  SYNCING: "SYNCING",
  ACCEPTED: "ACCEPTED",
  INVALID_BLOCK_HASH: "INVALID_BLOCK_HASH",
} as const;
export type PayloadStatusV1 = (typeof PayloadStatusV1)[keyof typeof PayloadStatusV1];

export interface PayloadStatusResult {
  status: PayloadStatusV1;
  latestValidHash: string | null;
  validationError: string | null;
}

export interface ForkchoiceStateV1 {
  headBlockHash: string;
  safeBlockHash: string;
  finalizedBlockHash: string;
}

/** Payloads built and kept for `engine_getPayload`; older ones are dropped. */
const MAX_BUILT_PAYLOADS = 64;
/** Invalid block hashes remembered (with the last valid ancestor) so that a repeat answers at once. */
const MAX_INVALID_REMEMBERED = 1024;
/** Trie nodes kept in memory over the level store. */
const TRIE_NODE_CACHE_SIZE = 100_000;
/** Largest extraData a header may carry (yellow paper; Bellatrix's MAX_EXTRA_DATA_BYTES). */
const MAX_EXTRA_DATA_BYTES = 32;
const GAS_LIMIT_BOUND_DIVISOR = 1024n;
const MIN_GAS_LIMIT = 5000n;

export interface ExecutionLayerOptions {
  /** Level database directory (the node's data dir holds it). */
  path: string;
  genesis: ExecutionGenesis;
  /** Timestamp of the genesis block: the beacon chain's genesis time. */
  genesisTime: number;
  /** A builder's own arbitrage appended to the payloads it builds (see `Searcher`); none when absent. */
  searcher?: SearcherOptions;
  /** How long a build may take mempool transactions (ms; default PAYLOAD_BUILD_BUDGET_MS). */
  buildBudgetMs?: number;
}

/**
 * A build stops taking mempool transactions after this long (the inclusion list's and the
 * builder's own still go in): a payload is due within the slot, and a large pool (a full block of
 * swaps takes seconds here) would otherwise make every build late, so payloads go missing and the
 * pool only grows. Real ELs do the same (the best payload so far when getPayload asks).
 */
export const PAYLOAD_BUILD_BUDGET_MS = 400;

/** BLOCKHASH reads canonical ancestors from the store. */
function blockchainView(store: BlockStore) {
  const view = {
    getBlock: async (n: number) => {
      const hash = await store.canonicalHash(n);
      const block = hash === undefined ? undefined : await store.getBlock(hash);
      if (!block) throw new ExecutionError(ExecutionErrorCode.UNKNOWN_BLOCK, "unknown block", { number: n });
      return block;
    },
    putBlock: async () => {},
    shallowCopy: () => view,
  };
  return view;
}

/**
 * Gas an eth_call or eth_estimateGas may burn (geth's RPCGasCap, lowered): the EVM runs on the
 * node's event loop, about 25M gas a second here, so a call asking for 2^64 gas (or the block's
 * 30M) froze the node, its payload imports and duties with it, for as long as it ran.
 */
export const RPC_GAS_CAP = 5_000_000n;
/** eth_call and eth_estimateGas waiting at once; past it they are refused (CALL_BUSY), not queued before payloads. */
export const MAX_WAITING_CALLS = 4;

/**
 * The embedded execution layer: Paris rules on @ethereumjs/vm, state in a Merkle-Patricia trie on
 * level, executed blocks and receipts in a block store, a mempool, payload building. Calls are
 * serialized (one state manager, its root set per call).
 */
export class ExecutionLayer {
  readonly common: Common;
  readonly chainId: number;
  readonly mempool = new Mempool();
  /** eth_call and eth_estimateGas accepted and not yet answered. */
  private waitingCalls = 0;
  readonly store: BlockStore;
  private readonly db: Level<string, Uint8Array>;
  private readonly sm: MerkleStateManager;
  private readonly vm: VM;
  private head!: Block;
  private readonly built = new Map<string, Block>();
  /** What each built payload was built on, so that an inclusion list can be added to it. */
  private readonly buildArgs = new Map<string, { parent: Block; attrs: PayloadAttributesV1 }>();
  private readonly invalid = new Map<string, string | null>();
  /** What the searcher realised in each built payload (by payload id). */
  private readonly mev = new Map<string, RealisedMev>();
  private searcher: Searcher | null = null;
  private buildBudgetMs = PAYLOAD_BUILD_BUDGET_MS;
  private queue: Promise<unknown> = Promise.resolve();
  /** Execution time of each payload checked by `newPayload`, for the bench (ms). */
  lastExecutionMs = 0;
  /**
   * Payloads this EL built, by block hash, with their transactions' results: when one comes back
   * through `newPayload` (the CL imports its own payload) it is stored without executing it again.
   * The hash commits to the parent, every transaction and the resulting state and receipts roots,
   * so an equal hash is the very block this EL executed; its state's trie nodes were written then.
   */
  private readonly selfBuilt = new Map<string, RunTxResult[]>();
  /** Payloads `newPayload` stored without executing them again (built here), since start. */
  reexecutionsSkipped = 0;

  private constructor(
    db: Level<string, Uint8Array>,
    common: Common,
    sm: MerkleStateManager,
    vm: VM,
    store: BlockStore,
  ) {
    this.db = db;
    this.common = common;
    this.chainId = Number(common.chainId());
    this.sm = sm;
    this.vm = vm;
    this.store = store;
  }

  static async open(opts: ExecutionLayerOptions): Promise<ExecutionLayer> {
    const db = new Level<string, Uint8Array>(opts.path, { valueEncoding: "view" });
    await db.open();
    const common = parisCommon(opts.genesis.chainId);
    const trie = new MerklePatriciaTrie({
      db: new LevelTrieDb(db.sublevel<string, Uint8Array>("trie", { valueEncoding: "view" })),
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
      // Trie nodes read again and again (the accounts a block touches): kept in memory
      cacheSize: TRIE_NODE_CACHE_SIZE,
      common,
    });
    // Account/storage/code caches: a block reads each account several times (nonce, balance, fee)
    const sm = new MerkleStateManager({ trie, common, caches: new Caches() });
    const store = new BlockStore(db.sublevel<string, Uint8Array>("blocks", { valueEncoding: "view" }), common);
    const vm = await createVM({ common, stateManager: sm, blockchain: blockchainView(store) as never });
    const el = new ExecutionLayer(db, common, sm, vm, store);
    if (opts.searcher) el.searcher = new Searcher(opts.searcher);
    if (opts.buildBudgetMs !== undefined) el.buildBudgetMs = opts.buildBudgetMs;
    await el.loadOrInitGenesis(opts);
    return el;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    await this.db.close();
  }

  private async loadOrInitGenesis(opts: ExecutionLayerOptions): Promise<void> {
    const stored = await this.store.headHash();
    const genesis = await buildGenesisBlock(this.common, this.sm, opts.genesis, opts.genesisTime);
    if (stored === undefined) {
      await this.store.writeGenesis(genesis);
      this.head = genesis;
      return;
    }
    const storedGenesis = await this.store.genesisHash();
    if (storedGenesis !== bytesToHex(genesis.hash())) {
      throw new ExecutionError(ExecutionErrorCode.BAD_GENESIS, "database holds another chain's genesis", {
        stored: storedGenesis,
        genesis: bytesToHex(genesis.hash()),
      });
    }
    this.head = (await this.store.getBlock(stored))!;
  }

  /** One call at a time: they share the state manager. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  get genesisHash(): Promise<string | undefined> {
    return this.store.genesisHash();
  }

  headBlock(): Block {
    return this.head;
  }

  // ---- Engine API ----

  newPayload(payload: ExecutionPayload): Promise<PayloadStatusResult> {
    return this.serial(() => this.newPayloadUnserialized(payload));
  }

  private async newPayloadUnserialized(payload: ExecutionPayload): Promise<PayloadStatusResult> {
    let block: Block;
    try {
      block = await createBlockFromExecutionPayload(payload, { common: this.common });
    } catch (e) {
      // engine_newPayloadV1: a block hash that is not keccak256(rlp(header)) is INVALID_BLOCK_HASH
      return { status: PayloadStatusV1.INVALID_BLOCK_HASH, latestValidHash: null, validationError: String(e) };
    }
    const hash = bytesToHex(block.hash());
    if (await this.store.getBlock(hash))
      return { status: PayloadStatusV1.VALID, latestValidHash: hash, validationError: null };
    if (this.invalid.has(hash)) {
      return {
        status: PayloadStatusV1.INVALID,
        latestValidHash: this.invalid.get(hash)!,
        validationError: "known invalid",
      };
    }
    const parentHash = bytesToHex(block.header.parentHash);
    if (this.invalid.has(parentHash)) {
      return this.rememberInvalid(hash, this.invalid.get(parentHash)!, "descends from an invalid block");
    }
    const parent = await this.store.getBlock(parentHash);
    // The parent is not known: the spec's answer is SYNCING (the CL imports optimistically)
    if (!parent) return { status: PayloadStatusV1.SYNCING, latestValidHash: null, validationError: null };
    const headerError = this.checkHeader(block, parent);
    if (headerError !== null) return this.rememberInvalid(hash, parentHash, headerError);
    const built = this.selfBuilt.get(hash);
    if (built !== undefined) {
      this.selfBuilt.delete(hash);
      await this.store.putBlock(
        block,
        this.receiptsOf(
          built.map((r) => r.receipt),
          built,
        ),
      );
      this.reexecutionsSkipped++;
      return { status: PayloadStatusV1.VALID, latestValidHash: hash, validationError: null };
    }
    const started = performance.now();
    try {
      const result = await runBlock(this.vm, {
        block,
        root: parent.header.stateRoot,
        skipHeaderValidation: true,
      });
      this.lastExecutionMs = performance.now() - started;
      await this.store.putBlock(block, this.receiptsOf(result.receipts, result.results));
    } catch (e) {
      return this.rememberInvalid(hash, parentHash, (e as Error).message);
    }
    return { status: PayloadStatusV1.VALID, latestValidHash: hash, validationError: null };
  }

  private rememberInvalid(hash: string, latestValidHash: string | null, error: string): PayloadStatusResult {
    this.invalid.set(hash, latestValidHash);
    if (this.invalid.size > MAX_INVALID_REMEMBERED) this.invalid.delete(this.invalid.keys().next().value as string);
    return { status: PayloadStatusV1.INVALID, latestValidHash, validationError: error };
  }

  /** Header rules against the parent that runBlock leaves to a blockchain (which this EL does not keep). */
  private checkHeader(block: Block, parent: Block): string | null {
    const h = block.header;
    const p = parent.header;
    if (h.number !== p.number + 1n) return "block number is not parent's + 1";
    if (h.timestamp <= p.timestamp) return "timestamp is not after the parent's";
    if (h.extraData.length > MAX_EXTRA_DATA_BYTES) return "extraData too long";
    if (h.gasUsed > h.gasLimit) return "gasUsed above gasLimit";
    const bound = p.gasLimit / GAS_LIMIT_BOUND_DIVISOR;
    if (h.gasLimit >= p.gasLimit + bound || h.gasLimit <= p.gasLimit - bound || h.gasLimit < MIN_GAS_LIMIT) {
      return "gasLimit moved too far from the parent's";
    }
    if (h.baseFeePerGas !== p.calcNextBaseFee()) return "baseFeePerGas is not the EIP-1559 successor of the parent's";
    return null;
  }

  private receiptsOf(receipts: TxReceipt[], results: RunTxResult[]): StoredReceipt[] {
    return receipts.map((r, i) => fromVmReceipt(r, results[i].totalGasSpent, results[i].createdAddress?.bytes ?? null));
  }

  forkchoiceUpdated(
    state: ForkchoiceStateV1,
    attrs: PayloadAttributesV1 | null,
  ): Promise<{ payloadStatus: PayloadStatusResult; payloadId: string | null }> {
    return this.serial(async () => {
      const head = await this.store.getBlock(state.headBlockHash);
      if (this.invalid.has(state.headBlockHash)) {
        const latestValidHash = this.invalid.get(state.headBlockHash)!;
        return {
          payloadStatus: { status: PayloadStatusV1.INVALID, latestValidHash, validationError: null },
          payloadId: null,
        };
      }
      if (!head) {
        return {
          payloadStatus: { status: PayloadStatusV1.SYNCING, latestValidHash: null, validationError: null },
          payloadId: null,
        };
      }
      // engine_forkchoiceUpdatedV1: the EL "MAY skip an update" to a VALID ancestor of its canonical
      // head. Skipped here when no build is asked (a restarted CL replaying its blocks walks its head
      // up from the anchor; users' "latest" must not go back meanwhile); a build on an ancestor reorgs to it.
      const isCanonicalAncestor =
        head.header.number < this.head.header.number &&
        (await this.store.canonicalHash(Number(head.header.number))) === state.headBlockHash;
      const skip = attrs === null && isCanonicalAncestor;
      if (!skip && bytesToHex(head.hash()) !== bytesToHex(this.head.hash())) {
        const finalized = /^0x0+$/.test(state.finalizedBlockHash) ? null : state.finalizedBlockHash;
        await this.store.setHead(head, this.head, finalized);
        this.head = head;
        await this.mempool.prune((sender) => this.nonceAt(head.header.stateRoot, sender));
      }
      const payloadStatus = {
        status: PayloadStatusV1.VALID,
        latestValidHash: state.headBlockHash,
        validationError: null,
      };
      if (attrs === null) return { payloadStatus, payloadId: null };
      if (BigInt(attrs.timestamp) <= head.header.timestamp) {
        throw new ExecutionError(ExecutionErrorCode.INVALID_ATTRIBUTES, "timestamp is not after the head's", {
          timestamp: attrs.timestamp,
        });
      }
      const payloadId = computePayloadId(state.headBlockHash, attrs);
      if (!this.built.has(payloadId)) {
        this.built.set(payloadId, await this.build(head, attrs, [], payloadId));
        this.buildArgs.set(payloadId, { parent: head, attrs });
        if (this.built.size > MAX_BUILT_PAYLOADS) {
          const oldest = this.built.keys().next().value as string;
          this.built.delete(oldest);
          this.buildArgs.delete(oldest);
          this.mev.delete(oldest);
        }
      }
      return { payloadStatus, payloadId };
    });
  }

  getPayload(payloadId: string): ExecutionPayload {
    const block = this.built.get(payloadId);
    if (!block) throw new ExecutionError(ExecutionErrorCode.UNKNOWN_PAYLOAD, "unknown payload", { payloadId });
    return block.toExecutionPayload();
  }

  /**
   * Fill a payload on `parent` from the mempool: best tip first, each sender in nonce order; then
   * the inclusion list's transactions not already in, each if it is valid there and fits.
   */
  /**
   * Turnstile's extension: what the builder's own arbitrage realised in the payload `payloadId`
   * (zero without a searcher, or when no trade paid).
   */
  getPayloadMev(payloadId: string): RealisedMev {
    if (!this.built.has(payloadId)) {
      throw new ExecutionError(ExecutionErrorCode.UNKNOWN_PAYLOAD, "unknown payload", { payloadId });
    }
    return this.mev.get(payloadId) ?? { realisedWei: 0n, referencePrice: 0n, txHash: null };
  }

  private async build(
    parent: Block,
    attrs: PayloadAttributesV1,
    listed: readonly Uint8Array[] = [],
    payloadId?: string,
  ): Promise<Block> {
    await this.sm.setStateRoot(parent.header.stateRoot);
    const nonces = new Map<string, bigint>();
    for (const sender of this.mempool.senders()) {
      nonces.set(sender, (await this.sm.getAccount(createAddressFromString(sender)))?.nonce ?? 0n);
    }
    const fromPool = this.mempool.ordered(parent.header.calcNextBaseFee(), (s) => nonces.get(s) ?? 0n);
    const common = this.common;
    const deadline = performance.now() + this.buildBudgetMs;
    function* candidates(): Generator<TypedTransaction, void, boolean | undefined> {
      const seen = new Set<string>();
      let next = fromPool.next();
      // The pool's transactions while the budget lasts (time passes as the builder runs each)
      while (!next.done && performance.now() < deadline) {
        const included = yield next.value;
        if (included) seen.add(bytesToHex(next.value.hash()));
        next = fromPool.next(included);
      }
      for (const raw of listed) {
        const tx = decodeListedTransaction(raw, common);
        if (tx === null || seen.has(bytesToHex(tx.hash()))) continue;
        seen.add(bytesToHex(tx.hash()));
        yield tx;
      }
    }
    const searcher = this.searcher?.buildsFor(attrs.suggestedFeeRecipient) ? this.searcher : null;
    const append = searcher
      ? async (context: Block, include: (tx: TypedTransaction) => Promise<boolean>) => {
          const realised = await searcher.backrun(this.vm, context, include);
          if (payloadId !== undefined) this.mev.set(payloadId, realised);
        }
      : undefined;
    const executed: RunTxResult[] = [];
    const block = await buildPayloadBlock(this.vm, parent, attrs, candidates(), append, executed);
    this.selfBuilt.set(bytesToHex(block.hash()), executed);
    if (this.selfBuilt.size > MAX_BUILT_PAYLOADS) this.selfBuilt.delete(this.selfBuilt.keys().next().value as string);
    return block;
  }

  /**
   * Inclusion lists (Turnstile; EIP-7805's `engine_updatePayloadWithInclusionListV1`): rebuild the
   * payload `payloadId` with the listed transactions appended where valid and fitting.
   */
  updatePayloadWithInclusionList(payloadId: string, listed: readonly Uint8Array[]): Promise<string> {
    return this.serial(async () => {
      const args = this.buildArgs.get(payloadId);
      if (!args) throw new ExecutionError(ExecutionErrorCode.UNKNOWN_PAYLOAD, "unknown payload", { payloadId });
      this.built.set(payloadId, await this.build(args.parent, args.attrs, listed, payloadId));
      return payloadId;
    });
  }

  /**
   * Inclusion lists: whether the stored block `blockHash` satisfies `listed` (see `checkInclusionList`).
   * Throws UNKNOWN_BLOCK for a block this EL has not executed.
   */
  checkInclusionList(blockHash: string, listed: readonly Uint8Array[]): Promise<InclusionListVerdict> {
    return this.serial(async () => {
      const block = await this.store.getBlock(blockHash);
      if (!block) throw new ExecutionError(ExecutionErrorCode.UNKNOWN_BLOCK, "unknown block", { blockHash });
      await this.sm.setStateRoot(block.header.stateRoot);
      return checkInclusionList(this.vm, block, listed);
    });
  }

  /**
   * Inclusion lists (EIP-7805's `engine_getInclusionListV1`): pending transactions valid on the head,
   * in the order a payload would take them, while `maxTransactions` and `maxBytes` allow.
   */
  getInclusionList(maxTransactions: number, maxBytes: number): Promise<Uint8Array[]> {
    return this.serial(async () => {
      const head = this.head;
      await this.sm.setStateRoot(head.header.stateRoot);
      const nonces = new Map<string, bigint>();
      for (const sender of this.mempool.senders()) {
        nonces.set(sender, (await this.sm.getAccount(createAddressFromString(sender)))?.nonce ?? 0n);
      }
      const listed: Uint8Array[] = [];
      let bytes = 0;
      const candidates = this.mempool.ordered(head.header.calcNextBaseFee(), (s) => nonces.get(s) ?? 0n);
      for (let next = candidates.next(); !next.done && listed.length < maxTransactions; ) {
        const raw = next.value.serialize();
        const fits = bytes + raw.length <= maxBytes;
        if (fits) {
          listed.push(raw);
          bytes += raw.length;
        }
        next = candidates.next(fits);
      }
      return listed;
    });
  }

  private async nonceAt(stateRoot: Uint8Array, sender: string): Promise<bigint> {
    await this.sm.setStateRoot(stateRoot);
    const account = await this.sm.getAccount(createAddressFromString(sender));
    return account?.nonce ?? 0n;
  }

  // ---- user-facing ----

  /** eth_sendRawTransaction: decode, check against the head state, pool. Returns the hash. */
  sendRawTransaction(raw: Uint8Array): Promise<string> {
    return this.serial(async () => {
      const { tx, hash } = decodeRawTransaction(raw, this.common);
      if (this.mempool.has(hash)) throw new ExecutionError(ExecutionErrorCode.TX_KNOWN, "already known", { hash });
      const fail = (reason: string) => new ExecutionError(ExecutionErrorCode.TX_INVALID, reason, { hash });
      if (tx.gasLimit > this.head.header.gasLimit) throw fail("exceeds block gas limit");
      const sender = tx.getSenderAddress();
      await this.sm.setStateRoot(this.head.header.stateRoot);
      const account = await this.sm.getAccount(sender);
      const nonce = account?.nonce ?? 0n;
      if (tx.nonce < nonce) throw fail("nonce too low");
      if (tx.nonce >= nonce + BigInt(MAX_NONCE_AHEAD)) throw fail("nonce too far ahead of the account's");
      if ((account?.balance ?? 0n) < tx.getUpfrontCost()) throw fail("insufficient funds for gas * price + value");
      return this.mempool.add(tx, sender.toString());
    });
  }

  /** The state root at a block tag ("latest", "pending", "earliest", "finalized", "safe" or a number). */
  async blockAt(tag: string): Promise<Block> {
    if (tag === "latest" || tag === "pending" || tag === "safe") return this.head;
    if (tag === "earliest") return (await this.store.getBlock((await this.store.genesisHash())!))!;
    if (tag === "finalized") {
      const hash = await this.store.finalizedHash();
      return hash ? ((await this.store.getBlock(hash)) ?? this.head) : await this.blockAt("earliest");
    }
    const hash = await this.store.canonicalHash(Number(BigInt(tag)));
    const block = hash === undefined ? undefined : await this.store.getBlock(hash);
    if (!block) throw new ExecutionError(ExecutionErrorCode.UNKNOWN_BLOCK, "unknown block", { tag });
    return block;
  }

  getAccount(address: string, tag = "latest"): Promise<{ balance: bigint; nonce: bigint }> {
    return this.serial(async () => {
      const block = await this.blockAt(tag);
      await this.sm.setStateRoot(block.header.stateRoot);
      const account = await this.sm.getAccount(createAddressFromString(address.toLowerCase()));
      let nonce = account?.nonce ?? 0n;
      if (tag === "pending") nonce = this.mempool.pendingNonce(address.toLowerCase(), nonce);
      return { balance: account?.balance ?? 0n, nonce };
    });
  }

  /** eth_call: run a message on the state at `tag` (with at most RPC_GAS_CAP gas) and discard its changes. */
  call(
    msg: { from?: string; to?: string; data?: string; value?: string; gas?: string },
    tag = "latest",
  ): Promise<{ returnValue: Uint8Array; gasUsed: bigint; error: string | null }> {
    const asked = msg.gas ? BigInt(msg.gas) : RPC_GAS_CAP;
    const gasLimit = asked < RPC_GAS_CAP ? asked : RPC_GAS_CAP;
    if (this.waitingCalls >= MAX_WAITING_CALLS) {
      return Promise.reject(
        new ExecutionError(ExecutionErrorCode.CALL_BUSY, "too many calls in progress", { limit: MAX_WAITING_CALLS }),
      );
    }
    this.waitingCalls++;
    return this.serial(async () => {
      const block = await this.blockAt(tag);
      await this.sm.setStateRoot(block.header.stateRoot);
      await this.sm.checkpoint();
      try {
        const result = await this.vm.evm.runCall({
          caller: msg.from ? createAddressFromString(msg.from.toLowerCase()) : createZeroAddress(),
          to: msg.to ? createAddressFromString(msg.to.toLowerCase()) : undefined,
          data: msg.data ? hexToBytes(msg.data as `0x${string}`) : undefined,
          value: msg.value ? BigInt(msg.value) : 0n,
          gasLimit,
          block,
        });
        const error = result.execResult.exceptionError?.error ?? null;
        return { returnValue: result.execResult.returnValue, gasUsed: result.execResult.executionGasUsed, error };
      } finally {
        await this.sm.revert();
      }
    }).finally(() => {
      this.waitingCalls--;
    });
  }

  async receipt(
    txHash: string,
  ): Promise<{ block: Block; index: number; receipt: StoredReceipt; receipts: StoredReceipt[] } | null> {
    const location = await this.store.getTxLocation(txHash);
    if (!location) return null;
    const block = await this.store.getBlock(location.blockHash);
    if (!block || (await this.store.canonicalHash(Number(block.header.number))) !== location.blockHash) return null;
    const receipts = (await this.store.getReceipts(location.blockHash)) ?? [];
    return { block, index: location.index, receipt: receipts[location.index], receipts };
  }
}
