import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BanList, PEER_ACTION_PENALTY, ReqRespScores } from "../../src/peers/peerScore.ts";
import { RateLimiter } from "../../src/reqresp/rateLimiter.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("rate limiter", () => {
  it("allows a quota per period and refills continuously", () => {
    const c = clock();
    const rl = new RateLimiter({ ping: { quota: 2, periodMs: 10_000 } }, c.now);
    assert.equal(rl.allow("a", "ping"), true);
    assert.equal(rl.allow("a", "ping"), true);
    assert.equal(rl.allow("a", "ping"), false);
    c.advance(5_000); // one token back
    assert.equal(rl.allow("a", "ping"), true);
    assert.equal(rl.allow("a", "ping"), false);
  });

  it("keeps peers and buckets apart; unknown buckets are unlimited", () => {
    const rl = new RateLimiter({ ping: { quota: 1, periodMs: 10_000 } });
    assert.equal(rl.allow("a", "ping"), true);
    assert.equal(rl.allow("b", "ping"), true);
    assert.equal(rl.allow("a", "ping"), false);
    for (let i = 0; i < 100; i++) assert.equal(rl.allow("a", "status"), true);
  });

  it("charges by cost, and an over-quota request a whole quota", () => {
    const c = clock();
    const rl = new RateLimiter({ blocks: { quota: 100, periodMs: 1000 } }, c.now);
    assert.equal(rl.allow("a", "blocks", 64), true);
    assert.equal(rl.allow("a", "blocks", 64), false);
    assert.equal(rl.allow("a", "blocks", 36), true);
    c.advance(1000);
    assert.equal(rl.allow("a", "blocks", 5000), true);
    assert.equal(rl.allow("a", "blocks", 1), false);
  });

  it("prunes idle buckets", () => {
    const c = clock();
    const rl = new RateLimiter({ ping: { quota: 1, periodMs: 1000 } }, c.now);
    rl.allow("a", "ping");
    rl.allow("b", "ping");
    assert.equal(rl.size, 2);
    c.advance(1000);
    rl.prune();
    assert.equal(rl.size, 0);
  });
});

describe("req/resp peer scores", () => {
  it("add penalties and halve them every half-life", () => {
    const c = clock();
    const s = new ReqRespScores(60_000, c.now);
    s.apply("a", "LOW_TOLERANCE");
    s.apply("a", "LOW_TOLERANCE");
    assert.equal(s.score("a"), 2 * PEER_ACTION_PENALTY.LOW_TOLERANCE);
    c.advance(60_000);
    assert.ok(Math.abs(s.score("a") - PEER_ACTION_PENALTY.LOW_TOLERANCE) < 1e-9);
    assert.equal(s.score("b"), 0);
  });

  it("reach the ban threshold after ~5 malformed requests, ~50 rate-limit hits, or one fatal fault", () => {
    const s = new ReqRespScores();
    for (let i = 0; i < 5; i++) s.apply("low", "LOW_TOLERANCE");
    for (let i = 0; i < 50; i++) s.apply("high", "HIGH_TOLERANCE");
    s.apply("fatal", "FATAL");
    for (const p of ["low", "high", "fatal"]) assert.ok(s.score(p) <= -49.9, p);
  });
});

describe("ban list", () => {
  it("expires bans", () => {
    const c = clock();
    const b = new BanList(c.now);
    b.ban("a", 1000);
    assert.equal(b.isBanned("a"), true);
    assert.equal(b.isBanned("b"), false);
    c.advance(999);
    assert.equal(b.isBanned("a"), true);
    c.advance(1);
    assert.equal(b.isBanned("a"), false);
    assert.equal(b.size, 0);
  });

  it("never shortens a ban", () => {
    const c = clock();
    const b = new BanList(c.now);
    b.ban("a", 10_000);
    b.ban("a", 10);
    c.advance(5000);
    assert.equal(b.isBanned("a"), true);
  });
});
