import type { Type } from "@chainsafe/ssz";
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import { deserializeSsz } from "@turnstile/ticket-state";
import { MAX_CONCURRENT_REQUESTS, MAX_PAYLOAD_SIZE, RESP_TIMEOUT_MS, RespCode, TTFB_TIMEOUT_MS } from "../constants.ts";
import type { Counters } from "../counters.ts";
import { BufferByteSource, ChunkedByteSource } from "../encoding/byteSource.ts";
import { decodeSszSnappy, encodeSszSnappy, readSszSnappyPayload, type SizeBounds } from "../encoding/sszSnappy.ts";
import { P2pError, ReqRespError, ReqRespErrorCode, SszSnappyError } from "../errors.ts";
import { PeerAction } from "../peers/peerScore.ts";
import { ErrorMessage } from "../sszTypes.ts";
import { type ProtocolDefinition, protocolId } from "./protocols.ts";
import { RateLimiter, type RateLimitQuota } from "./rateLimiter.ts";

export interface ReqRespOptions {
  /** Requester: wait at most this long for the first response byte (spec TTFB_TIMEOUT). */
  ttfbTimeoutMs: number;
  /** Requester: per response chunk; responder: to read the request, and per chunk written (RESP_TIMEOUT). */
  respTimeoutMs: number;
  /** Requester: to connect and negotiate the protocol. */
  dialTimeoutMs: number;
  /** Largest uncompressed chunk accepted or sent (MAX_PAYLOAD_SIZE). */
  maxChunkSize: number;
  /** Concurrent inbound streams per protocol per connection; libp2p resets streams beyond it. */
  maxConcurrentRequests: number;
  /**
   * Per-peer quotas. `total` counts requests of every method; each method's bucket counts requests, or
   * for the by_range/by_root methods the blocks/envelopes/roots asked for.
   */
  rateLimits: Readonly<Record<string, RateLimitQuota>>;
}

/**
 * Sized so that one peer can feed a syncing node 64-slot batches of blocks and envelopes at about
 * 400 blocks/s (DESIGN.md §10 asks ≥ 300 for range sync), and no faster.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, RateLimitQuota>> = {
  total: { quota: 150, periodMs: 10_000 },
  status: { quota: 5, periodMs: 15_000 },
  goodbye: { quota: 1, periodMs: 10_000 },
  ping: { quota: 2, periodMs: 10_000 },
  metadata: { quota: 2, periodMs: 5_000 },
  beacon_blocks_by_range: { quota: 2048, periodMs: 5_000 },
  beacon_blocks_by_root: { quota: 128, periodMs: 10_000 },
  execution_payload_envelopes_by_range: { quota: 2048, periodMs: 5_000 },
  execution_payload_envelopes_by_root: { quota: 128, periodMs: 10_000 },
};

export const DEFAULT_REQRESP_OPTIONS: ReqRespOptions = {
  ttfbTimeoutMs: TTFB_TIMEOUT_MS,
  respTimeoutMs: RESP_TIMEOUT_MS,
  dialTimeoutMs: 10_000,
  maxChunkSize: MAX_PAYLOAD_SIZE,
  maxConcurrentRequests: MAX_CONCURRENT_REQUESTS + 2,
  rateLimits: DEFAULT_RATE_LIMITS,
};

/** What the Network's request handlers return: serialized SSZ payloads, one per success chunk. */
export type ResponsePayloads = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Serves one decoded request. Throw a ReqRespError with INVALID_REQUEST or RESOURCE_UNAVAILABLE to answer
 * with that result code; any other error answers SERVER_ERROR.
 */
export type RequestHandler<Req> = (request: Req, peer: PeerId) => Promise<ResponsePayloads> | ResponsePayloads;

export interface ReqRespDeps {
  libp2p: Libp2p;
  forkDigest: Uint8Array;
  counters: Counters;
  options: ReqRespOptions;
  isBanned(peer: string): boolean;
  penalise(peer: PeerId, action: PeerAction, reason: string): void;
}

