import { readFileSync } from "node:fs";
import {
  type ChainConfig,
  mainnetChainConfig,
  minimalChainConfig,
  parseChainConfigYaml,
  TICKET_PRICING_RULES,
  type TicketPricing,
} from "@turnstile/ticket-state";
import { InvalidArgumentError, Option } from "commander";

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

/** `--pricing <rule>`: the chain config's TICKET_PRICING, over the preset's or the config file's. */
export function pricingOption(): Option {
  return new Option("--pricing <rule>", "ticket pricing rule (TICKET_PRICING), over the config's").choices([
    ...TICKET_PRICING_RULES,
  ]);
}

/** The chain config with `--pricing` applied, when given. */
export function withPricing(config: ChainConfig, pricing: string | undefined): ChainConfig {
  return pricing === undefined ? config : { ...config, TICKET_PRICING: pricing as TicketPricing };
}
