import { parse as parseYaml } from "yaml";
import type { PresetName } from "../params/presets.ts";
import { ConfigError, ConfigErrorCode } from "./errors.ts";

export const TICKET_PRICING_RULES = [
  "pool_target",
  "sales_target",
  "fixed",
  "first_price_auction",
  "second_price_auction",
  "pi_pool_target",
  "bonding_curve",
] as const;
export type TicketPricing = (typeof TICKET_PRICING_RULES)[number];
export const TICKET_REVENUE_SINKS = ["burn", "validators"] as const;
export type TicketRevenueSink = (typeof TICKET_REVENUE_SINKS)[number];
export const TICKET_MISSED_BLOCK_RULES = ["return_to_pool", "refund", "forfeit"] as const;
export type TicketOnMissedBlock = (typeof TICKET_MISSED_BLOCK_RULES)[number];
export const COLLATERAL_SLASH_SINKS = ["burn", "proposer"] as const;
export type CollateralSlashSink = (typeof COLLATERAL_SLASH_SINKS)[number];

/**
 * Run-time chain parameters, in the consensus-specs config format (YAML, UPPER_SNAKE keys).
 * Shape constants are in the preset; this is what a network may choose.
 */
export interface ChainConfig {
  PRESET_BASE: PresetName;
  CONFIG_NAME: string;
  // Genesis
  MIN_GENESIS_ACTIVE_VALIDATOR_COUNT: number;
  GENESIS_FORK_VERSION: Uint8Array;
  GENESIS_DELAY: number;
  // Time
  SECONDS_PER_SLOT: number;
  SHARD_COMMITTEE_PERIOD: number;
  MIN_VALIDATOR_WITHDRAWABILITY_DELAY: number;
  // Validator cycle
  EJECTION_BALANCE: number;
  MIN_PER_EPOCH_CHURN_LIMIT: number;
  CHURN_LIMIT_QUOTIENT: number;
  INACTIVITY_SCORE_BIAS: number;
  INACTIVITY_SCORE_RECOVERY_RATE: number;
  // Execution Tickets market
  TICKET_PRICING: TicketPricing;
  INITIAL_TICKET_PRICE: number;
  MIN_TICKET_PRICE: number;
  /** The price saturates here: `count * price` must stay an exact integer (below 2^53 Gwei). */
  MAX_TICKET_PRICE: number;
  TARGET_TICKET_POOL_SIZE: number;
  TARGET_TICKETS_PER_SLOT: number;
  TICKET_PRICE_ADJUSTMENT_QUOTIENT: number;
  TICKET_EXPIRY_EPOCHS: number;
  TICKET_ON_MISSED_BLOCK: TicketOnMissedBlock;
  TICKET_REVENUE_SINK: TicketRevenueSink;
  /** Holder collateral: Gwei posted per ticket bought, beside its price (0 = off). */
  TICKET_COLLATERAL: number;
  /** Where slashed holder collateral goes: destroyed, or to the including block's proposer. */
  COLLATERAL_SLASH_SINK: CollateralSlashSink;
  /** Validators compensated in tickets: tickets granted at each epoch transition (0 = off). */
  VALIDATOR_TICKET_GRANTS_PER_EPOCH: number;
  /** Ticket auctions: slots per auction (1 = one auction per slot); settled on entering a multiple of it. */
  TICKET_AUCTION_PERIOD_SLOTS: number;
  /** Ticket auctions: tickets sold per auction (the supply); the reserve price is MIN_TICKET_PRICE. */
  TICKETS_PER_AUCTION: number;
  /** Slots after which a pooled ticket expires and is refunded, checked every slot; 0 = never. */
  TICKET_EXPIRY_SLOTS: number;
  /** `pi_pool_target`: the proportional gain is 1 / this (per TARGET_TICKET_POOL_SIZE of pool change). */
  TICKET_PRICE_PROPORTIONAL_QUOTIENT: number;
  /** `pi_pool_target`: the integral gain is 1 / this (per TARGET_TICKET_POOL_SIZE of pool error). */
  TICKET_PRICE_INTEGRAL_QUOTIENT: number;
  /** `bonding_curve`: each outstanding ticket multiplies the price by (1 + 1 / this). */
  BONDING_CURVE_GROWTH_QUOTIENT: number;
  /** `bonding_curve`: a sell-back pays the curve value less value / this; 0 = no fee. */
  TICKET_SELL_BACK_FEE_QUOTIENT: number;
}

