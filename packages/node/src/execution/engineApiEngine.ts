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

export interface EngineApiEngineEvents {
  /** A payload imported optimistically (the EL had not answered yet) was found INVALID. */
  invalid: [error: EngineClientError];
  /** The EL could not be reached or answered with an error; consensus goes on optimistically. */
  unavailable: [error: Error];
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

  constructor(ctx: ChainContext, client: EngineApiClient) {
    super(ctx);
    this.client = client;
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
    void this.verifyPayload(payload).catch(() => {});
    return PayloadStatus.SYNCING;
  }

  /** Send a payload to the EL and remember its verdict (SYNCING when it cannot be reached). */
  verifyPayload(payload: ExecutionPayload): Promise<PayloadStatus> {
    const hash = toHex(payload.block_hash);
    return this.enqueue(async () => {
      const known = this.verdicts.get(hash);
      if (known !== undefined && known !== PayloadStatus.SYNCING) return known;
      try {
        const result = await this.client.newPayloadV1(payloadToJson(payload));
        const status = toPayloadStatus(result.status);
        remember(this.verdicts, hash, status);
        if (status === PayloadStatus.INVALID) {
          this.events.emit(
            "invalid",
            new EngineClientError(
              EngineClientErrorCode.INVALID_AFTER_IMPORT,
              "execution layer found the payload invalid",
              {
                blockHash: hash,
                latestValidHash: result.latestValidHash,
                validationError: result.validationError,
              },
            ),
          );
        }
        return status;
      } catch (e) {
        this.events.emit("unavailable", e as Error);
        return PayloadStatus.SYNCING;
      }
    });
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
    this.events.emit("unavailable", e as Error);
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
      const fcu = await this.client.forkchoiceUpdatedV1(
        { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: this.finalizedHash },
        {
          timestamp: `0x${args.timestamp.toString(16)}`,
          prevRandao: toHex(args.prevRandao) as `0x${string}`,
          suggestedFeeRecipient: toHex(args.feeRecipient) as `0x${string}`,
        },
      );
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
    return this.enqueue(async () => {
      try {
        await this.client.forkchoiceUpdatedV1(
          { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: this.finalizedHash },
          null,
        );
      } catch (e) {
        this.events.emit("unavailable", e as Error);
      }
    });
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
