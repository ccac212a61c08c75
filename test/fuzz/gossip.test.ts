import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type GossipCaseResult, inboundTransform, OUTCOME_ACCEPTED, runGossipCase } from "./gossipCases.ts";
import { buildGossipWorld, GOSSIP_FUZZ_TOPICS } from "./gossipWorld.ts";

/** Seeded and bounded: the same cases every run, a few seconds in all. */
const SEED = 1;
const CASES = 1200;

describe("fuzz: gossip ticket-market and inclusion-list messages through transform, decoding and validation", () => {
  it(`${CASES} cases: each refusal typed and without effect, nothing changed after signing accepted, replays IGNOREd`, async () => {
    const world = buildGossipWorld();
    const inbound = inboundTransform(world);
    const results: GossipCaseResult[] = [];
    for (let i = 0; i < CASES; i++) results.push(await runGossipCase(world, inbound, SEED, i));
    const failures = results.filter((r) => r.failure !== null);
    const counts = new Map<string, number>();
    for (const r of results) counts.set(`${r.topic} ${r.outcome}`, (counts.get(`${r.topic} ${r.outcome}`) ?? 0) + 1);
    const summary = [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${String(n).padStart(5)} ${k}`)
      .join("\n");
    assert.deepEqual(
      failures.map((f) => `case ${f.index} (${f.topic} ${f.mutation}): ${f.failure}`),
      [],
      summary,
    );
    // The mutations reach past decoding and signatures on every topic
    for (const topic of GOSSIP_FUZZ_TOPICS) {
      const outcomes = new Set(results.filter((r) => r.topic === topic).map((r) => r.outcome));
      assert.ok(outcomes.has(OUTCOME_ACCEPTED), `${topic}: some messages accepted\n${summary}`);
      assert.ok(outcomes.size >= 6, `${topic}: only ${outcomes.size} distinct outcomes\n${summary}`);
    }
  });
});
