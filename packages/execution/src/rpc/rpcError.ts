import { ExecutionError, ExecutionErrorCode } from "../errors.ts";

/** JSON-RPC error codes (JSON-RPC 2.0, and execution-apis' engine codes). */
export const RpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  /** What geth answers for a refused transaction or call. */
  SERVER_ERROR: -32000,
  UNKNOWN_PAYLOAD: -38001,
  INVALID_FORKCHOICE_STATE: -38002,
  INVALID_PAYLOAD_ATTRIBUTES: -38003,
} as const;

export class RpcError extends Error {
  readonly rpcCode: number;
  constructor(rpcCode: number, message: string) {
    super(message);
    this.rpcCode = rpcCode;
  }
}

/** The JSON-RPC error object a thrown error becomes. */
export function toRpcError(e: unknown): { code: number; message: string } {
  if (e instanceof RpcError) return { code: e.rpcCode, message: e.message };
  if (e instanceof ExecutionError) {
    const code =
      e.code === ExecutionErrorCode.UNKNOWN_PAYLOAD
        ? RpcCode.UNKNOWN_PAYLOAD
        : e.code === ExecutionErrorCode.INVALID_ATTRIBUTES
          ? RpcCode.INVALID_PAYLOAD_ATTRIBUTES
          : e.code === ExecutionErrorCode.RPC_INVALID_REQUEST
            ? RpcCode.INVALID_PARAMS
            : RpcCode.SERVER_ERROR;
    return { code, message: e.message };
  }
  return { code: RpcCode.INTERNAL, message: (e as Error)?.message ?? String(e) };
}
