import {
  type ChainConfig,
  ConfigError,
  parseChainConfigYaml,
  TICKET_PRICING_RULES,
  type TicketPricing,
} from "@turnstile/ticket-state";
import { stringify as stringifyYaml } from "yaml";
import { MarketError, MarketErrorCode } from "./errors.ts";
import { realisedMevSeries } from "./realisedMev.ts";

/** Gwei per milli-ETH: the lab's MEV and capital are written in Gwei; published setups speak milli-ETH. */
export const GWEI_PER_MILLI_ETH = 1_000_000;

export const MEV_PROCESSES = ["exponential", "markov", "engine", "realised"] as const;
export type MevProcessKind = (typeof MEV_PROCESSES)[number];

export const STRATEGIES = ["value", "waiting_cost", "speculative"] as const;
export type StrategyKind = (typeof STRATEGIES)[number];

/**
 * Why committed payloads go unrevealed: `random` (by chance, `withholdRate`), or `strategic` (the
 * holder withholds when revealing is worth less than withholding: reveal value < −collateral; the
 * chance `withholdRate` of going offline still applies on top).
 */
export const WITHHOLDING = ["random", "strategic"] as const;
export type WithholdingKind = (typeof WITHHOLDING)[number];

/** What validators do with tickets granted to them (VALIDATOR_TICKET_GRANTS_PER_EPOCH): keep and build, or sell. */
export const VALIDATOR_POLICIES = ["hold", "sell"] as const;
export type ValidatorPolicy = (typeof VALIDATOR_POLICIES)[number];

/** How first-price bidders shade: a fixed share, or a share learned from winning and losing. */
export const SHADING_RULES = ["fixed", "learning"] as const;
export type ShadingRule = (typeof SHADING_RULES)[number];

/** Where a slot's MEV comes from. All values in Gwei. */
export interface MevSpec {
  process: MevProcessKind;
  /** `exponential`: MEV of a slot ~ Exp(mean), i.i.d. */
  meanGwei: number;
  /** `markov`: two regimes, each Exp(its mean); the regime switches with these per-slot chances. */
  calmMeanGwei: number;
  burstMeanGwei: number;
  calmToBurst: number;
  burstToCalm: number;
  /**
   * Sd of the reveal shock (Gwei): a slot's MEV moves by `N(0, sd)` between the holder's commitment
   * and its reveal, and the holder realises skill × (MEV + shock) (`mevProcess.ts: revealShocks`). 0: no shock.
   */
  revealShockSdGwei: number;
  /** `realised`: a devnet's recorded per-slot realised MEV (`realised-mev.json` of `turnstile devnet --traffic`), replayed in order. */
  seriesFile: string;
}

/** `count` agents alike: MEV-extraction skill (share of a slot's MEV they realise), capital, strategy. */
export interface AgentTier {
  count: number;
  skill: number;
  capitalGwei: number;
  strategy: StrategyKind;
}

/** Agents that pool capital into one account and share its slots: the best member's skill builds. */
export interface ColludingPool {
  members: number;
  skill: number;
  capitalGwei: number;
}

/** From `slot` on, every slot's MEV is multiplied by `mevFactor`: the demand shock. */
export interface ShockSpec {
  slot: number;
  mevFactor: number;
}

export interface LabSetup {
  name: string;
  mechanism: TicketPricing;
  /** Tickets change hands through the chain's secondary market (offers and fills) when it has one. */
  secondaryMarket: boolean;
  slots: number;
  runs: number;
  seed: number;
  validators: number;
  /** Chain config keys (consensus-specs names) over the preset's defaults. */
  chain: Record<string, string | number>;
  mev: MevSpec;
  tiers: AgentTier[];
  pools: ColludingPool[];
  /** Time preference ρ per slot: a value `k` slots ahead is worth 1 / (1 + ρ)^k now. */
  discountPerSlot: number;
  /** Cost of capital locked in an escrowed ticket, per slot, as a share of its price (waiting-cost-aware agents). */
  holdingCostPerSlot: number;
  /** Speculators buy below (1 - margin) and resell above (1 + margin) times the price's moving average. */
  speculation: { window: number; margin: number };
  /** First-price bidders bid value × (1 - shading); second-price bidders bid their value. */
  bidShading: number;
  /** Tickets an agent asks for in one auction, per member (at a posted price: one per member and slot). */
  auctionUnits: number;
  /** Agents' estimate of the mean MEV is a moving average with this half-life in slots. */
  mevHalfLife: number;
  missRate: number;
  /** Chance a holder's committed payload goes unrevealed by accident (every policy). */
  withholdRate: number;
  /** `random`: only `withholdRate`; `strategic`: also whenever reveal value < −collateral. */
  withholding: WithholdingKind;
  /**
   * Validators' granted tickets: `hold` (build with them) or `sell` (offer every pooled granted
   * ticket each slot on the chain's secondary market at max(own value, (1 − discount) × price)).
   */
  validatorSales: { policy: ValidatorPolicy; discount: number };
  /**
   * `fixed`: first-price bids at value × (1 − bidShading); `learning`: each bidder starts at
   * `bidShading` and after each auction moves its shading by `step` (up when it won all it asked
   * for, down when it won nothing), within [0, `max`].
   */
  shadingRule: { rule: ShadingRule; step: number; max: number };
  shock: ShockSpec | null;
  /** Share of a slot's MEV a validator realises with a ticket granted to it (VALIDATOR_TICKET_GRANTS_PER_EPOCH). */
  validatorSkill: number;
  /** Slots left out of the metrics at the start (the market finding its level). */
  burnIn: number;
  /** Verify BLS signatures of every block and envelope (the lab may skip it, explicitly). */
  verifySignatures: boolean;
}

