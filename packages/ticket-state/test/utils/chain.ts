import { type ChainConfig, type ChainContext, createChainContext, minimalChainConfig } from "@turnstile/ticket-state";
import { DevChain, type DevChainOptions } from "@turnstile/ticket-state/dev";

/** A minimal-preset context, with config overrides. */
export function minimalContext(overrides: Partial<ChainConfig> = {}): ChainContext {
  return createChainContext({ ...minimalChainConfig, ...overrides });
}

/** A dev chain of 64 validators and 4 buyers (1000 ETH each) on the minimal preset. */
export function devChain(overrides: Partial<ChainConfig> = {}, opts: Partial<DevChainOptions> = {}): DevChain {
  return new DevChain(minimalContext(overrides), { validatorCount: 64, buyerCount: 4, ...opts });
}
