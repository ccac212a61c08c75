import { readFileSync } from "node:fs";
import {
  type ChainConfig,
  mainnetChainConfig,
  minimalChainConfig,
  parseChainConfigYaml,
} from "@turnstile/ticket-state";
import { InvalidArgumentError } from "commander";

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

export function probability(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError("expected a number from 0 to 1");
  return n;
}

/** The chain config: a YAML file when given, else the preset's embedded defaults. */
export function loadConfig(preset: string, configFile: string | undefined): ChainConfig {
  if (configFile) return parseChainConfigYaml(readFileSync(configFile, "utf8"));
  return preset === "mainnet" ? mainnetChainConfig : minimalChainConfig;
}
