/** Chain contexts for vector cases: the preset's default config, or the case's own `config.yaml`. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  type ChainConfig,
  type ChainContext,
  chainConfigToYaml,
  createChainContext,
  mainnetChainConfig,
  minimalChainConfig,
  parseChainConfigYaml,
} from "@turnstile/ticket-state";
import type { PresetName } from "./paths.ts";

export const DEFAULT_CONFIGS: Record<PresetName, ChainConfig> = {
  minimal: minimalChainConfig,
  mainnet: mainnetChainConfig,
};

const contexts = new Map<string, ChainContext>();

/** One context per distinct config (the SSZ types are shared per preset anyway). */
export function contextFor(config: ChainConfig): ChainContext {
  const key = chainConfigToYaml(config);
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    ctx = createChainContext(config);
    contexts.set(key, ctx);
  }
  return ctx;
}

/** The preset's default config with some parameters changed. */
export function configWith(preset: PresetName, overrides: Partial<ChainConfig> = {}): ChainConfig {
  return { ...DEFAULT_CONFIGS[preset], ...overrides };
}

/** Whether a case needs its own `config.yaml` (its config is not the preset's default). */
export function isDefaultConfig(preset: PresetName, config: ChainConfig): boolean {
  return chainConfigToYaml(config) === chainConfigToYaml(DEFAULT_CONFIGS[preset]);
}

/**
 * The context a case runs with: its `config.yaml` if it has one, else `configs/<preset>.yaml` of the
 * vectors root if present, else the built-in default of the preset.
 */
export function contextForCase(vectorsRoot: string, preset: PresetName, caseDir: string): ChainContext {
  for (const file of [path.join(caseDir, "config.yaml"), path.join(vectorsRoot, "configs", `${preset}.yaml`)]) {
    if (existsSync(file)) {
      const config = parseChainConfigYaml(readFileSync(file, "utf8"));
      if (config.PRESET_BASE !== preset) throw new Error(`${file}: PRESET_BASE ${config.PRESET_BASE} in a ${preset} case`);
      return contextFor(config);
    }
  }
  return contextFor(DEFAULT_CONFIGS[preset]);
}