const GWEI_PER_ETH = 1_000_000_000;

/** Defaults for a local chain on the minimal preset: the embedded devnet configuration. */
export const minimalChainConfig: ChainConfig = {
  PRESET_BASE: "minimal",
  CONFIG_NAME: "minimal",
  MIN_GENESIS_ACTIVE_VALIDATOR_COUNT: 64,
  GENESIS_FORK_VERSION: Uint8Array.from([0x00, 0x00, 0x00, 0x01]),
  GENESIS_DELAY: 300,
  SECONDS_PER_SLOT: 6,
  SHARD_COMMITTEE_PERIOD: 64,
  MIN_VALIDATOR_WITHDRAWABILITY_DELAY: 256,
  EJECTION_BALANCE: 16 * GWEI_PER_ETH,
  MIN_PER_EPOCH_CHURN_LIMIT: 2,
  CHURN_LIMIT_QUOTIENT: 32,
  INACTIVITY_SCORE_BIAS: 4,
  INACTIVITY_SCORE_RECOVERY_RATE: 16,
  TICKET_PRICING: "pool_target",
  INITIAL_TICKET_PRICE: GWEI_PER_ETH / 100,
  MIN_TICKET_PRICE: GWEI_PER_ETH / 1000,
  MAX_TICKET_PRICE: 2 ** 48,
  TARGET_TICKET_POOL_SIZE: 16,
  TARGET_TICKETS_PER_SLOT: 1,
  TICKET_PRICE_ADJUSTMENT_QUOTIENT: 8,
  TICKET_EXPIRY_EPOCHS: 0,
  TICKET_ON_MISSED_BLOCK: "return_to_pool",
  TICKET_REVENUE_SINK: "burn",
  TICKET_COLLATERAL: 0,
  COLLATERAL_SLASH_SINK: "burn",
  VALIDATOR_TICKET_GRANTS_PER_EPOCH: 0,
  TICKET_AUCTION_PERIOD_SLOTS: 1,
  TICKETS_PER_AUCTION: 1,
  TICKET_EXPIRY_SLOTS: 0,
  TICKET_PRICE_PROPORTIONAL_QUOTIENT: 1,
  TICKET_PRICE_INTEGRAL_QUOTIENT: 8,
  BONDING_CURVE_GROWTH_QUOTIENT: 16,
  TICKET_SELL_BACK_FEE_QUOTIENT: 0,
};

export const mainnetChainConfig: ChainConfig = {
  ...minimalChainConfig,
  PRESET_BASE: "mainnet",
  CONFIG_NAME: "mainnet",
  MIN_GENESIS_ACTIVE_VALIDATOR_COUNT: 16384,
  GENESIS_FORK_VERSION: Uint8Array.from([0x00, 0x00, 0x00, 0x00]),
  GENESIS_DELAY: 604800,
  SECONDS_PER_SLOT: 12,
  SHARD_COMMITTEE_PERIOD: 256,
  MIN_PER_EPOCH_CHURN_LIMIT: 4,
  CHURN_LIMIT_QUOTIENT: 65536,
  TARGET_TICKET_POOL_SIZE: 256,
  BONDING_CURVE_GROWTH_QUOTIENT: 256,
};

