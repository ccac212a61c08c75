import { EventEmitter } from "node:events";
import {
  type EngineApiClient,
  ExecutionError,
  ExecutionErrorCode,
  PayloadStatusV1,
  payloadFromJson,
  payloadToJson,
} from "@turnstile/execution";
import {
  type BuildPayloadArgs,
  type ChainContext,
  DeterministicExecutionEngine,
  type ExecutionPayload,
  fromHex,
  PayloadStatus,
  toHex,
} from "@turnstile/ticket-state";
import { EngineClientError, EngineClientErrorCode } from "./errors.ts";

/** Verdicts and prepared payloads kept (a few epochs' worth). */
const MAX_REMEMBERED = 512;
const ZERO_HASH_HEX = `0x${"00".repeat(32)}`;
const WEI_PER_GWEI = 1_000_000_000n;
const MS_PER_SECOND = 1000;

/** First wait before probing an unreachable EL again; it doubles on each failed probe up to the max. */
export const RECONNECT_MIN_MS = 500;
export const RECONNECT_MAX_MS = 16_000;
const ENGINE_CAPABILITIES = ["engine_newPayloadV1", "engine_forkchoiceUpdatedV1", "engine_getPayloadV1"];

export interface EngineApiEngineOptions {
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export interface EngineApiEngineEvents {
  /**
   * A payload imported optimistically (the EL had not answered yet) was found INVALID, by
   * engine_newPayload or engine_forkchoiceUpdated: `data.blockHash`, `data.latestValidHash`.
   */
  invalid: [error: EngineClientError];
  /** The EL could not be reached (or answered with an error); consensus goes on optimistically. */
  unavailable: [error: Error];
  /** The EL answers again: the payloads imported meanwhile were replayed and the head sent. */
  reconnected: [replayed: number];
  /** The EL answered engine_newPayloadV1 for a payload of `transactions` in `seconds` (its import, execution included). */
  payloadExecuted: [seconds: number, transactions: number];
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as K);
}

/** The Engine API's status as the state transition's: SYNCING and ACCEPTED are imported optimistically. */
export function toPayloadStatus(status: string): PayloadStatus {
  if (status === PayloadStatusV1.VALID) return PayloadStatus.VALID;
  if (status === PayloadStatusV1.INVALID || status === PayloadStatusV1.INVALID_BLOCK_HASH) return PayloadStatus.INVALID;
  return PayloadStatus.SYNCING;
}

/**
 * The ticket-state engine interface over an Engine API client (an external EL, or the embedded one
 * through its JSON-RPC endpoint).
 *
 * The state transition asks synchronously; the EL answers over HTTP. So:
 * - `notifyNewPayload` answers from the verdicts the EL already gave; a payload it has not judged
 *   yet is sent (`engine_newPayloadV1`, in import order) and imported optimistically (SYNCING), as
 *   consensus clients do while their EL syncs. An unreachable EL therefore never halts consensus.
 *   A payload later found INVALID is reported (`invalid` event); its descendants are refused.
 * - `buildPayload` returns a payload that `preparePayload` built beforehand
 *   (`engine_forkchoiceUpdatedV1` with attributes, then `engine_getPayloadV1`): duties that build
 *   await `preparePayload` first (see `withPreparedPayload`).
 * Every call goes through one queue, so the EL sees payloads before the builds on them.
 *
 * It extends the deterministic engine only because block production names that class in its
 * signature; nothing of it is used.
 */
export class EngineApiExecutionEngine extends DeterministicExecutionEngine {
  readonly client: EngineApiClient;
  readonly events = new EventEmitter<EngineApiEngineEvents>();
  private readonly verdicts = new Map<string, PayloadStatus>();
  private readonly prepared = new Map<string, ExecutionPayload>();
  private readonly listVerdicts = new Map<string, boolean>();
  private queue: Promise<unknown> = Promise.resolve();
  private finalizedHash = ZERO_HASH_HEX;
  /** What the EL's own arbitrage realised in the payloads it built for us (Gwei, by block hash). */
  private readonly realisedMev = new Map<string, number>();
  /** False once the EL answered engine_getPayloadMevV1 with a JSON-RPC error (an EL without the extension). */
  payloadMevSupported = true;

