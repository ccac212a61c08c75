export * from "./constants.ts";
export * from "./presets.ts";
