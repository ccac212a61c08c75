import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ChainConfig,
  ConfigError,
  ConfigErrorCode,
  chainConfigToYaml,
  createChainContext,
  mainnetChainConfig,
  minimalChainConfig,
  parseChainConfigYaml,
  TICKET_MISSED_BLOCK_RULES,
  TICKET_PRICING_RULES,
  TICKET_REVENUE_SINKS,
  validateChainConfig,
} from "@turnstile/ticket-state";
import fc from "fast-check";

function configError(code: ConfigErrorCode, key?: string) {
  return (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (key !== undefined) assert.equal(e.data.key, key);
    return true;
  };
}

describe("chain config YAML", () => {
  it("round-trips the minimal and mainnet configs", () => {
    for (const config of [minimalChainConfig, mainnetChainConfig]) {
      assert.deepEqual(parseChainConfigYaml(chainConfigToYaml(config)), config);
    }
  });

  it("round-trips every choice of the market rules", () => {
    for (const TICKET_PRICING of TICKET_PRICING_RULES) {
      for (const TICKET_REVENUE_SINK of TICKET_REVENUE_SINKS) {
        for (const TICKET_ON_MISSED_BLOCK of TICKET_MISSED_BLOCK_RULES) {
          const config: ChainConfig = {
            ...minimalChainConfig,
            TICKET_PRICING,
            TICKET_REVENUE_SINK,
            TICKET_ON_MISSED_BLOCK,
            TICKET_EXPIRY_EPOCHS: 3,
          };
          assert.deepEqual(parseChainConfigYaml(chainConfigToYaml(config)), config);
        }
      }
    }
  });

  it("round-trips random valid configs (property)", () => {
    const uint = fc.integer({ min: 1, max: 2 ** 40 });
    const configArb = fc
      .record({
        PRESET_BASE: fc.constantFrom("minimal" as const, "mainnet" as const),
        CONFIG_NAME: fc.stringMatching(/^[A-Za-z0-9 _.-]{0,20}$/),
        GENESIS_FORK_VERSION: fc.uint8Array({ minLength: 4, maxLength: 4 }),
        SECONDS_PER_SLOT: uint,
        TICKET_PRICING: fc.constantFrom(...TICKET_PRICING_RULES),
        TICKET_REVENUE_SINK: fc.constantFrom(...TICKET_REVENUE_SINKS),
        TICKET_ON_MISSED_BLOCK: fc.constantFrom(...TICKET_MISSED_BLOCK_RULES),
        MIN_TICKET_PRICE: uint,
        extra: fc.integer({ min: 0, max: 2 ** 40 }),
        TARGET_TICKET_POOL_SIZE: uint,
        TARGET_TICKETS_PER_SLOT: uint,
        TICKET_PRICE_ADJUSTMENT_QUOTIENT: uint,
        TICKET_EXPIRY_EPOCHS: fc.integer({ min: 0, max: 1000 }),
      })
      .map(({ extra, ...fields }): ChainConfig => {
        const base = fields.PRESET_BASE === "mainnet" ? mainnetChainConfig : minimalChainConfig;
        return { ...base, ...fields, INITIAL_TICKET_PRICE: fields.MIN_TICKET_PRICE + extra };
      });
    fc.assert(
      fc.property(configArb, (config) => {
        assert.deepEqual(parseChainConfigYaml(chainConfigToYaml(config)), config);
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips a CONFIG_NAME with a quote or a line break", () => {
    for (const name of ["alice's devnet", "two\nlines"]) {
      const config = { ...minimalChainConfig, CONFIG_NAME: name };
      assert.deepEqual(parseChainConfigYaml(chainConfigToYaml(config)), config, JSON.stringify(name));
    }
  });

  it("keys not given take the defaults of PRESET_BASE", () => {
    assert.deepEqual(parseChainConfigYaml("PRESET_BASE: mainnet\n"), mainnetChainConfig);
    assert.deepEqual(parseChainConfigYaml("PRESET_BASE: minimal\n"), minimalChainConfig);
    assert.deepEqual(parseChainConfigYaml("TICKET_PRICING: fixed\nSECONDS_PER_SLOT: 2\n"), {
      ...minimalChainConfig,
      TICKET_PRICING: "fixed",
      SECONDS_PER_SLOT: 2,
    });
    // decimal strings are accepted for integers
    assert.equal(parseChainConfigYaml("SECONDS_PER_SLOT: '12'\n").SECONDS_PER_SLOT, 12);
  });

  it("reads the consensus-specs config format: unquoted hex fork versions", () => {
    // consensus-specs configs (e.g. configs/minimal.yaml) write `GENESIS_FORK_VERSION: 0x00000001`
    const text = [
      "PRESET_BASE: 'minimal'",
      "CONFIG_NAME: 'turnstile-test'",
      "GENESIS_FORK_VERSION: 0x10000001",
      "SECONDS_PER_SLOT: 6",
      "",
    ].join("\n");
    const config = parseChainConfigYaml(text);
    assert.deepEqual(config.GENESIS_FORK_VERSION, Uint8Array.from([0x10, 0x00, 0x00, 0x01]));
    assert.deepEqual(
      parseChainConfigYaml("GENESIS_FORK_VERSION: 0x00000001\n").GENESIS_FORK_VERSION,
      Uint8Array.from([0, 0, 0, 1]),
    );
  });

  it("rejects an unknown key with CONFIG_UNKNOWN_KEY", () => {
    assert.throws(
      () => parseChainConfigYaml("SECONDS_PER_SLOTS: 6\n"),
      configError(ConfigErrorCode.UNKNOWN_KEY, "SECONDS_PER_SLOTS"),
    );
    assert.throws(
      () => parseChainConfigYaml("PRESET_BASE: minimal\nALTAIR_FORK_EPOCH: 0\n"),
      configError(ConfigErrorCode.UNKNOWN_KEY, "ALTAIR_FORK_EPOCH"),
    );
  });

  it("rejects a bad enum or value with CONFIG_INVALID_VALUE", () => {
    const bad: [string, string][] = [
      ["TICKET_PRICING: auction\n", "TICKET_PRICING"],
      ["TICKET_PRICING: POOL_TARGET\n", "TICKET_PRICING"],
      ["TICKET_REVENUE_SINK: treasury\n", "TICKET_REVENUE_SINK"],
      ["TICKET_ON_MISSED_BLOCK: keep\n", "TICKET_ON_MISSED_BLOCK"],
      ["PRESET_BASE: gnosis\n", "PRESET_BASE"],
      ["SECONDS_PER_SLOT: -1\n", "SECONDS_PER_SLOT"],
      ["SECONDS_PER_SLOT: 1.5\n", "SECONDS_PER_SLOT"],
      ["SECONDS_PER_SLOT: six\n", "SECONDS_PER_SLOT"],
      ["EJECTION_BALANCE: 18446744073709551615\n", "EJECTION_BALANCE"],
      ["GENESIS_FORK_VERSION: '0x0001'\n", "GENESIS_FORK_VERSION"],
      ["GENESIS_FORK_VERSION: 'zz000001'\n", "GENESIS_FORK_VERSION"],
      ["CONFIG_NAME: [a, b]\n", "CONFIG_NAME"],
    ];
    for (const [text, key] of bad) {
      assert.throws(() => parseChainConfigYaml(text), configError(ConfigErrorCode.INVALID_VALUE, key), text);
    }
  });

  it("rejects text that is not a YAML mapping with CONFIG_INVALID_YAML", () => {
    for (const text of ["a: [1, 2", "- 1\n- 2\n", "just a string"]) {
      assert.throws(() => parseChainConfigYaml(text), configError(ConfigErrorCode.INVALID_YAML), text);
    }
  });
});

describe("validateChainConfig", () => {
  const zeroes: (keyof ChainConfig)[] = [
    "TARGET_TICKET_POOL_SIZE",
    "TARGET_TICKETS_PER_SLOT",
    "TICKET_PRICE_ADJUSTMENT_QUOTIENT",
    "MIN_TICKET_PRICE",
    "SECONDS_PER_SLOT",
    "CHURN_LIMIT_QUOTIENT",
    "INACTIVITY_SCORE_BIAS",
  ];
  for (const key of zeroes) {
    it(`rejects ${key} = 0 (directly, from YAML and when creating a context)`, () => {
      const config = { ...minimalChainConfig, [key]: 0 };
      assert.throws(() => validateChainConfig(config), configError(ConfigErrorCode.INVALID_VALUE, key));
      assert.throws(() => parseChainConfigYaml(`${key}: 0\n`), configError(ConfigErrorCode.INVALID_VALUE, key));
      assert.throws(() => createChainContext(config), configError(ConfigErrorCode.INVALID_VALUE, key));
    });
  }

  it("rejects an initial price below the floor, accepts it equal", () => {
    const below = { ...minimalChainConfig, INITIAL_TICKET_PRICE: 999, MIN_TICKET_PRICE: 1000 };
    assert.throws(() => validateChainConfig(below), configError(ConfigErrorCode.INVALID_VALUE, "INITIAL_TICKET_PRICE"));
    const equal = { ...minimalChainConfig, INITIAL_TICKET_PRICE: 1000, MIN_TICKET_PRICE: 1000 };
    assert.equal(validateChainConfig(equal), equal);
  });

  it("accepts TICKET_EXPIRY_EPOCHS = 0 (never expire)", () => {
    assert.equal(validateChainConfig({ ...minimalChainConfig, TICKET_EXPIRY_EPOCHS: 0 }).TICKET_EXPIRY_EPOCHS, 0);
  });
});