/** 10 tiers of skill 0.1..1.0, 2 ETH each, value-based: the published setups' agents. */
export function tieredAgents(count: number, capitalGwei: number, strategy: StrategyKind = "value"): AgentTier[] {
  return Array.from({ length: count }, (_, i) => ({
    count: 1,
    skill: Math.round(((i + 1) / count) * 1000) / 1000,
    capitalGwei,
    strategy,
  }));
}

export const DEFAULT_SETUP: LabSetup = {
  name: "default",
  mechanism: "pool_target",
  secondaryMarket: false,
  slots: 1000,
  runs: 10,
  seed: 1,
  validators: 32,
  chain: {},
  mev: {
    process: "exponential",
    meanGwei: 30 * GWEI_PER_MILLI_ETH,
    calmMeanGwei: 20 * GWEI_PER_MILLI_ETH,
    burstMeanGwei: 120 * GWEI_PER_MILLI_ETH,
    calmToBurst: 0.02,
    burstToCalm: 0.1,
    revealShockSdGwei: 0,
    seriesFile: "",
  },
  tiers: tieredAgents(10, 2000 * GWEI_PER_MILLI_ETH),
  pools: [],
  discountPerSlot: 1e-4,
  holdingCostPerSlot: 1e-3,
  speculation: { window: 32, margin: 0.05 },
  bidShading: 0.1,
  auctionUnits: 4,
  mevHalfLife: 64,
  missRate: 0,
  withholdRate: 0.02,
  withholding: "random",
  validatorSales: { policy: "hold", discount: 0.05 },
  shadingRule: { rule: "fixed", step: 0.02, max: 0.5 },
  shock: null,
  validatorSkill: 0.5,
  burnIn: 100,
  verifySignatures: true,
};

type Shape = "number" | "int" | "probability" | "boolean" | "string" | "object" | "array" | "nullable";
const SHAPES: Record<keyof LabSetup, Shape> = {
  name: "string",
  mechanism: "string",
  secondaryMarket: "boolean",
  slots: "int",
  runs: "int",
  seed: "int",
  validators: "int",
  chain: "object",
  mev: "object",
  tiers: "array",
  pools: "array",
  discountPerSlot: "number",
  holdingCostPerSlot: "number",
  speculation: "object",
  bidShading: "probability",
  auctionUnits: "int",
  mevHalfLife: "number",
  missRate: "probability",
  withholdRate: "probability",
  withholding: "string",
  validatorSales: "object",
  shadingRule: "object",
  shock: "nullable",
  validatorSkill: "probability",
  burnIn: "int",
  verifySignatures: "boolean",
};

const bad = (path: string, why: string, value: unknown) =>
  new MarketError(MarketErrorCode.INVALID_VALUE, `${path}: ${why}`, { path, value });

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function checkKeys(path: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new MarketError(MarketErrorCode.UNKNOWN_KEY, `unknown key ${path}${key}`, { key: `${path}${key}` });
    }
  }
}

function num(path: string, v: unknown, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad(path, "expected a number", v);
  if (opts.int && !Number.isSafeInteger(v)) throw bad(path, "expected an integer", v);
  if (opts.min !== undefined && v < opts.min) throw bad(path, `must be at least ${opts.min}`, v);
  if (opts.max !== undefined && v > opts.max) throw bad(path, `must be at most ${opts.max}`, v);
  return v;
}

