import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runLab } from "../../src/market/labRun.ts";
import { runSweep } from "../../src/market/runner.ts";
import { DEFAULT_SETUP, type LabSetup } from "../../src/market/setup.ts";

/** A small, fast setup: a few agents, 48 slots, signatures skipped explicitly. */
const SMALL: LabSetup = {
  ...DEFAULT_SETUP,
  name: "small",
  slots: 48,
  runs: 2,
  burnIn: 8,
  verifySignatures: false,
  tiers: [
    { count: 2, skill: 0.5, capitalGwei: 1e9, strategy: "value" },
    { count: 1, skill: 0.9, capitalGwei: 1e9, strategy: "waiting_cost" },
    { count: 1, skill: 0.3, capitalGwei: 1e9, strategy: "speculative" },
  ],
  pools: [{ members: 2, skill: 0.8, capitalGwei: 2e9 }],
  withholdRate: 0.1,
};

const withoutTime = <T extends { wallMs: number }>(r: T) => ({ ...r, wallMs: 0 });

describe("market lab runs", () => {
  it("the same seed gives the same run, slot for slot; another seed another run", () => {
    const a = runLab(SMALL, 7);
    const b = runLab(SMALL, 7);
    const c = runLab(SMALL, 8);
    assert.deepEqual(withoutTime(a), withoutTime(b));
    assert.notDeepEqual(
      a.slots.map((s) => s.mev),
      c.slots.map((s) => s.mev),
    );
    // the market did trade: tickets were sold and ticket holders built slots
    assert.ok(a.slots.some((s) => s.sold > 0));
    assert.ok(a.slots.some((s) => s.builder >= 0));
  });

  it("runs the real chain: revenue is what the chain burned, and the realised MEV came from revealed payloads", () => {
    const run = runLab({ ...SMALL, mechanism: "fixed" }, 3);
    const built = run.slots.filter((s) => s.builder >= 0 && !s.withheld);
    assert.ok(built.length > 0);
    for (const s of built) {
      // a revealed payload carries exactly the process's MEV for its slot, times the builder's skill
      const skill = run.entities[s.builder].skill;
      assert.ok(Math.abs(s.realised - skill * s.mev) < 1e-6, `slot ${s.slot}`);
    }
    // revenue counts each used ticket's price once, when the chain settles it on entering the next
    // slot: so every used ticket but the last slot's
    const used = run.slots.filter((s) => s.builder >= 0 && s.slot < run.slots.length);
    const revenue = run.slots.reduce((n, s) => n + s.revenue, 0);
    const paid = used.reduce((n, s) => n + s.ticketPrice, 0);
    assert.equal(revenue, paid);
  });

  for (const mechanism of [
    "pool_target",
    "pi_pool_target",
    "bonding_curve",
    "first_price_auction",
    "second_price_auction",
  ] as const) {
    it(`${mechanism}: what holders gained is what they realised less what the protocol took`, () => {
      // Money a buyer pays the chain is revenue (burned), or still held for it (escrowed prices,
      // bids in the book), or back in its balance; resales only move money between agents
      const run = runLab({ ...SMALL, mechanism }, 5);
      const profit = run.entities.reduce((n, e) => n + e.profit, 0);
      const realised = run.entities.reduce((n, e) => n + e.realised, 0);
      const revenue = run.slots.reduce((n, s) => n + s.revenue, 0);
      assert.ok(revenue > 0);
      assert.ok(Math.abs(profit - (realised - revenue)) <= run.entities.length, `${profit} vs ${realised - revenue}`);
    });
  }

  it("with holder collateral, what a withheld payload cost its holder is slashed collateral, not revenue", () => {
    const collateral = 5_000_000;
    const run = runLab(
      { ...SMALL, mechanism: "fixed", withholdRate: 0.3, chain: { TICKET_COLLATERAL: collateral } },
      5,
    );
    const slashed = run.slots.reduce((n, s) => n + s.collateralSlashed, 0);
    assert.ok(slashed >= collateral, "some payload was withheld");
    const profit = run.entities.reduce((n, e) => n + e.profit, 0);
    const realised = run.entities.reduce((n, e) => n + e.realised, 0);
    const revenue = run.slots.reduce((n, s) => n + s.revenue, 0);
    assert.ok(
      Math.abs(profit - (realised - revenue - slashed)) <= run.entities.length,
      `${profit} vs ${realised - revenue - slashed}`,
    );
  });

  it("a secondary market trades by the chain's own signed offers and fills, money conserved", () => {
    // no speculators: every resale is a holder's, which only the chain's secondary market carries
    const tiers = SMALL.tiers.filter((t) => t.strategy !== "speculative");
    const run = runLab({ ...SMALL, tiers, mechanism: "pool_target", secondaryMarket: true }, 5);
    const resold = run.slots.reduce((n, s) => n + s.resold, 0);
    assert.ok(resold > 0, "some ticket changed hands");
    const profit = run.entities.reduce((n, e) => n + e.profit, 0);
    const realised = run.entities.reduce((n, e) => n + e.realised, 0);
    const revenue = run.slots.reduce((n, s) => n + s.revenue, 0);
    assert.ok(Math.abs(profit - (realised - revenue)) <= run.entities.length);
  });

  it("with signatures on, every operation the agents sign passes the chain's verification", () => {
    // a bad signature would make the block invalid and the state transition throw
    for (const mechanism of ["pool_target", "first_price_auction"] as const) {
      const run = runLab({ ...SMALL, slots: 24, mechanism, secondaryMarket: true, verifySignatures: true }, 2);
      assert.ok(run.slots.some((s) => s.sold > 0));
    }
  });

  it("bonding curve: a holder sells back to the curve when it pays the holder's floor", () => {
    const run = runLab({ ...SMALL, slots: 200, pools: [], mechanism: "bonding_curve" }, 1);
    assert.ok(run.slots.reduce((n, s) => n + s.soldBack, 0) > 0);
    // a ticket sold back is not an expiry refund
    assert.ok(run.slots.every((s) => s.refunded >= 0));
    assert.equal(
      run.slots.reduce((n, s) => n + s.refunded, 0),
      0,
    );
  });

  it("validators compensated in tickets build slots with their grants beside the agents", () => {
    const run = runLab({ ...SMALL, slots: 64, chain: { VALIDATOR_TICKET_GRANTS_PER_EPOCH: 4 } }, 1);
    const byValidators = run.slots.filter((s) => s.builder >= run.entities.length);
    assert.ok(byValidators.length > 0);
    for (const s of byValidators) if (!s.withheld) assert.equal(s.realised, SMALL.validatorSkill * s.mev);
    // grants are not sales: an auction's price series is what agents paid, never a grant's 0
    const chain = { VALIDATOR_TICKET_GRANTS_PER_EPOCH: 4, TICKETS_PER_AUCTION: 8, TICKET_AUCTION_PERIOD_SLOTS: 32 };
    const auction = runLab({ ...SMALL, slots: 64, mechanism: "first_price_auction", chain }, 1);
    assert.ok(auction.slots.every((s) => s.price > 0));
  });

  it("the same metrics whether runs share one thread or two workers", async () => {
    const plan = { name: "t", points: [{ ...SMALL, slots: 24, mechanism: "second_price_auction" as const }] };
    const inline = await runSweep(plan, { workers: 1 });
    const threaded = await runSweep(plan, { workers: 2 });
    const strip = (r: typeof inline) => r.points.map((p) => p.runs.map((m) => ({ ...m, wallMs: 0 })));
    assert.deepEqual(strip(inline), strip(threaded));
  });
});
