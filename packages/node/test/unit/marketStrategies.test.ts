import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createChainContext } from "@turnstile/ticket-state";
import {
  expectedRevealOptionValue,
  normalCdf,
  revealOptionValue,
  shouldWithhold,
  strategicSlotValue,
} from "../../src/market/agents.ts";
import { MarketError, MarketErrorCode } from "../../src/market/errors.ts";
import { runLab } from "../../src/market/labRun.ts";
import { AuctionAdapter, type SlotContext } from "../../src/market/mechanisms.ts";
import { revealShocks } from "../../src/market/mevProcess.ts";
import { Rng } from "../../src/market/random.ts";
import { DEFAULT_SETUP, type LabSetup, labChainConfig } from "../../src/market/setup.ts";
import { parseSweep } from "../../src/market/sweep.ts";

/** A small, fast setup: a few value-based agents, signatures skipped explicitly. */
const SMALL: LabSetup = {
  ...DEFAULT_SETUP,
  name: "small",
  slots: 64,
  runs: 1,
  burnIn: 8,
  verifySignatures: false,
  withholdRate: 0,
  tiers: [
    { count: 2, skill: 0.5, capitalGwei: 1e9, strategy: "value" },
    { count: 2, skill: 0.9, capitalGwei: 1e9, strategy: "value" },
  ],
};

const total = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);

