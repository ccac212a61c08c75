import type { Preset } from "../params/presets.ts";
import { presets } from "../params/presets.ts";
import { getSszTypes, type SszTypes } from "../types/sszTypes.ts";
import { type ChainConfig, validateChainConfig } from "./chainConfig.ts";

/** Everything a rule needs besides the state: the preset (shape), the chain config (parameters) and the types. */
export interface ChainContext {
  readonly preset: Preset;
  readonly config: ChainConfig;
  readonly ssz: SszTypes;
}

export function createChainContext(config: ChainConfig): ChainContext {
  validateChainConfig(config);
  const preset = presets[config.PRESET_BASE];
  return { preset, config, ssz: getSszTypes(preset) };
}