  /** False from the first unreachable call until a probe (with backoff) reaches the EL again. */
  private available = true;
  /** Payloads the EL has not judged yet (SYNCING, or not sent while it was unreachable), by hash; the last MAX_REMEMBERED. */
  private readonly optimistic = new Map<string, ExecutionPayload>();
  /** The last head sent (or to send) in engine_forkchoiceUpdated. */
  private lastHead: string | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectDelay: number;
  private readonly reconnectMinMs: number;
  private readonly reconnectMaxMs: number;
  private stopped = false;

  constructor(ctx: ChainContext, client: EngineApiClient, opts: EngineApiEngineOptions = {}) {
    super(ctx);
    this.client = client;
    this.reconnectMinMs = opts.reconnectMinMs ?? RECONNECT_MIN_MS;
    this.reconnectMaxMs = opts.reconnectMaxMs ?? RECONNECT_MAX_MS;
    this.reconnectDelay = this.reconnectMinMs;
  }

  /** Whether the EL answered the last call (or a reconnect probe). */
  get isAvailable(): boolean {
    return this.available;
  }

  /** Stop probing an unreachable EL (node shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  /**
   * A call failed. An unreachable EL (transport error, time-out) is probed with backoff until it
   * answers, then re-synced; other errors (a JSON-RPC error: the EL is up) are only reported.
   */
  private onCallError(e: unknown): void {
    if (!(e instanceof ExecutionError && e.code === ExecutionErrorCode.ENGINE_UNREACHABLE)) {
      this.events.emit("unavailable", e as Error);
      return;
    }
    if (!this.available) return;
    this.available = false;
    this.reconnectDelay = this.reconnectMinMs;
    this.events.emit("unavailable", e);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.stopped || this.reconnectTimer !== null) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.probe();
    }, this.reconnectDelay);
    this.reconnectTimer.unref?.();
  }

  private async probe(): Promise<void> {
    try {
      await this.client.exchangeCapabilities(ENGINE_CAPABILITIES);
    } catch (e) {
      if (e instanceof ExecutionError && e.code === ExecutionErrorCode.ENGINE_UNREACHABLE) {
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.reconnectMaxMs);
        this.scheduleProbe();
        return;
      }
      // A JSON-RPC error: the EL is up (without engine_exchangeCapabilities)
    }
    if (this.stopped) return;
    this.available = true;
    const replayed = await this.resync();
    if (this.available) this.events.emit("reconnected", replayed);
  }

  /**
   * Bring an EL that was unreachable up to the chain: every payload imported meanwhile, in block
   * number order (each answer handled as newPayload's), then engine_forkchoiceUpdated to the head.
   * @returns how many payloads were sent
   */
  resync(): Promise<number> {
    return this.enqueue(async () => {
      const payloads = [...this.optimistic.values()].sort((a, b) => a.block_number - b.block_number);
      let sent = 0;
      for (const payload of payloads) {
        if (!this.available) return sent;
        await this.sendPayload(payload);
        sent++;
      }
      if (this.available && this.lastHead !== null) await this.sendForkchoice(this.lastHead);
      return sent;
    });
  }

  /** Record an INVALID verdict and report it (the chain takes it out of fork choice). */
  private onInvalid(blockHash: string, latestValidHash: string | null, validationError: string | null): void {
    remember(this.verdicts, blockHash, PayloadStatus.INVALID);
    this.optimistic.delete(blockHash);
    this.events.emit(
      "invalid",
      new EngineClientError(EngineClientErrorCode.INVALID_AFTER_IMPORT, "execution layer found the payload invalid", {
        blockHash,
        latestValidHash,
        validationError,
      }),
    );
  }

  /** Payloads found invalid by the chain's reading of a verdict (the ancestors `latestValidHash` condemned). */
  markInvalid(blockHashes: readonly string[]): void {
    for (const hash of blockHashes) {
      remember(this.verdicts, hash, PayloadStatus.INVALID);
      this.optimistic.delete(hash);
    }
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Resolves once every call queued so far was answered (tests, shutdown). */
  async settled(): Promise<void> {
    await this.queue;
  }

  private static key(args: BuildPayloadArgs): string {
    // V1 attributes carry no gas limit: the EL keeps its parent's
    const listed = (args.inclusionListTransactions ?? []).map((tx) => toHex(tx)).join(",");
    return [toHex(args.parentHash), args.timestamp, toHex(args.feeRecipient), toHex(args.prevRandao), listed].join(":");
  }

  override notifyNewPayload(payload: ExecutionPayload): PayloadStatus {
    const hash = toHex(payload.block_hash);
    const known = this.verdicts.get(hash);
    if (known !== undefined && known !== PayloadStatus.SYNCING) return known;
    // A child of a payload the EL refused is refused too
    if (this.verdicts.get(toHex(payload.parent_hash)) === PayloadStatus.INVALID) return PayloadStatus.INVALID;
    remember(this.optimistic, hash, payload);
    void this.verifyPayload(payload).catch(() => {});
    return PayloadStatus.SYNCING;
  }

  /**
   * Send a payload to the EL and remember its verdict (SYNCING when it cannot be reached: it is
   * then kept, and replayed when the EL comes back).
   */
  verifyPayload(payload: ExecutionPayload): Promise<PayloadStatus> {
    const hash = toHex(payload.block_hash);
    return this.enqueue(async () => {
      const known = this.verdicts.get(hash);
      if (known !== undefined && known !== PayloadStatus.SYNCING) return known;
      if (!this.available) {
        remember(this.optimistic, hash, payload);
        return PayloadStatus.SYNCING;
      }
      return this.sendPayload(payload);
    });
  }

  /** engine_newPayloadV1, inside the queue; its verdict recorded (INVALID reported). */
  private async sendPayload(payload: ExecutionPayload): Promise<PayloadStatus> {
    const hash = toHex(payload.block_hash);
    try {
      const started = performance.now();
      const result = await this.client.newPayloadV1(payloadToJson(payload));
      this.events.emit("payloadExecuted", (performance.now() - started) / MS_PER_SECOND, payload.transactions.length);
      const status = toPayloadStatus(result.status);
      if (status === PayloadStatus.INVALID) {
        // INVALID_BLOCK_HASH says nothing of the ancestors
        const latestValid = result.status === PayloadStatusV1.INVALID ? result.latestValidHash : null;
        this.onInvalid(hash, latestValid, result.validationError ?? null);
      } else {
        remember(this.verdicts, hash, status);
        if (status === PayloadStatus.VALID) this.optimistic.delete(hash);
        else remember(this.optimistic, hash, payload);
      }
      return status;
    } catch (e) {
      remember(this.optimistic, hash, payload);
      this.onCallError(e);
      return PayloadStatus.SYNCING;
    }
  }

  /**
   * Inclusion lists: the EL's verdict (`engine_checkInclusionListV1`, run on the payload's
   * post-state), asked by `checkInclusionList` when the payload was imported. Until it answered (or
   * when the EL cannot: an external client without the extension, an unknown block) the payload
   * counts as satisfying: an honest node never votes against a payload it could not judge.
   */
  override isInclusionListSatisfied(payload: ExecutionPayload, transactions: readonly Uint8Array[]): boolean {
    if (transactions.length === 0) return true;
    const verdict = this.listVerdicts.get(EngineApiExecutionEngine.listKey(payload.block_hash, transactions));
    if (verdict === undefined) void this.checkInclusionList(payload, transactions);
    return verdict ?? true;
  }

  private static listKey(blockHash: Uint8Array, transactions: readonly Uint8Array[]): string {
    return `${toHex(blockHash)}:${transactions.map((tx) => toHex(tx)).join(",")}`;
  }

  /** Ask the EL whether `payload` satisfies the list (after the payload itself, in the one queue). */
  checkInclusionList(payload: ExecutionPayload, transactions: readonly Uint8Array[]): Promise<boolean | null> {
    if (!this.inclusionListsSupported) return Promise.resolve(null);
    const key = EngineApiExecutionEngine.listKey(payload.block_hash, transactions);
    return this.enqueue(async () => {
      const known = this.listVerdicts.get(key);
      if (known !== undefined) return known;
      try {
        const verdict = await this.client.checkInclusionListV1(
          toHex(payload.block_hash),
          transactions.map((tx) => toHex(tx)),
        );
        remember(this.listVerdicts, key, verdict.satisfied);
        return verdict.satisfied;
      } catch (e) {
        this.onInclusionListError(e);
        return null;
      }
    });
  }

  /** False once the EL answered an inclusion-list call with a JSON-RPC error (an EL without the extension). */
  inclusionListsSupported = true;

  private onInclusionListError(e: unknown): void {
    if (e instanceof ExecutionError && e.code === ExecutionErrorCode.ENGINE_RPC_ERROR) {
      this.inclusionListsSupported = false;
      return;
    }
    this.onCallError(e);
  }

  /** Transactions from the EL's mempool for our proposers' inclusion lists (refreshed by `refreshInclusionListCandidates`). */
  inclusionListCandidates: Uint8Array[] = [];

  refreshInclusionListCandidates(maxTransactions: number, maxBytes: number): Promise<void> {
    if (!this.inclusionListsSupported) return Promise.resolve();
    return this.enqueue(async () => {
      try {
        const listed = await this.client.getInclusionListV1(maxTransactions, maxBytes);
        this.inclusionListCandidates = listed.map((tx) => fromHex(tx));
      } catch (e) {
        this.onInclusionListError(e);
      }
    });
  }

  /** The EL already has it: nothing to record on this side. */
  override recordPayload(payload: ExecutionPayload): void {
    remember(
      this.verdicts,
      toHex(payload.block_hash),
      this.verdicts.get(toHex(payload.block_hash)) ?? PayloadStatus.SYNCING,
    );
  }

  override hasPayload(blockHash: Uint8Array): boolean {
    return this.verdicts.get(toHex(blockHash)) === PayloadStatus.VALID;
  }

  override buildPayload(args: BuildPayloadArgs): ExecutionPayload {
    const payload = this.prepared.get(EngineApiExecutionEngine.key(args));
    if (!payload) {
      throw new EngineClientError(EngineClientErrorCode.PAYLOAD_NOT_PREPARED, "payload not prepared", {
        parentHash: toHex(args.parentHash),
        slot: args.slot,
      });
    }
    return payload;
  }

  /** Have the EL build the payload `buildPayload(args)` will return. */
  preparePayload(args: BuildPayloadArgs): Promise<ExecutionPayload> {
    const key = EngineApiExecutionEngine.key(args);
    return this.enqueue(async () => {
      const ready = this.prepared.get(key);
      if (ready) return ready;
      const head = toHex(args.parentHash);
      if (!this.available) {
        throw new EngineClientError(EngineClientErrorCode.UNAVAILABLE, "execution layer unreachable: cannot build", {
          parentHash: head,
          slot: args.slot,
        });
      }
      let fcu: Awaited<ReturnType<EngineApiClient["forkchoiceUpdatedV1"]>>;
      try {
        fcu = await this.client.forkchoiceUpdatedV1(
          { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: this.finalizedHash },
          {
            timestamp: `0x${args.timestamp.toString(16)}`,
            prevRandao: toHex(args.prevRandao) as `0x${string}`,
            suggestedFeeRecipient: toHex(args.feeRecipient) as `0x${string}`,
          },
        );
      } catch (e) {
        this.onCallError(e);
        throw new EngineClientError(EngineClientErrorCode.UNAVAILABLE, "execution layer did not answer the build", {
          parentHash: head,
          slot: args.slot,
          cause: (e as Error).message,
        });
      }
      if (fcu.payloadStatus.status === PayloadStatusV1.INVALID) {
        this.onInvalid(head, fcu.payloadStatus.latestValidHash ?? null, fcu.payloadStatus.validationError ?? null);
      }
      if (fcu.payloadId === null) {
        throw new EngineClientError(EngineClientErrorCode.BUILD_REFUSED, "execution layer cannot build on the parent", {
          parentHash: head,
          status: fcu.payloadStatus.status,
        });
      }
      // Inclusion lists: the EL appends the slot's listed transactions that are valid and fit
      const listed = args.inclusionListTransactions ?? [];
      if (listed.length > 0 && this.inclusionListsSupported) {
        try {
          await this.client.updatePayloadWithInclusionListV1(
            fcu.payloadId,
            listed.map((tx) => toHex(tx)),
          );
        } catch (e) {
          // An EL without the extension: its payload, without the list
          this.onInclusionListError(e);
        }
      }
      const payload = payloadFromJson(await this.client.getPayloadV1(fcu.payloadId));
      remember(this.prepared, key, payload);
      if (this.payloadMevSupported) {
        try {
          const mev = await this.client.getPayloadMevV1(fcu.payloadId);
          remember(this.realisedMev, toHex(payload.block_hash), Number(mev.realisedMevWei / WEI_PER_GWEI));
        } catch (e) {
          if (e instanceof ExecutionError && e.code === ExecutionErrorCode.ENGINE_RPC_ERROR)
            this.payloadMevSupported = false;
        }
      }
      return payload;
    });
  }

  /** What the EL's arbitrage realised in a payload it built for this node (Gwei), if it reported it. */
  realisedMevGwei(blockHash: Uint8Array): number | undefined {
    return this.realisedMev.get(toHex(blockHash));
  }

  /** Tell the EL the head (and finalized) payload: it makes that chain canonical for its users. */
  updateForkchoice(headBlockHash: Uint8Array, finalizedBlockHash: Uint8Array | null): Promise<void> {
    if (finalizedBlockHash !== null) this.finalizedHash = toHex(finalizedBlockHash);
    const head = toHex(headBlockHash);
    this.lastHead = head;
    return this.enqueue(async () => {
      // An unreachable EL gets the head when it comes back (resync)
      if (this.available && this.lastHead === head) await this.sendForkchoice(head);
    });
  }

  /** engine_forkchoiceUpdatedV1 without attributes, inside the queue: INVALID is reported, VALID recorded. */
  private async sendForkchoice(head: string): Promise<void> {
    try {
      const { payloadStatus } = await this.client.forkchoiceUpdatedV1(
        { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: this.finalizedHash },
        null,
      );
      if (payloadStatus.status === PayloadStatusV1.INVALID) {
        this.onInvalid(head, payloadStatus.latestValidHash ?? null, payloadStatus.validationError ?? null);
      } else if (payloadStatus.status === PayloadStatusV1.VALID) {
        remember(this.verdicts, head, PayloadStatus.VALID);
        this.optimistic.delete(head);
      }
    } catch (e) {
      this.onCallError(e);
    }
  }
}

/**
 * Run `build` once the engine can build `args` synchronously: at once for the deterministic
 * engine, after `preparePayload` for an Engine API one. Errors go to `onError`.
 */
export function withPreparedPayload(
  engine: DeterministicExecutionEngine,
  args: () => BuildPayloadArgs,
  build: () => void,
  onError: (e: unknown) => void,
): void {
  if (!(engine instanceof EngineApiExecutionEngine)) {
    build();
    return;
  }
  engine.preparePayload(args()).then(build).catch(onError);
}
