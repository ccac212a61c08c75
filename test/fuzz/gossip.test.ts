import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { devAccounts, devGenesis, EngineApiClient, parisCommon, startEmbeddedExecution } from "@turnstile/execution";
import { EngineApiExecutionEngine, TransactionGossip } from "@turnstile/node";
import { compressBlock } from "@turnstile/p2p";
import { createChainContext, minimalChainConfig, TicketStateError } from "@turnstile/ticket-state";
import { verdictOf } from "../../packages/node/src/network/verdict.ts";
import {
  type GossipCaseResult,
  inboundTransform,
  inboundTransformFor,
  OUTCOME_ACCEPTED,
  runGossipCase,
} from "./gossipCases.ts";
import { buildGossipWorld, GOSSIP_FUZZ_TOPICS } from "./gossipWorld.ts";
import { BYTE_MUTATIONS, mutateBytes } from "./mutate.ts";
import { caseSeed, Rng } from "./rng.ts";

/** Seeded and bounded: the same cases every run, a few seconds in all. */
const SEED = 1;
const CASES = 1500;

describe("fuzz: gossip ticket-market (offers included) and inclusion-list messages through transform, decoding and validation", () => {
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

describe("fuzz: gossip transaction messages through transform, decoding and the EL's pool", () => {
  const TX_CASES = 300;
  it(`${TX_CASES} mutated transactions: each refusal typed, nothing pooled but what is ACCEPTed, replays IGNOREd`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-gossip-tx-fuzz-"));
    const secret = new Uint8Array(32).fill(7);
    const exec = await startEmbeddedExecution({
      path: join(dir, "el"),
      genesis: devGenesis(),
      genesisTime: 0,
      jwtSecret: secret,
      enginePort: 0,
      ethPort: null,
    });
    try {
      const ctx = createChainContext(minimalChainConfig);
      const gossip = new TransactionGossip(
        new EngineApiExecutionEngine(ctx, new EngineApiClient(exec.engine.url, secret)),
      );
      const inbound = inboundTransformFor(ctx);
      const outcomes = new Map<string, number>();
      const failures: string[] = [];
      const chainId = devGenesis().chainId;
      const key = devAccounts(3)[2].privateKey;
      for (let i = 0; i < TX_CASES; i++) {
        const rng = new Rng(caseSeed(SEED, i));
        const txChainId = rng.chance(0.1) ? chainId + 1 : chainId;
        const valid = createFeeMarket1559Tx(
          {
            chainId: BigInt(txChainId),
            nonce: BigInt(rng.int(80)),
            to: "0x00000000000000000000000000000000000000e6",
            value: 1n,
            gasLimit: 21_000n,
            maxFeePerGas: 10n ** 11n,
            maxPriorityFeePerGas: 10n ** 9n,
          },
          { common: parisCommon(txChainId) },
        )
          .sign(key)
          .serialize();
        const raw = rng.chance(0.3) ? valid : mutateBytes(rng, valid, rng.pick(BYTE_MUTATIONS));
        const pooled = exec.el.mempool.size;
        let outcome = "ACCEPTED";
        try {
          const bytes = inbound("transaction", compressBlock(raw));
          const hash = await gossip.import(bytes);
          if (!exec.el.mempool.has(hash)) failures.push(`case ${i}: ACCEPTed, not pooled`);
          try {
            await gossip.import(bytes);
            failures.push(`case ${i}: its replay was ACCEPTed`);
          } catch (e) {
            if (verdictOf(e).action !== "IGNORE") failures.push(`case ${i}: replay ${JSON.stringify(verdictOf(e))}`);
          }
        } catch (e) {
          if (!(e instanceof TicketStateError)) failures.push(`case ${i}: untyped ${String(e)}`);
          const v = verdictOf(e);
          outcome = `${v.action} ${v.code}`;
          if (exec.el.mempool.size !== pooled) failures.push(`case ${i}: refused (${outcome}), yet pooled`);
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      const summary = JSON.stringify([...outcomes]);
      assert.deepEqual(failures, [], summary);
      assert.ok(outcomes.has("ACCEPTED") && outcomes.size >= 4, summary);
    } finally {
      await exec.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
