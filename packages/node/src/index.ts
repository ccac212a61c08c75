export * from "./chain/chain.ts";
export * from "./chain/clock.ts";
export * from "./chain/errors.ts";
export * from "./chain/opPools.ts";
export * from "./node/beaconNode.ts";
