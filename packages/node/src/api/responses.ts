import type { FastifyReply } from "fastify";
import type { ChainPosition } from "./blockIds.ts";
import { ApiError, ApiErrorCode } from "./errors.ts";
import type { ApiRequest } from "./routeTable.ts";

/** Payload status names, indexed by fork choice's PayloadStatus. */
export const STATUS_NAMES = ["PENDING", "EMPTY", "FULL"] as const;

/**
 * The fork name v2 endpoints answer with (`version`, `Eth-Consensus-Version`). The spec's enum knows
 * only Ethereum's forks; Turnstile's one fork is ePBS-shaped (proposer commits, payload revealed in an
 * envelope), so it answers "gloas", the fork whose types it corresponds to.
 */
export const CONSENSUS_VERSION = "gloas";
export const CONSENSUS_VERSION_HEADER = "eth-consensus-version";

const JSON_TYPE = "application/json";
const SSZ_TYPE = "application/octet-stream";

/** How an answer is encoded: JSON always works, SSZ only where the endpoint has an SSZ form. */
export type Encoding = "json" | "ssz";

/**
 * Pick the encoding from the Accept header (RFC 9110 quality values; ties go to the first listed).
 * No header, or one that takes any type, is JSON. Nothing acceptable is a 406.
 */
export function negotiate(req: ApiRequest, hasSsz: boolean): Encoding {
  const accept = req.headers.accept;
  if (!accept) return "json";
  let best: { encoding: Encoding; q: number } | undefined;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    let encoding: Encoding | undefined;
    if (type === SSZ_TYPE) encoding = hasSsz ? "ssz" : undefined;
    else if (type === JSON_TYPE || type === "*/*" || type === "application/*") encoding = "json";
    if (encoding !== undefined && (best === undefined || q > best.q)) best = { encoding, q };
  }
  if (!best) {
    throw new ApiError(
      ApiErrorCode.NOT_ACCEPTABLE,
      `cannot answer as ${accept}: ${hasSsz ? `${JSON_TYPE} or ${SSZ_TYPE}` : JSON_TYPE} only`,
    );
  }
  return best.encoding;
}

/** A Beacon-API answer: the data, how to serialize it, and the metadata the spec asks of the endpoint. */
export interface Answer {
  data: unknown;
  /** SSZ form of the data (endpoints that have one). */
  ssz?: () => Uint8Array;
  /** The data is fork-typed: `version` field and `Eth-Consensus-Version` header. */
  versioned?: boolean;
  /** `execution_optimistic` and `finalized` (false: the node never imports optimistically). */
  position?: ChainPosition;
  /** `execution_optimistic` without `finalized`, for endpoints whose spec asks only the former. */
  optimisticOnly?: boolean;
  meta?: Record<string, unknown>;
}

/** Send an answer in the negotiated encoding. */
export function send(req: ApiRequest, reply: FastifyReply, answer: Answer): FastifyReply {
  const encoding = negotiate(req, answer.ssz !== undefined);
  if (answer.versioned) void reply.header(CONSENSUS_VERSION_HEADER, CONSENSUS_VERSION);
  if (encoding === "ssz") {
    return reply.header("content-type", SSZ_TYPE).send(Buffer.from(answer.ssz!()));
  }
  const body: Record<string, unknown> = {};
  if (answer.versioned) body.version = CONSENSUS_VERSION;
  if (answer.position || answer.optimisticOnly) body.execution_optimistic = false;
  if (answer.position) body.finalized = answer.position.finalized;
  body.data = answer.data;
  if (answer.meta) body.meta = answer.meta;
  return reply.header("content-type", JSON_TYPE).send(body);
}
