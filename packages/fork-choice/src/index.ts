export * from "./errors.ts";
export * from "./forkChoice.ts";
export * from "./fromState.ts";
export * from "./protoArray.ts";