/** Merge `patch` (a parsed YAML mapping) over `base`, checking every key and value. */
export function applySetupPatch(base: LabSetup, patch: unknown, where = ""): LabSetup {
  if (!isRecord(patch)) throw bad(where || "setup", "expected a mapping", patch);
  checkKeys(where, patch, Object.keys(SHAPES));
  const out: LabSetup = structuredClone(base);
  for (const [key, raw] of Object.entries(patch) as [keyof LabSetup, unknown][]) {
    const path = `${where}${key}`;
    switch (key) {
      case "name":
        if (typeof raw !== "string") throw bad(path, "expected a string", raw);
        out.name = raw;
        break;
      case "mechanism":
        out.mechanism = parseMechanism(path, raw);
        break;
      case "secondaryMarket":
      case "verifySignatures":
        if (typeof raw !== "boolean") throw bad(path, "expected true or false", raw);
        out[key] = raw;
        break;
      case "slots":
      case "runs":
      case "validators":
      case "auctionUnits":
        out[key] = num(path, raw, { int: true, min: 1 });
        break;
      case "seed":
      case "burnIn":
        out[key] = num(path, raw, { int: true, min: 0 });
        break;
      case "discountPerSlot":
      case "holdingCostPerSlot":
        out[key] = num(path, raw, { min: 0, max: 1 });
        break;
      case "mevHalfLife":
        out[key] = num(path, raw, { min: 1 });
        break;
      case "bidShading":
      case "validatorSkill":
      case "missRate":
      case "withholdRate":
        out[key] = num(path, raw, { min: 0, max: 1 });
        break;
      case "withholding":
        out.withholding = oneOf(path, raw, WITHHOLDING);
        break;
      case "validatorSales": {
        if (!isRecord(raw)) throw bad(path, "expected a mapping", raw);
        checkKeys(`${path}.`, raw, ["policy", "discount"]);
        out.validatorSales = {
          policy:
            raw.policy === undefined
              ? out.validatorSales.policy
              : oneOf(`${path}.policy`, raw.policy, VALIDATOR_POLICIES),
          discount:
            raw.discount === undefined
              ? out.validatorSales.discount
              : num(`${path}.discount`, raw.discount, { min: 0, max: 1 }),
        };
        break;
      }
      case "shadingRule": {
        if (!isRecord(raw)) throw bad(path, "expected a mapping", raw);
        checkKeys(`${path}.`, raw, ["rule", "step", "max"]);
        out.shadingRule = {
          rule: raw.rule === undefined ? out.shadingRule.rule : oneOf(`${path}.rule`, raw.rule, SHADING_RULES),
          step: raw.step === undefined ? out.shadingRule.step : num(`${path}.step`, raw.step, { min: 0, max: 1 }),
          max: raw.max === undefined ? out.shadingRule.max : num(`${path}.max`, raw.max, { min: 0, max: 1 }),
        };
        break;
      }
      case "chain":
        if (!isRecord(raw)) throw bad(path, "expected a mapping of chain config keys", raw);
        for (const [k, v] of Object.entries(raw)) {
          if (typeof v !== "string" && typeof v !== "number") throw bad(`${path}.${k}`, "expected a scalar", v);
        }
        out.chain = { ...out.chain, ...(raw as Record<string, string | number>) };
        break;
      case "mev":
        out.mev = parseMev(path, raw, out.mev);
        break;
      case "tiers":
        out.tiers = parseList(path, raw, parseTier);
        break;
      case "pools":
        out.pools = parseList(path, raw, parsePool);
        break;
      case "speculation": {
        if (!isRecord(raw)) throw bad(path, "expected a mapping", raw);
        checkKeys(`${path}.`, raw, ["window", "margin"]);
        out.speculation = {
          window:
            raw.window === undefined
              ? out.speculation.window
              : num(`${path}.window`, raw.window, { int: true, min: 1 }),
          margin:
            raw.margin === undefined ? out.speculation.margin : num(`${path}.margin`, raw.margin, { min: 0, max: 1 }),
        };
        break;
      }
      case "shock": {
        if (raw === null) {
          out.shock = null;
          break;
        }
        if (!isRecord(raw)) throw bad(path, "expected a mapping or null", raw);
        checkKeys(`${path}.`, raw, ["slot", "mevFactor"]);
        out.shock = {
          slot: num(`${path}.slot`, raw.slot, { int: true, min: 1 }),
          mevFactor: num(`${path}.mevFactor`, raw.mevFactor, { min: 0 }),
        };
        break;
      }
    }
  }
  return out;
}

function oneOf<T extends string>(path: string, raw: unknown, allowed: readonly T[]): T {
  if (typeof raw !== "string" || !(allowed as readonly string[]).includes(raw)) {
    throw bad(path, `expected one of ${allowed.join(", ")}`, raw);
  }
  return raw as T;
}

