import type { ExecutionPayload } from "@ethereumjs/block";
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
];

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
  };
}