type Kind = "uint" | "bytes4" | "preset" | "string" | TicketEnumKind;
type TicketEnumKind = "pricing" | "sink" | "missed" | "slashSink";
const FIELD_KINDS: Record<keyof ChainConfig, Kind> = {
  PRESET_BASE: "preset",
  CONFIG_NAME: "string",
  MIN_GENESIS_ACTIVE_VALIDATOR_COUNT: "uint",
  GENESIS_FORK_VERSION: "bytes4",
  GENESIS_DELAY: "uint",
  SECONDS_PER_SLOT: "uint",
  SHARD_COMMITTEE_PERIOD: "uint",
  MIN_VALIDATOR_WITHDRAWABILITY_DELAY: "uint",
  EJECTION_BALANCE: "uint",
  MIN_PER_EPOCH_CHURN_LIMIT: "uint",
  CHURN_LIMIT_QUOTIENT: "uint",
  INACTIVITY_SCORE_BIAS: "uint",
  INACTIVITY_SCORE_RECOVERY_RATE: "uint",
  TICKET_PRICING: "pricing",
  INITIAL_TICKET_PRICE: "uint",
  MIN_TICKET_PRICE: "uint",
  MAX_TICKET_PRICE: "uint",
  TARGET_TICKET_POOL_SIZE: "uint",
  TARGET_TICKETS_PER_SLOT: "uint",
  TICKET_PRICE_ADJUSTMENT_QUOTIENT: "uint",
  TICKET_EXPIRY_EPOCHS: "uint",
  TICKET_ON_MISSED_BLOCK: "missed",
  TICKET_REVENUE_SINK: "sink",
  TICKET_COLLATERAL: "uint",
  COLLATERAL_SLASH_SINK: "slashSink",
  VALIDATOR_TICKET_GRANTS_PER_EPOCH: "uint",
  TICKET_AUCTION_PERIOD_SLOTS: "uint",
  TICKETS_PER_AUCTION: "uint",
  TICKET_EXPIRY_SLOTS: "uint",
  TICKET_PRICE_PROPORTIONAL_QUOTIENT: "uint",
  TICKET_PRICE_INTEGRAL_QUOTIENT: "uint",
  BONDING_CURVE_GROWTH_QUOTIENT: "uint",
  TICKET_SELL_BACK_FEE_QUOTIENT: "uint",
};
const ENUMS: Record<TicketEnumKind, readonly string[]> = {
  pricing: TICKET_PRICING_RULES,
  sink: TICKET_REVENUE_SINKS,
  missed: TICKET_MISSED_BLOCK_RULES,
  slashSink: COLLATERAL_SLASH_SINKS,
};

function parseField(key: keyof ChainConfig, kind: Kind, raw: unknown): unknown {
  const bad = (why: string) => new ConfigError(ConfigErrorCode.INVALID_VALUE, `${key}: ${why}`, { key, value: raw });
  switch (kind) {
    case "uint": {
      const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw bad("expected an unsigned integer");
      return n;
    }
    case "bytes4": {
      if (typeof raw !== "string" || !/^0x[0-9a-fA-F]{8}$/.test(raw))
        throw bad("expected 0x followed by 4 bytes of hex");
      return Uint8Array.from(Buffer.from(raw.slice(2), "hex"));
    }
    case "preset":
      if (raw !== "mainnet" && raw !== "minimal") throw bad("expected mainnet or minimal");
      return raw;
    case "string":
      if (typeof raw !== "string") throw bad("expected a string");
      return raw;
    default:
      if (typeof raw !== "string" || !ENUMS[kind].includes(raw)) throw bad(`expected one of ${ENUMS[kind].join(", ")}`);
      return raw;
  }
}

/**
 * Parse a chain config from consensus-specs style YAML. Keys not given take the defaults of the
 * named PRESET_BASE; unknown keys are rejected so that a typo never silently keeps a default.
 */
export function parseChainConfigYaml(text: string): ChainConfig {
  let doc: unknown;
  try {
    // failsafe: every scalar stays a string, so unquoted hex (0x10000001) is not read as a number
    doc = parseYaml(text, { schema: "failsafe" });
  } catch (e) {
    throw new ConfigError(ConfigErrorCode.INVALID_YAML, `config is not valid YAML: ${(e as Error).message}`, {});
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(ConfigErrorCode.INVALID_YAML, "config must be a YAML mapping", {});
  }
  const entries = doc as Record<string, unknown>;
  const base = entries.PRESET_BASE === "mainnet" ? mainnetChainConfig : minimalChainConfig;
  const config: Record<string, unknown> = { ...base };
  for (const [key, raw] of Object.entries(entries)) {
    if (!(key in FIELD_KINDS)) throw new ConfigError(ConfigErrorCode.UNKNOWN_KEY, `unknown config key ${key}`, { key });
    config[key] = parseField(key as keyof ChainConfig, FIELD_KINDS[key as keyof ChainConfig], raw);
  }
  return validateChainConfig(config as unknown as ChainConfig);
}