describe("strategic withholding: the free option between commitment and reveal", () => {
  it("a strategic holder withholds iff the reveal value is below minus the collateral", () => {
    assert.equal(shouldWithhold(-10, 0), true);
    assert.equal(shouldWithhold(0, 0), false);
    assert.equal(shouldWithhold(-10, 10), false);
    assert.equal(shouldWithhold(-10.5, 10), true);
    assert.equal(shouldWithhold(5, 10), false);
  });

  it("the option's value: max(a, −C) without a shock, the closed form against draws with one", () => {
    assert.equal(revealOptionValue(7, 0, 3), 7);
    assert.equal(revealOptionValue(-7, 0, 3), -3);
    close(normalCdf(0), 0.5, 1e-7);
    close(normalCdf(1.96), 0.975, 1e-4);
    close(normalCdf(-1), 0.158655, 1e-5);
    const rng = new Rng(11, 0);
    for (const [a, sd, c] of [
      [10, 20, 0],
      [10, 20, 15],
      [-5, 8, 2],
    ]) {
      let sum = 0;
      const draws = 200_000;
      for (let i = 0; i < draws; i++) sum += Math.max(a + sd * rng.normal(), -c);
      close(revealOptionValue(a, sd, c), sum / draws, sd * 0.01);
    }
    // collateral takes value from the option: less to walk away with
    assert.ok(revealOptionValue(10, 20, 0) > revealOptionValue(10, 20, 15));
    assert.ok(revealOptionValue(10, 20, 15) > 10);
  });

  it("a slot's option value before its MEV is known: the closed form against draws, M ~ Exp, ε ~ N", () => {
    const rng = new Rng(12, 0);
    for (const [mean, sd, c, skill] of [
      [30, 30, 0, 1],
      [30, 30, 10, 0.5],
      [3, 30, 0, 0.1],
      [30, 5, 50, 0.9],
    ]) {
      let sum = 0;
      const draws = 400_000;
      for (let i = 0; i < draws; i++) sum += Math.max(skill * (rng.exponential(mean) + sd * rng.normal()), -c);
      close(strategicSlotValue(skill, mean, sd, c), sum / draws, 0.01 * mean);
    }
    // no shock: the slot's expected payload; without skill: nothing
    close(expectedRevealOptionValue(30, 0, 10), 30, 1e-9);
    close(strategicSlotValue(0.5, 30, 0, 10), 15, 1e-9);
    assert.equal(strategicSlotValue(0, 30, 30, 10), 0);
    // far tails stay finite and tend to the shock-free value as the shock shrinks
    close(expectedRevealOptionValue(1, 1e-3, 0), 1, 1e-6);
    assert.ok(Number.isFinite(expectedRevealOptionValue(1e-3, 30, 1e6)));
  });

  it("reveal shocks come from their own stream: zeros when off, the same series for the same seed", () => {
    assert.ok(revealShocks(DEFAULT_SETUP.mev, 10, 1).every((x) => x === 0));
    const mev = { ...DEFAULT_SETUP.mev, revealShockSdGwei: 1000 };
    assert.deepEqual(revealShocks(mev, 50, 3), revealShocks(mev, 50, 3));
    assert.ok(revealShocks(mev, 50, 3).some((x) => x < 0));
  });

  for (const collateral of [0, 20_000_000]) {
    it(`in a run (collateral ${collateral}), every ticket-built slot is withheld exactly when reveal value < −collateral`, () => {
      const setup: LabSetup = {
        ...SMALL,
        mechanism: "fixed",
        withholding: "strategic",
        mev: { ...SMALL.mev, revealShockSdGwei: 30_000_000 },
        chain: { TICKET_COLLATERAL: collateral },
      };
      const run = runLab(setup, 4);
      const built = run.slots.filter((s) => s.builder >= 0);
      assert.ok(built.length > 10);
      for (const s of built) {
        const value = run.entities[s.builder].skill * (s.mev + s.revealShock);
        assert.equal(s.withheld, value < -collateral, `slot ${s.slot}: value ${value}`);
        assert.equal(s.withheldByChoice, s.withheld);
        // a revealed payload realises its MEV times skill, moved by the shock
        if (!s.withheld) assert.ok(Math.abs(s.realised - value) < 1e-6);
        assert.equal(s.collateralSlashed, s.withheld ? collateral : 0);
      }
      if (collateral === 0)
        assert.ok(
          built.some((s) => s.withheld),
          "some payload was worth withholding",
        );
      // money is conserved with shocks and slashing: holders gain what they realised less revenue and slashing
      const profit = total(run.entities, (e) => e.profit);
      const realised = total(run.entities, (e) => e.realised);
      const revenue = total(run.slots, (s) => s.revenue);
      const slashed = total(run.slots, (s) => s.collateralSlashed);
      assert.ok(Math.abs(profit - (realised - revenue - slashed)) <= run.entities.length);
    });
  }

  it("first-price auction with collateral: bids escrow price and collateral, and money is conserved", () => {
    // a bid in the book at the end holds count × (bid price + collateral) for its bidder
    const chain = { TICKET_COLLATERAL: 20_000_000, TICKETS_PER_AUCTION: 16, TICKET_AUCTION_PERIOD_SLOTS: 16 };
    const mev = { ...SMALL.mev, revealShockSdGwei: 30_000_000 };
    const run = runLab({ ...SMALL, mechanism: "first_price_auction", withholding: "strategic", mev, chain }, 3);
    const profit = total(run.entities, (e) => e.profit);
    const realised = total(run.entities, (e) => e.realised);
    const revenue = total(run.slots, (s) => s.revenue);
    const slashed = total(run.slots, (s) => s.collateralSlashed);
    assert.ok(revenue > 0);
    assert.ok(Math.abs(profit - (realised - revenue - slashed)) <= run.entities.length, `${profit}`);
  });

  it("collateral above every reachable loss stops strategic withholding; random withholding ignores value", () => {
    const mev = { ...SMALL.mev, revealShockSdGwei: 10_000_000 };
    const huge = runLab(
      { ...SMALL, mechanism: "fixed", withholding: "strategic", mev, chain: { TICKET_COLLATERAL: 1_000_000_000 } },
      4,
    );
    assert.ok(huge.slots.every((s) => !s.withheld));
    const random = runLab({ ...SMALL, mechanism: "fixed", withholdRate: 0, mev }, 4);
    assert.ok(random.slots.every((s) => !s.withheld && !s.withheldByChoice));
  });
});

