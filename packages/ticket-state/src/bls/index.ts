export * from "./interop.ts";
export * from "./signatureSet.ts";
export * from "./signingRoot.ts";