/** Write a config back as YAML that `parseChainConfigYaml` reads to the same value. */
export function chainConfigToYaml(config: ChainConfig): string {
  const lines: string[] = [];
  for (const key of Object.keys(FIELD_KINDS) as (keyof ChainConfig)[]) {
    const value = config[key];
    const text = value instanceof Uint8Array ? `0x${Buffer.from(value).toString("hex")}` : String(value);
    // a JSON string is valid double-quoted YAML, whatever the text holds
    lines.push(`${key}: ${FIELD_KINDS[key] === "uint" ? text : JSON.stringify(text)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Reject combinations the state transition cannot run with (division by zero, floor above start). */
export function validateChainConfig(config: ChainConfig): ChainConfig {
  const require = (ok: boolean, key: keyof ChainConfig, why: string) => {
    if (!ok) throw new ConfigError(ConfigErrorCode.INVALID_VALUE, `${key}: ${why}`, { key, value: config[key] });
  };
  require(config.SECONDS_PER_SLOT > 0, "SECONDS_PER_SLOT", "must be positive");
  require(config.CHURN_LIMIT_QUOTIENT > 0, "CHURN_LIMIT_QUOTIENT", "must be positive");
  require(config.INACTIVITY_SCORE_BIAS > 0, "INACTIVITY_SCORE_BIAS", "must be positive");
  require(config.TARGET_TICKET_POOL_SIZE > 0, "TARGET_TICKET_POOL_SIZE", "must be positive");
  require(config.TARGET_TICKETS_PER_SLOT > 0, "TARGET_TICKETS_PER_SLOT", "must be positive");
  require(config.TICKET_PRICE_ADJUSTMENT_QUOTIENT > 0, "TICKET_PRICE_ADJUSTMENT_QUOTIENT", "must be positive");
  require(config.MIN_TICKET_PRICE > 0, "MIN_TICKET_PRICE", "must be positive (a free ticket makes the pool unbounded)");
  require(config.INITIAL_TICKET_PRICE >=
    config.MIN_TICKET_PRICE, "INITIAL_TICKET_PRICE", "must be at least MIN_TICKET_PRICE");
  require(config.TICKET_AUCTION_PERIOD_SLOTS > 0, "TICKET_AUCTION_PERIOD_SLOTS", "must be positive");
  require(config.TICKETS_PER_AUCTION > 0, "TICKETS_PER_AUCTION", "must be positive");
  require(config.TICKET_PRICE_PROPORTIONAL_QUOTIENT > 0, "TICKET_PRICE_PROPORTIONAL_QUOTIENT", "must be positive");
  require(config.TICKET_PRICE_INTEGRAL_QUOTIENT > 0, "TICKET_PRICE_INTEGRAL_QUOTIENT", "must be positive");
  require(config.BONDING_CURVE_GROWTH_QUOTIENT > 0, "BONDING_CURVE_GROWTH_QUOTIENT", "must be positive");
  // A granted ticket would be outstanding with nothing paid into the curve's reserve
  require(config.TICKET_PRICING !== "bonding_curve" ||
    config.VALIDATOR_TICKET_GRANTS_PER_EPOCH ===
      0, "VALIDATOR_TICKET_GRANTS_PER_EPOCH", "must be 0 under bonding_curve");
  require(config.MAX_TICKET_PRICE >=
    config.INITIAL_TICKET_PRICE, "MAX_TICKET_PRICE", "must be at least INITIAL_TICKET_PRICE");
  return config;
}
