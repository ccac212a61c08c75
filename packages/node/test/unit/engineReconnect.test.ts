import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { bytesToHex } from "@ethereumjs/util";
import {
  computeGenesisBlock,
  devGenesis,
  type EmbeddedExecution,
  EngineApiClient,
  startEmbeddedExecution,
} from "@turnstile/execution";
import { PayloadStatus as ForkChoicePayloadStatus } from "@turnstile/fork-choice";
import {
  BeaconNode,
  EngineApiExecutionEngine,
  EngineClientError,
  EngineClientErrorCode,
  withExecutionGenesis,
} from "@turnstile/node";
import {
  createChainContext,
  interopBuyerSecretKey,
  interopSecretKey,
  minimalChainConfig,
  toHex,
} from "@turnstile/ticket-state";
import { BUYERS, deadUrl, genesisState, VALIDATORS } from "./helpers.ts";

const SECRET = new Uint8Array(32).fill(5);
const ctx = createChainContext(minimalChainConfig);
/** Short backoff: the test waits for real. */
const RECONNECT_MS = 20;

describe("an execution layer that goes down and comes back", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-reconnect-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the chain goes on optimistically, builds fail with a typed error, and the EL is re-synced to the head", async () => {
    const genesis = devGenesis();
    const elGenesis = await computeGenesisBlock(genesis, 0);
    const anchor = () => withExecutionGenesis(genesisState(ctx), elGenesis.hash(), Number(elGenesis.header.gasLimit));
    const startEl = (name: string, port = 0) =>
      startEmbeddedExecution({
        path: join(dir, name),
        genesis,
        genesisTime: 0,
        jwtSecret: SECRET,
        enginePort: port,
        ethPort: null,
      });
    const producerEl = await startEl("producer");
    let followerEl: EmbeddedExecution | null = await startEl("follower");
    const followerPort = Number(new URL(followerEl.engine.url).port);
    try {
      let time = 0;
      const producerEngine = new EngineApiExecutionEngine(ctx, new EngineApiClient(producerEl.engine.url, SECRET));
      const producer = new BeaconNode({
        ctx,
        anchor: anchor(),
        validatorKeys: new Map(Array.from({ length: VALIDATORS }, (_, i) => [i, interopSecretKey(i)] as const)),
        buyerKeys: new Map(Array.from({ length: BUYERS }, (_, i) => [i, interopBuyerSecretKey(i)] as const)),
        buyerCount: BUYERS,
        now: () => time,
        random: () => 0.5,
        misbehaviour: { withholdCommitment: 0, withholdPayload: 0 },
        engine: producerEngine,
      });
      const engine = new EngineApiExecutionEngine(ctx, new EngineApiClient(followerEl.engine.url, SECRET), {
        reconnectMinMs: RECONNECT_MS,
        reconnectMaxMs: RECONNECT_MS * 4,
      });
      const events: string[] = [];
      engine.events.on("unavailable", () => events.push("unavailable"));
      const reconnected = new Promise<number>((resolve) =>
        engine.events.on("reconnected", (replayed) => {
          events.push("reconnected");
          resolve(replayed);
        }),
      );
      const follower = new BeaconNode({
        ctx,
        anchor: anchor(),
        validatorKeys: new Map(),
        buyerKeys: new Map(),
        buyerCount: BUYERS,
        now: () => time,
        engine,
      });
      producer.chain.on("block", (entry) => follower.importBlock(entry.block));
      producer.chain.on("payload", (entry) => follower.importEnvelope(entry.envelope!));
      const seconds = ctx.config.SECONDS_PER_SLOT;
      const runSlot = async (slot: number) => {
        for (let interval = 0; interval < 4; interval++) {
          time = slot * seconds + (interval * seconds) / 4;
          producer.onInterval(slot, interval);
          follower.onInterval(slot, interval);
          for (let round = 0; round < 3; round++) {
            await producerEngine.settled();
            await engine.settled();
            await new Promise((r) => setImmediate(r));
          }
        }
      };
      const elHead = () => bytesToHex(followerEl!.el.headBlock().hash());
      const clHead = () => toHex(follower.chain.head().state.state.latest_block_hash);

      for (let slot = 1; slot <= 2; slot++) await runSlot(slot);
      assert.equal(elHead(), clHead(), "the EL follows the head while it is up");
      const headBeforeKill = elHead();

      // Kill the follower's EL mid-run
      await followerEl.close();
      followerEl = null;
      for (let slot = 3; slot <= 5; slot++) await runSlot(slot);
      assert.equal(engine.isAvailable, false);
      assert.deepEqual(events, ["unavailable"], "reported once, not per call");
      const head = follower.chain.head();
      assert.equal(head.slot, 5, "blocks and payloads still imported (optimistically)");
      assert.equal(head.root, producer.chain.head().root);
      assert.equal(head.payloadStatus, ForkChoicePayloadStatus.FULL);
      // A duty that needs the EL fails at once with a typed error
      await assert.rejects(
        engine.preparePayload({
          slot: 6,
          parentHash: head.state.state.latest_block_hash,
          timestamp: 6 * seconds,
          feeRecipient: new Uint8Array(20),
          prevRandao: new Uint8Array(32),
          gasLimit: 30_000_000,
        }),
        (e: unknown) => e instanceof EngineClientError && e.code === EngineClientErrorCode.UNAVAILABLE,
      );

      // Bring it back on the same port and data: the engine finds it and replays what it missed
      followerEl = await startEl("follower", followerPort);
      assert.equal(bytesToHex(followerEl.el.headBlock().hash()), headBeforeKill);
      const replayed = await reconnected;
      await engine.settled();
      assert.ok(replayed >= 3, `payloads of slots 3-5 replayed (${replayed})`);
      assert.equal(engine.isAvailable, true);
      assert.equal(elHead(), clHead(), "the EL caught up with the consensus head");

      // And the chain goes on with it
      await runSlot(6);
      assert.equal(follower.chain.head().slot, 6);
      assert.equal(elHead(), clHead());
      engine.stop();
    } finally {
      await followerEl?.close();
      await producerEl.close();
    }
  });

  it("a self-building proposer whose EL is unreachable proposes with the empty commitment (the slot's payload is missing)", async () => {
    const genesis = devGenesis();
    const elGenesis = await computeGenesisBlock(genesis, 0);
    let time = 0;
    const engine = new EngineApiExecutionEngine(ctx, new EngineApiClient(await deadUrl(), SECRET), {
      reconnectMinMs: RECONNECT_MS,
    });
    const producer = new BeaconNode({
      ctx,
      anchor: withExecutionGenesis(genesisState(ctx), elGenesis.hash(), Number(elGenesis.header.gasLimit)),
      validatorKeys: new Map(Array.from({ length: VALIDATORS }, (_, i) => [i, interopSecretKey(i)] as const)),
      buyerKeys: new Map(),
      buyerCount: BUYERS,
      now: () => time,
      random: () => 0.5,
      misbehaviour: { withholdCommitment: 0, withholdPayload: 0 },
      engine,
    });
    const rejected: string[] = [];
    producer.on("rejected", (duty, code) => {
      if (duty === "block") rejected.push(code);
    });
    const seconds = ctx.config.SECONDS_PER_SLOT;
    for (let slot = 1; slot <= 3; slot++) {
      for (let interval = 0; interval < 4; interval++) {
        time = slot * seconds + (interval * seconds) / 4;
        producer.onInterval(slot, interval);
        for (let round = 0; round < 3; round++) {
          await engine.settled();
          await new Promise((r) => setImmediate(r));
        }
      }
    }
    engine.stop();
    const head = producer.chain.head();
    assert.equal(head.slot, 3, "a block every slot");
    assert.equal(head.payloadStatus, ForkChoicePayloadStatus.EMPTY);
    const commitment = producer.chain.getEntry(head.root)!.block.message.body.signed_payload_commitment.message;
    assert.ok(
      commitment.block_hash.every((b) => b === 0),
      "the empty commitment",
    );
    assert.ok(rejected.length >= 3);
    assert.ok(
      rejected.every((code) => code === EngineClientErrorCode.UNAVAILABLE),
      rejected.join(","),
    );
  });
});