function parseMechanism(path: string, raw: unknown): TicketPricing {
  if (typeof raw !== "string" || !(TICKET_PRICING_RULES as readonly string[]).includes(raw)) {
    throw new MarketError(
      MarketErrorCode.UNKNOWN_MECHANISM,
      `${path}: expected one of the chain's TICKET_PRICING rules (${TICKET_PRICING_RULES.join(", ")})`,
      { path, value: raw },
    );
  }
  return raw as TicketPricing;
}

function parseMev(path: string, raw: unknown, base: MevSpec): MevSpec {
  if (!isRecord(raw)) throw bad(path, "expected a mapping", raw);
  checkKeys(`${path}.`, raw, Object.keys(base));
  const out = { ...base };
  if (raw.process !== undefined) {
    if (typeof raw.process !== "string" || !(MEV_PROCESSES as readonly string[]).includes(raw.process)) {
      throw bad(`${path}.process`, `expected one of ${MEV_PROCESSES.join(", ")}`, raw.process);
    }
    out.process = raw.process as MevProcessKind;
  }
  for (const k of ["meanGwei", "calmMeanGwei", "burstMeanGwei", "revealShockSdGwei"] as const) {
    if (raw[k] !== undefined) out[k] = num(`${path}.${k}`, raw[k], { min: 0 });
  }
  for (const k of ["calmToBurst", "burstToCalm"] as const) {
    if (raw[k] !== undefined) out[k] = num(`${path}.${k}`, raw[k], { min: 0, max: 1 });
  }
  if (raw.seriesFile !== undefined) {
    if (typeof raw.seriesFile !== "string") throw bad(`${path}.seriesFile`, "expected a file path", raw.seriesFile);
    out.seriesFile = raw.seriesFile;
  }
  if (out.process === "realised") {
    if (out.seriesFile === "") throw bad(`${path}.seriesFile`, "the realised process needs a series file", "");
    // Read now: a missing or malformed file is refused with the setup
    realisedMevSeries(out.seriesFile);
  }
  return out;
}

function parseList<T>(path: string, raw: unknown, item: (path: string, v: unknown) => T): T[] {
  if (!Array.isArray(raw)) throw bad(path, "expected a list", raw);
  return raw.map((v, i) => item(`${path}[${i}]`, v));
}

function parseTier(path: string, raw: unknown): AgentTier {
  if (!isRecord(raw)) throw bad(path, "expected a mapping", raw);
  checkKeys(`${path}.`, raw, ["count", "skill", "capitalGwei", "strategy"]);
  const strategy = raw.strategy ?? "value";
  if (typeof strategy !== "string" || !(STRATEGIES as readonly string[]).includes(strategy)) {
    throw bad(`${path}.strategy`, `expected one of ${STRATEGIES.join(", ")}`, strategy);
  }
  return {
    count: raw.count === undefined ? 1 : num(`${path}.count`, raw.count, { int: true, min: 1 }),
    skill: num(`${path}.skill`, raw.skill, { min: 0, max: 1 }),
    capitalGwei: num(`${path}.capitalGwei`, raw.capitalGwei, { int: true, min: 0 }),
    strategy: strategy as StrategyKind,
  };
}

function parsePool(path: string, raw: unknown): ColludingPool {
  if (!isRecord(raw)) throw bad(path, "expected a mapping", raw);
  checkKeys(`${path}.`, raw, ["members", "skill", "capitalGwei"]);
  return {
    members: num(`${path}.members`, raw.members, { int: true, min: 2 }),
    skill: num(`${path}.skill`, raw.skill, { min: 0, max: 1 }),
    capitalGwei: num(`${path}.capitalGwei`, raw.capitalGwei, { int: true, min: 0 }),
  };
}

/**
 * The run's chain config: the preset's defaults, the setup's `chain` keys, the mechanism as
 * TICKET_PRICING, and revenue burned (the lab reads revenue as what each epoch burns; where it
 * goes changes no agent's decision). Checked by the chain's own config parser.
 */
export function labChainConfig(setup: LabSetup): ChainConfig {
  const doc: Record<string, string> = { PRESET_BASE: "minimal" };
  for (const [k, v] of Object.entries(setup.chain)) doc[k] = String(v);
  doc.TICKET_PRICING = setup.mechanism;
  doc.TICKET_REVENUE_SINK = "burn";
  try {
    return parseChainConfigYaml(stringifyYaml(doc));
  } catch (e) {
    if (e instanceof ConfigError) throw bad(`${setup.name}: chain`, e.message, setup.chain);
    throw e;
  }
}