const ERROR_MESSAGE_BOUNDS: SizeBounds = { minSize: 0, maxSize: ErrorMessage.maxSize };
const CONTEXT_BYTES_LENGTH = 4;

/**
 * Req/resp over libp2p streams with ssz_snappy framing: one stream per request, the requester
 * half-closes after its request, the responder answers with result-coded chunks and closes.
 * Everything a peer sends is bounded (length prefix within the type's bounds, max_encoded_len,
 * chunk count, timeouts) and every failure ends as a counted, typed error: never as a crash.
 */
export class ReqResp {
  private readonly deps: ReqRespDeps;
  private readonly limiter: RateLimiter;
  private readonly registered: string[] = [];

  constructor(deps: ReqRespDeps) {
    this.deps = deps;
    this.limiter = new RateLimiter(deps.options.rateLimits);
  }

  /** Serve `def` with `handler`; `maxChunks` bounds the response of a given (valid) request. */
  async register<Req, Resp>(
    def: ProtocolDefinition<Req, Resp>,
    handler: RequestHandler<Req>,
    requestCost: (request: Req) => number,
    maxChunks: (request: Req) => number,
  ): Promise<void> {
    const id = protocolId(def);
    await this.deps.libp2p.handle(
      id,
      (stream, connection) => this.handleInbound(def, handler, requestCost, maxChunks, stream, connection),
      {
        maxInboundStreams: this.deps.options.maxConcurrentRequests,
        maxOutboundStreams: Math.max(64, this.deps.options.maxConcurrentRequests),
      },
    );
    this.registered.push(id);
  }

  async unregisterAll(): Promise<void> {
    await this.deps.libp2p.unhandle(this.registered).catch(() => this.deps.counters.inc("reqresp.unregister_failed"));
    this.registered.length = 0;
  }

  /** Drop idle rate-limit buckets (called from the peer manager's heartbeat). */
  prune(): void {
    this.limiter.prune();
  }

  // ---------------------------------------------------------------------------------------------
  // Responding side

