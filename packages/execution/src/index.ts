export * from "./el/executionLayer.ts";
export * from "./el/genesis.ts";
export * from "./el/mempool.ts";
export * from "./el/payloadId.ts";
export * from "./errors.ts";
