export * from "./chainConfig.ts";
export * from "./chainContext.ts";
export * from "./errors.ts";