describe("validators selling granted tickets", () => {
  const chain = { VALIDATOR_TICKET_GRANTS_PER_EPOCH: 4, TARGET_TICKET_POOL_SIZE: 16 };

  it("granted tickets change hands through the chain's offers and fills; money conserved", () => {
    const run = runLab(
      {
        ...SMALL,
        mechanism: "fixed",
        slots: 96,
        chain,
        validatorSkill: 0.1,
        validatorSales: { policy: "sell", discount: 0.2 },
      },
      1,
    );
    const sold = total(run.slots, (s) => s.grantsSold);
    assert.ok(sold > 0, "some granted ticket was sold");
    assert.ok(sold <= total(run.slots, (s) => s.granted));
    // every sale is a fill in a block, counted as a resale
    assert.ok(run.slots.every((s) => s.resold >= s.grantsSold));
    assert.equal(
      run.validators.salesGwei,
      total(run.slots, (s) => s.grantSalesGwei),
    );
    assert.ok(run.validators.salesGwei > 0);
    // agents paid the validators what the sales fetched: nothing else moved
    const profit = total(run.entities, (e) => e.profit);
    const realised = total(run.entities, (e) => e.realised);
    const revenue = total(run.slots, (s) => s.revenue);
    assert.ok(Math.abs(profit - (realised - revenue - run.validators.salesGwei)) <= run.entities.length);
    // an agent built a slot with a ticket bought from a validator: fewer slots for validators than when held
    const held = runLab({ ...SMALL, mechanism: "fixed", slots: 96, chain, validatorSkill: 0.1 }, 1);
    assert.equal(
      total(held.slots, (s) => s.grantsSold),
      0,
    );
    assert.equal(held.validators.salesGwei, 0);
    assert.ok(run.validators.slots < held.validators.slots);
  });

  it("with signatures on, validators' offers (signed with their validator keys) pass verification", () => {
    const run = runLab(
      {
        ...SMALL,
        mechanism: "fixed",
        slots: 40,
        chain,
        validatorSkill: 0.1,
        verifySignatures: true,
        validatorSales: { policy: "sell", discount: 0.5 },
      },
      1,
    );
    assert.ok(total(run.slots, (s) => s.grantsSold) > 0);
  });
});

describe("learning first-price shading", () => {
  const setup: LabSetup = {
    ...SMALL,
    mechanism: "first_price_auction",
    shadingRule: { rule: "learning", step: 0.05, max: 0.3 },
    bidShading: 0.1,
  };
  const ctx = createChainContext(labChainConfig({ ...setup, chain: { TICKET_AUCTION_PERIOD_SLOTS: 32 } }));
  const sc = (slot: number, won: [number, number][]): SlotContext =>
    ({ ctx, setup, slot, issuedOnEntry: new Map(won) }) as unknown as SlotContext;
  const bid = (buyer: number, count: number, auction: number) =>
    ({ message: { buyer_index: buyer, count, auction_slot: auction } }) as never;

  it("shades more after winning all it asked for, less after winning nothing, the same after a partial win", () => {
    const adapter = new AuctionAdapter("first_price_auction");
    adapter.included(sc(1, []), {
      bids: [bid(0, 4, 32), bid(1, 4, 32), bid(2, 4, 32)],
      purchases: [],
      transfers: [],
      fills: [],
      sellBacks: [],
    });
    // before the auction settles nothing is learned
    adapter.operations(sc(31, []), [], []);
    assert.equal(adapter.shadingOf(0), null);
    adapter.operations(
      sc(32, [
        [0, 4],
        [1, 2],
      ]),
      [],
      [],
    );
    close(adapter.shadingOf(0) ?? -1, 0.15, 1e-12);
    assert.equal(adapter.shadingOf(1), null);
    close(adapter.shadingOf(2) ?? -1, 0.05, 1e-12);
  });

  it("in a run, bidders that always win learn to shade more and pay less than at a fixed 10%", () => {
    // 4 bidders asking 4 tickets each, 32 tickets an auction: every bidder wins all it asks for
    const chain = { TICKETS_PER_AUCTION: 32, TICKET_AUCTION_PERIOD_SLOTS: 32 };
    const fixed = runLab({ ...setup, chain, slots: 160, shadingRule: { ...setup.shadingRule, rule: "fixed" } }, 2);
    const learning = runLab({ ...setup, chain, slots: 160 }, 2);
    const paid = (r: typeof fixed) => r.slots.filter((s) => s.slot > 64).map((s) => s.price);
    const [late, base] = [paid(learning), paid(fixed)];
    // the auctions settled after the first: learning prices end below the fixed rule's, by more than 10%
    assert.ok(late.at(-1)! < base.at(-1)! * 0.9, `${late.at(-1)} vs ${base.at(-1)}`);
  });

  it("in a run with one ticket an auction, the losing top bidder learns to bid up: shading does not only grow", () => {
    // two agents of skill 0.9 compete for each ticket: the loser shades less, so the winner's price rises
    const fixed = runLab({ ...setup, slots: 96, shadingRule: { ...setup.shadingRule, rule: "fixed" } }, 2);
    const learning = runLab({ ...setup, slots: 96 }, 2);
    const revenue = (r: typeof fixed) => total(r.slots, (s) => s.revenue);
    assert.ok(revenue(learning) > revenue(fixed), `${revenue(learning)} vs ${revenue(fixed)}`);
  });
});

