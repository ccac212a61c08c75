export * as blsSpec from "./blsSpec.ts";
export * from "./interop.ts";
export * from "./signatureSet.ts";
export * from "./signingRoot.ts";
