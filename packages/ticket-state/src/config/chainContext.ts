import type { Preset } from "../params/presets.ts";
import { presets } from "../params/presets.ts";
import { getSszTypes, type SszTypes } from "../types/sszTypes.ts";
import { type ChainConfig, validateChainConfig } from "./chainConfig.ts";
import { ConfigError, ConfigErrorCode } from "./errors.ts";

/** Everything a rule needs besides the state: the preset (shape), the chain config (parameters) and the types. */
export interface ChainContext {
  readonly preset: Preset;
  readonly config: ChainConfig;
  readonly ssz: SszTypes;
}

export function createChainContext(config: ChainConfig): ChainContext {
  validateChainConfig(config);
  const preset = presets[config.PRESET_BASE];
  validateConfigAgainstPreset(config, preset);
  return { preset, config, ssz: getSszTypes(preset) };
}

/** Checks that need the preset's shape constants as well as the config. */
function validateConfigAgainstPreset(config: ChainConfig, preset: Preset): void {
  const fail = (key: keyof ChainConfig, why: string) =>
    new ConfigError(ConfigErrorCode.INVALID_VALUE, `${key}: ${why}`, { key, value: config[key] });
  if (config.MAX_TICKET_PRICE * preset.MAX_TICKETS_PER_PURCHASE > Number.MAX_SAFE_INTEGER) {
    throw fail("MAX_TICKET_PRICE", "times MAX_TICKETS_PER_PURCHASE must stay below 2^53");
  }
  // A purchase takes price plus collateral per ticket: that too must be an exact integer
  if (
    (config.MAX_TICKET_PRICE + config.TICKET_COLLATERAL) * preset.MAX_TICKETS_PER_PURCHASE >
    Number.MAX_SAFE_INTEGER
  ) {
    throw fail("TICKET_COLLATERAL", "plus MAX_TICKET_PRICE, times MAX_TICKETS_PER_PURCHASE, must stay below 2^53");
  }
  if (config.TARGET_TICKET_POOL_SIZE >= preset.TICKET_POOL_LIMIT) {
    throw fail("TARGET_TICKET_POOL_SIZE", "must be below the preset's TICKET_POOL_LIMIT");
  }
}