describe("reproducible by seed with every new behaviour on", () => {
  it("strategic withholding, validators selling and learning bidders: same seed, same run", () => {
    const setup: LabSetup = {
      ...SMALL,
      mechanism: "first_price_auction",
      withholding: "strategic",
      withholdRate: 0.05,
      mev: { ...SMALL.mev, revealShockSdGwei: 20_000_000 },
      validatorSales: { policy: "sell", discount: 0.1 },
      shadingRule: { rule: "learning", step: 0.05, max: 0.4 },
      chain: { TICKET_COLLATERAL: 5_000_000, VALIDATOR_TICKET_GRANTS_PER_EPOCH: 2, TICKETS_PER_AUCTION: 8 },
    };
    const strip = (r: ReturnType<typeof runLab>) => ({ ...r, wallMs: 0 });
    const a = runLab(setup, 9);
    assert.deepEqual(strip(a), strip(runLab(setup, 9)));
    assert.notDeepEqual(
      a.slots.map((s) => s.revealShock),
      runLab(setup, 10).slots.map((s) => s.revealShock),
    );
  });
});

describe("setup keys of the strategies", () => {
  it("refuses unknown policies with a typed error naming the path", () => {
    for (const [text, path] of [
      ["base: { withholding: sometimes }", /withholding/],
      ["base: { validatorSales: { policy: auction } }", /validatorSales\.policy/],
      ["base: { validatorSales: { discount: 2 } }", /validatorSales\.discount/],
      ["base: { shadingRule: { rule: genetic } }", /shadingRule\.rule/],
      ["base: { mev: { revealShockSdGwei: -1 } }", /revealShockSdGwei/],
    ] as const) {
      assert.throws(
        () => parseSweep(text),
        (e: unknown) => e instanceof MarketError && e.code === MarketErrorCode.INVALID_VALUE && path.test(e.message),
      );
    }
    assert.throws(
      () => parseSweep("base: { validatorSales: { price: 1 } }"),
      (e: unknown) => e instanceof MarketError && e.code === MarketErrorCode.UNKNOWN_KEY,
    );
    const plan = parseSweep("base: { withholding: strategic, validatorSales: { policy: sell } }");
    assert.equal(plan.points[0].withholding, "strategic");
    assert.deepEqual(plan.points[0].validatorSales, {
      policy: "sell",
      discount: DEFAULT_SETUP.validatorSales.discount,
    });
  });
});

function close(actual: number, expected: number, tol: number): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} vs ${expected} (±${tol})`);
}
