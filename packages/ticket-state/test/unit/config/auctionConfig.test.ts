import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConfigError,
  ConfigErrorCode,
  chainConfigToYaml,
  isAuctionPricing,
  minimalChainConfig,
  parseChainConfigYaml,
  validateChainConfig,
} from "@turnstile/ticket-state";

describe("auction config keys", () => {
  it("defaults keep posted pricing: auctions are opt-in", () => {
    assert.equal(isAuctionPricing(minimalChainConfig), false);
    assert.equal(minimalChainConfig.TICKET_AUCTION_PERIOD_SLOTS, 1);
    assert.equal(minimalChainConfig.TICKETS_PER_AUCTION, 1);
    assert.equal(minimalChainConfig.TICKET_EXPIRY_SLOTS, 0);
  });

  it("reads the published first-price setup from YAML and writes it back", () => {
    const config = parseChainConfigYaml(
      "TICKET_PRICING: first_price_auction\nTICKETS_PER_AUCTION: 32\nTICKET_AUCTION_PERIOD_SLOTS: 32\nTICKET_EXPIRY_SLOTS: 32\n",
    );
    assert.equal(isAuctionPricing(config), true);
    assert.deepEqual(
      [config.TICKETS_PER_AUCTION, config.TICKET_AUCTION_PERIOD_SLOTS, config.TICKET_EXPIRY_SLOTS],
      [32, 32, 32],
    );
    assert.deepEqual(parseChainConfigYaml(chainConfigToYaml(config)), config);
    assert.equal(isAuctionPricing(parseChainConfigYaml("TICKET_PRICING: second_price_auction\n")), true);
  });

  it("refuses a zero auction period or supply", () => {
    for (const key of ["TICKET_AUCTION_PERIOD_SLOTS", "TICKETS_PER_AUCTION"] as const) {
      assert.throws(
        () => validateChainConfig({ ...minimalChainConfig, [key]: 0 }),
        (e: unknown) => e instanceof ConfigError && e.code === ConfigErrorCode.INVALID_VALUE && e.data.key === key,
      );
    }
  });
});
