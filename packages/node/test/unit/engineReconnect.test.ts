import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bytesToHex } from "@ethereumjs/util";
import type { EmbeddedExecution } from "@turnstile/execution";
import { PayloadStatus as ForkChoicePayloadStatus } from "@turnstile/fork-choice";
import { EngineClientError, EngineClientErrorCode } from "@turnstile/node";
import { createChainContext, minimalChainConfig, toHex } from "@turnstile/ticket-state";
import {
  engineAt,
  executionGenesis,
  producerAndFollower,
  producerNode,
  sharedClock,
  startEl,
  suiteDir,
} from "./engineFixture.ts";
import { deadUrl } from "./helpers.ts";

const ctx = createChainContext(minimalChainConfig);
/** Short backoff: the test waits for real. */
const RECONNECT_MS = 20;

describe("an execution layer that goes down and comes back", () => {
  const dir = suiteDir("turnstile-reconnect-");

  it("the chain goes on optimistically, builds fail with a typed error, and the EL is re-synced to the head", async () => {
    const { genesis, anchor } = await executionGenesis(ctx);
    const producerEl = await startEl(join(dir, "producer"), genesis);
    let followerEl: EmbeddedExecution | null = await startEl(join(dir, "follower"), genesis);
    const followerPort = Number(new URL(followerEl.engine.url).port);
    try {
      const producerEngine = engineAt(ctx, producerEl.engine.url);
      const engine = engineAt(ctx, followerEl.engine.url, {
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
      const { producer, follower, runSlot } = producerAndFollower({
        ctx,
        anchor,
        producerEngine,
        followerEngine: engine,
      });
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
          timestamp: 6 * ctx.config.SECONDS_PER_SLOT,
          feeRecipient: new Uint8Array(20),
          prevRandao: new Uint8Array(32),
          gasLimit: 30_000_000,
        }),
        (e: unknown) => e instanceof EngineClientError && e.code === EngineClientErrorCode.UNAVAILABLE,
      );

      // Bring it back on the same port and data: the engine finds it and replays what it missed
      followerEl = await startEl(join(dir, "follower"), genesis, { enginePort: followerPort });
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
    const { anchor } = await executionGenesis(ctx);
    const engine = engineAt(ctx, await deadUrl(), { reconnectMinMs: RECONNECT_MS });
    const clock = sharedClock(ctx);
    const producer = producerNode(ctx, anchor(), engine, clock.now, false);
    const rejected: string[] = [];
    producer.on("rejected", (duty, code) => {
      if (duty === "block") rejected.push(code);
    });
    for (let slot = 1; slot <= 3; slot++) await clock.runSlot(slot, [producer], [engine]);
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
