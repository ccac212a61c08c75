export * from "./devChain.ts";
export * from "./signing.ts";
