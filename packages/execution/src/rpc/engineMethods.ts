import type { ExecutionPayload } from "@ethereumjs/block";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { ExecutionLayer, ForkchoiceStateV1 } from "../el/executionLayer.ts";
import type { PayloadAttributesV1 } from "../el/payloadId.ts";
import type { RpcHandler } from "./ethMethods.ts";
import { RpcCode, RpcError } from "./rpcError.ts";

/** The Engine API methods this EL serves (Paris: V1). */
export const ENGINE_CAPABILITIES = [
  "engine_newPayloadV1",
  "engine_forkchoiceUpdatedV1",
  "engine_getPayloadV1",
  "engine_exchangeCapabilities",
  // Inclusion lists (Turnstile's extension, after EIP-7805's methods)
  "engine_getInclusionListV1",
  "engine_updatePayloadWithInclusionListV1",
  "engine_checkInclusionListV1",
  // Turnstile's extension: the builder's realised MEV in a payload it built
  "engine_getPayloadMevV1",
];

function transactionsParam(value: unknown): Uint8Array[] {
  if (!Array.isArray(value) || !value.every((t) => typeof t === "string" && /^0x([0-9a-fA-F]{2})*$/.test(t))) {
    throw new RpcError(RpcCode.INVALID_PARAMS, "transactions must be an array of hex strings");
  }
  return value.map((t) => hexToBytes(t as `0x${string}`));
}

function countParam(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RpcError(RpcCode.INVALID_PARAMS, `${name} must be a non-negative integer`);
  }
  return value;
}

export function engineMethods(el: ExecutionLayer): Record<string, RpcHandler> {
  return {
    engine_exchangeCapabilities: async () => ENGINE_CAPABILITIES,
    engine_newPayloadV1: async ([payload]) => {
      if (typeof payload !== "object" || payload === null)
        throw new RpcError(RpcCode.INVALID_PARAMS, "payload missing");
      // V1 payloads carry no withdrawals (Paris)
      if ("withdrawals" in payload) throw new RpcError(RpcCode.INVALID_PARAMS, "V1 payload has withdrawals");
      return el.newPayload(payload as ExecutionPayload);
    },
    engine_forkchoiceUpdatedV1: async ([state, attrs]) => {
      const s = state as ForkchoiceStateV1 | undefined;
      if (!s?.headBlockHash) throw new RpcError(RpcCode.INVALID_PARAMS, "forkchoice state missing");
      return el.forkchoiceUpdated(s, (attrs ?? null) as PayloadAttributesV1 | null);
    },
    engine_getPayloadV1: async ([payloadId]) => el.getPayload(String(payloadId)),
    engine_getInclusionListV1: async ([maxTransactions, maxBytes]) =>
      (await el.getInclusionList(countParam(maxTransactions, "maxTransactions"), countParam(maxBytes, "maxBytes"))).map(
        (tx) => bytesToHex(tx),
      ),
    engine_updatePayloadWithInclusionListV1: async ([payloadId, transactions]) =>
      el.updatePayloadWithInclusionList(String(payloadId), transactionsParam(transactions)),
    engine_getPayloadMevV1: async ([payloadId]) => {
      const mev = el.getPayloadMev(String(payloadId));
      return {
        // Decimal: a back-run that lost (it cannot, priced on the exact state) would be negative
        realisedMevWei: mev.realisedWei.toString(),
        referencePrice: `0x${mev.referencePrice.toString(16)}`,
        transactionHash: mev.txHash,
      };
    },
    engine_checkInclusionListV1: async ([blockHash, transactions]) =>
      el.checkInclusionList(String(blockHash), transactionsParam(transactions)),
  };
}
