import type { ForkchoiceStateV1, PayloadStatusResult } from "../el/executionLayer.ts";
import type { InclusionListVerdict } from "../el/inclusionList.ts";
import type { PayloadAttributesV1 } from "../el/payloadId.ts";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";
import { signEngineJwt } from "./jwt.ts";
import type { PayloadJson } from "./payloadJson.ts";

/** How long one Engine API call may take before the EL counts as unreachable (execution-apis: 8 s for newPayload). */
export const ENGINE_CALL_TIMEOUT_MS = 8_000;

export interface ForkchoiceUpdatedResult {
  payloadStatus: PayloadStatusResult;
  payloadId: string | null;
}

/**
 * The consensus side of the Engine API: JSON-RPC over HTTP, a fresh HS256 JWT per request.
 * Transport failures throw ENGINE_UNREACHABLE, JSON-RPC errors ENGINE_RPC_ERROR (with the code).
 */
export class EngineApiClient {
  readonly url: string;
  private readonly secret: Uint8Array;
  private readonly timeoutMs: number;
  private nextId = 1;

  constructor(url: string, secret: Uint8Array, timeoutMs = ENGINE_CALL_TIMEOUT_MS) {
    this.url = url;
    this.secret = secret;
    this.timeoutMs = timeoutMs;
  }

  async request<T>(method: string, params: unknown[]): Promise<T> {
    const id = this.nextId++;
    let body: { result?: T; error?: { code: number; message: string } };
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await signEngineJwt(this.secret)}` },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) {
        throw new ExecutionError(ExecutionErrorCode.ENGINE_UNREACHABLE, `HTTP ${response.status} from ${method}`, {
          status: response.status,
          body: await response.text(),
        });
      }
      body = (await response.json()) as typeof body;
    } catch (e) {
      if (e instanceof ExecutionError) throw e;
      throw new ExecutionError(ExecutionErrorCode.ENGINE_UNREACHABLE, `${method}: ${(e as Error).message}`, {
        url: this.url,
      });
    }
    if (body.error) {
      throw new ExecutionError(ExecutionErrorCode.ENGINE_RPC_ERROR, `${method}: ${body.error.message}`, {
        rpcCode: body.error.code,
      });
    }
    return body.result as T;
  }

  exchangeCapabilities(capabilities: string[]): Promise<string[]> {
    return this.request("engine_exchangeCapabilities", [capabilities]);
  }

  newPayloadV1(payload: PayloadJson): Promise<PayloadStatusResult> {
    return this.request("engine_newPayloadV1", [payload]);
  }

  forkchoiceUpdatedV1(state: ForkchoiceStateV1, attrs: PayloadAttributesV1 | null): Promise<ForkchoiceUpdatedResult> {
    return this.request("engine_forkchoiceUpdatedV1", [state, attrs]);
  }

  getPayloadV1(payloadId: string): Promise<PayloadJson> {
    return this.request("engine_getPayloadV1", [payloadId]);
  }

  // Inclusion lists: Turnstile's extension of the Engine API (after EIP-7805's methods)

  getInclusionListV1(maxTransactions: number, maxBytes: number): Promise<string[]> {
    return this.request("engine_getInclusionListV1", [maxTransactions, maxBytes]);
  }

  updatePayloadWithInclusionListV1(payloadId: string, transactions: string[]): Promise<string> {
    return this.request("engine_updatePayloadWithInclusionListV1", [payloadId, transactions]);
  }

  checkInclusionListV1(blockHash: string, transactions: string[]): Promise<InclusionListVerdict> {
    return this.request("engine_checkInclusionListV1", [blockHash, transactions]);
  }

  /** Turnstile's extension: what the builder's own arbitrage realised in a payload it built. */
  async getPayloadMevV1(
    payloadId: string,
  ): Promise<{ realisedMevWei: bigint; referencePrice: bigint; transactionHash: string | null }> {
    const r = await this.request<{ realisedMevWei: string; referencePrice: string; transactionHash: string | null }>(
      "engine_getPayloadMevV1",
      [payloadId],
    );
    return {
      realisedMevWei: BigInt(r.realisedMevWei),
      referencePrice: BigInt(r.referencePrice),
      transactionHash: r.transactionHash,
    };
  }
}