  private async handleInbound<Req, Resp>(
    def: ProtocolDefinition<Req, Resp>,
    handler: RequestHandler<Req>,
    requestCost: (request: Req) => number,
    maxChunks: (request: Req) => number,
    stream: Stream,
    connection: Connection,
  ): Promise<void> {
    const { counters, options } = this.deps;
    const peer = connection.remotePeer;
    const peerStr = peer.toString();
    const method = def.method;
    counters.inc(`reqresp.inbound.requests.${method}`);
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined = setTimeout(() => {
      timedOut = true;
      stream.abort(new ReqRespError(ReqRespErrorCode.REQUEST_TIMEOUT, "request not read in time"));
    }, options.respTimeoutMs);
    try {
      if (this.deps.isBanned(peerStr)) {
        throw new ReqRespError(ReqRespErrorCode.PEER_BANNED, "peer is banned");
      }
      if (!this.limiter.allow(peerStr, "total")) {
        throw new ReqRespError(ReqRespErrorCode.RATE_LIMITED, "too many requests", { reason: "total" });
      }
      const request = await this.readRequest(def, stream);
      if (!this.limiter.allow(peerStr, method, requestCost(request))) {
        throw new ReqRespError(ReqRespErrorCode.RATE_LIMITED, "too many requests", { reason: method });
      }
      clearTimeout(timer);
      timer = undefined;
      let payloads: ResponsePayloads;
      try {
        payloads = await handler(request, peer);
      } catch (e) {
        throw asServerError(e);
      }
      const limit = maxChunks(request);
      let sent = 0;
      try {
        for await (const payload of payloads) {
          if (sent >= limit) {
            counters.inc(`reqresp.inbound.truncated.${method}`);
            break;
          }
          if (payload.length > options.maxChunkSize) {
            throw new ReqRespError(ReqRespErrorCode.SERVER_ERROR, "response chunk too large", {
              reason: "CHUNK_TOO_LARGE",
              length: payload.length,
            });
          }
          await this.write(stream, encodeResponseChunk(payload, def.contextBytes ? this.deps.forkDigest : null));
          sent++;
        }
      } catch (e) {
        throw asServerError(e);
      }
      await stream.close({ signal: AbortSignal.timeout(options.respTimeoutMs) });
      counters.inc(`reqresp.inbound.success.${method}`);
      counters.inc(`reqresp.inbound.chunks.${method}`, sent);
    } catch (e) {
      const err = timedOut
        ? new ReqRespError(ReqRespErrorCode.REQUEST_TIMEOUT, "request not read in time")
        : asReqRespError(e);
      const reason = errorReason(err);
      counters.inc(`reqresp.inbound.error.${method}.${reason}`);
      const action = inboundPenalty(err.code);
      if (action) this.deps.penalise(peer, action, `inbound_${method}_${reason}`);
      const code = respCodeOf(err.code);
      if (code !== null && stream.writeStatus === "writable") {
        try {
          await this.write(stream, encodeErrorChunk(code, err.message));
          await stream.close({ signal: AbortSignal.timeout(options.respTimeoutMs) });
        } catch {
          this.deps.counters.inc(`reqresp.inbound.error_chunk_failed.${method}`);
          stream.abort(err);
        }
      } else {
        stream.abort(err);
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Read and decode the whole request, up to the requester's half-close. */
  private async readRequest<Req>(def: ProtocolDefinition<Req, unknown>, stream: Stream): Promise<Req> {
    const source = new ChunkedByteSource(stream);
    try {
      if (def.requestType === null) {
        if (!(await source.atEnd())) {
          throw new ReqRespError(ReqRespErrorCode.INVALID_REQUEST, "request must be empty", { reason: "NOT_EMPTY" });
        }
        return null as Req;
      }
      const ssz = await decodeSszSnappy(source, typeBounds(def.requestType, this.deps.options.maxChunkSize));
      return decodeOrThrow(def.requestType, ssz, def.method, ReqRespErrorCode.INVALID_REQUEST);
    } catch (e) {
      if (e instanceof SszSnappyError) {
        throw new ReqRespError(ReqRespErrorCode.INVALID_REQUEST, e.message, { reason: e.code });
      }
      throw e;
    }
  }

  private async write(stream: Stream, bytes: Uint8Array): Promise<void> {
    if (!stream.send(bytes)) {
      await stream.onDrain({ signal: AbortSignal.timeout(this.deps.options.respTimeoutMs) });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Requesting side

  /**
   * Send `request` to `peer` and read up to `maxChunks` success chunks; `decode` turns their SSZ
   * bytes into values and checks them against the request (throwing INVALID_RESPONSE). Every
   * failure is counted under `reqresp.outbound.error.<method>.<reason>` and rethrown as ReqRespError.
   */
  async sendRequest<Req, Resp, T>(
    peer: PeerId,
    def: ProtocolDefinition<Req, Resp>,
    request: Req,
    maxChunks: number,
    decode: (chunks: Uint8Array[]) => T,
  ): Promise<T> {
    const { counters, options, libp2p } = this.deps;
    const method = def.method;
    counters.inc(`reqresp.outbound.requests.${method}`);
    let stream: Stream | undefined;
    let timedOut: "ttfb" | "resp" | null = null;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, which: "ttfb" | "resp") => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = which;
        stream?.abort(new Error(`${which} timeout`));
      }, ms);
    };
    try {
      if (this.deps.isBanned(peer.toString())) {
        throw new ReqRespError(ReqRespErrorCode.PEER_BANNED, "peer is banned");
      }
      try {
        stream = await libp2p.dialProtocol(peer, protocolId(def), {
          signal: AbortSignal.timeout(options.dialTimeoutMs),
        });
      } catch (e) {
        throw new ReqRespError(ReqRespErrorCode.DIAL_FAILED, (e as Error).message);
      }
      arm(options.respTimeoutMs, "resp");
      if (def.requestType !== null) {
        await this.write(stream, encodeSszSnappy(def.requestType.serialize(request)));
      }
      await stream.close({ signal: AbortSignal.timeout(options.respTimeoutMs) });
      arm(options.ttfbTimeoutMs, "ttfb");
      const source = new ChunkedByteSource(stream, () => arm(options.respTimeoutMs, "resp"));
      const responseBounds = typeBounds(def.responseType, options.maxChunkSize);
      const chunks: Uint8Array[] = [];
      for (;;) {
        const result = await source.readByte();
        if (result === null) break;
        if (result !== RespCode.SUCCESS) {
          let message = "";
          try {
            message = Buffer.from(await readSszSnappyPayload(source, ERROR_MESSAGE_BOUNDS)).toString("utf8");
          } catch {
            // the error message is for debugging only: the result code is the answer
            counters.inc(`reqresp.outbound.error_message_unreadable.${method}`);
          }
          throw new ReqRespError(ReqRespErrorCode.ERROR_RESPONSE, `peer answered ${result}: ${message}`, {
            reason: `CODE_${result}`,
            resultCode: result,
            errorMessage: message,
          });
        }
        if (chunks.length >= maxChunks) {
          throw new ReqRespError(ReqRespErrorCode.TOO_MANY_CHUNKS, "more chunks than requested", { maxChunks });
        }
        if (def.contextBytes) {
          const context = await source.readExact(CONTEXT_BYTES_LENGTH);
          if (!context.every((b, i) => b === this.deps.forkDigest[i])) {
            throw new ReqRespError(ReqRespErrorCode.WRONG_CONTEXT_BYTES, "context bytes are not our fork digest", {
              context: Buffer.from(context).toString("hex"),
            });
          }
        }
        chunks.push(await readSszSnappyPayload(source, responseBounds));
        arm(options.respTimeoutMs, "resp");
        if (chunks.length >= maxChunks) {
          if (!(await source.atEnd())) {
            throw new ReqRespError(ReqRespErrorCode.TOO_MANY_CHUNKS, "more data after the last chunk", { maxChunks });
          }
          break;
        }
      }
      if (def.single && chunks.length === 0) {
        throw new ReqRespError(ReqRespErrorCode.EMPTY_RESPONSE, "no response chunk");
      }
      const value = decode(chunks);
      counters.inc(`reqresp.outbound.success.${method}`);
      counters.inc(`reqresp.outbound.chunks.${method}`, chunks.length);
      return value;
    } catch (e) {
      let err: ReqRespError;
      if (timedOut === "ttfb") err = new ReqRespError(ReqRespErrorCode.TTFB_TIMEOUT, "no first byte in time");
      else if (timedOut === "resp") err = new ReqRespError(ReqRespErrorCode.RESP_TIMEOUT, "response chunk not in time");
      else if (e instanceof SszSnappyError) {
        err = new ReqRespError(ReqRespErrorCode.INVALID_RESPONSE, e.message, { reason: e.code });
      } else err = asReqRespError(e, ReqRespErrorCode.STREAM_ERROR);
      counters.inc(`reqresp.outbound.error.${method}.${errorReason(err)}`);
      const action = outboundPenalty(err.code);
      if (action) this.deps.penalise(peer, action, `outbound_${method}_${errorReason(err)}`);
      stream?.abort(err);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `result | context? | varint(len) | snappy frames` for a success chunk. */
export function encodeResponseChunk(payload: Uint8Array, context: Uint8Array | null): Uint8Array {
  const body = encodeSszSnappy(payload);
  const headerLength = 1 + (context ? CONTEXT_BYTES_LENGTH : 0);
  const out = new Uint8Array(headerLength + body.length);
  out[0] = RespCode.SUCCESS;
  if (context) out.set(context, 1);
  out.set(body, headerLength);
  return out;
}

/** `result | varint(len) | snappy frames(ErrorMessage)`: the message is cut to 256 bytes. */
export function encodeErrorChunk(code: number, message: string): Uint8Array {
  const text = Buffer.from(message, "utf8").subarray(0, ErrorMessage.limitBytes);
  const body = encodeSszSnappy(ErrorMessage.serialize(text));
  const out = new Uint8Array(1 + body.length);
  out[0] = code;
  out.set(body, 1);
  return out;
}

/** The uncompressed size bounds of a payload of `type`, capped by the chunk size limit. */
export function typeBounds(type: { minSize: number; maxSize: number }, maxChunkSize: number): SizeBounds {
  return { minSize: type.minSize, maxSize: Math.min(type.maxSize, maxChunkSize) };
}

/** Deserialize a peer's bytes; SSZ failures become `code` with reason SSZ_INVALID. */
export function decodeOrThrow<T>(type: Type<T>, bytes: Uint8Array, name: string, code: ReqRespErrorCode): T {
  try {
    return deserializeSsz(type, bytes, name);
  } catch (e) {
    throw new ReqRespError(code, (e as Error).message, { reason: "SSZ_INVALID" });
  }
}

/** Decode a whole in-memory request (tests and fuzzing use the exact code path of the responder). */
export async function decodeRequestBytes(bytes: Uint8Array, bounds: SizeBounds): Promise<Uint8Array> {
  return decodeSszSnappy(new BufferByteSource(bytes), bounds);
}

function asReqRespError(e: unknown, fallback: ReqRespErrorCode = ReqRespErrorCode.SERVER_ERROR): ReqRespError {
  if (e instanceof ReqRespError) return e;
  if (e instanceof P2pError) return new ReqRespError(fallback, e.message, { reason: e.code });
  return new ReqRespError(fallback, e instanceof Error ? e.message : String(e));
}

function asServerError(e: unknown): ReqRespError {
  if (e instanceof ReqRespError) return e;
  return new ReqRespError(ReqRespErrorCode.SERVER_ERROR, e instanceof Error ? e.message : String(e), {
    reason: "HANDLER_ERROR",
  });
}

/** A short reason for counters: the detailed cause if there is one, else the error code. */
export function errorReason(err: ReqRespError): string {
  const reason = err.data.reason;
  const code = err.code.replace(/^REQRESP_/, "");
  return typeof reason === "string" ? `${code}.${reason}` : code;
}

function respCodeOf(code: ReqRespErrorCode): number | null {
  switch (code) {
    case ReqRespErrorCode.INVALID_REQUEST:
      return RespCode.INVALID_REQUEST;
    case ReqRespErrorCode.RATE_LIMITED:
      return RespCode.RATE_LIMITED;
    case ReqRespErrorCode.RESOURCE_UNAVAILABLE:
      return RespCode.RESOURCE_UNAVAILABLE;
    case ReqRespErrorCode.SERVER_ERROR:
      return RespCode.SERVER_ERROR;
    default:
      return null;
  }
}

function inboundPenalty(code: ReqRespErrorCode): PeerAction | null {
  switch (code) {
    case ReqRespErrorCode.INVALID_REQUEST:
      return PeerAction.LOW_TOLERANCE;
    case ReqRespErrorCode.REQUEST_TIMEOUT:
      return PeerAction.MID_TOLERANCE;
    case ReqRespErrorCode.RATE_LIMITED:
      return PeerAction.HIGH_TOLERANCE;
    default:
      return null;
  }
}

function outboundPenalty(code: ReqRespErrorCode): PeerAction | null {
  switch (code) {
    case ReqRespErrorCode.INVALID_RESPONSE:
    case ReqRespErrorCode.TOO_MANY_CHUNKS:
    case ReqRespErrorCode.EMPTY_RESPONSE:
      return PeerAction.LOW_TOLERANCE;
    case ReqRespErrorCode.WRONG_CONTEXT_BYTES:
      return PeerAction.FATAL;
    case ReqRespErrorCode.TTFB_TIMEOUT:
    case ReqRespErrorCode.RESP_TIMEOUT:
      return PeerAction.MID_TOLERANCE;
    default:
      return null;
  }
}
