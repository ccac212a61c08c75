import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createBlock, createBlockFromExecutionPayload } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { devGenesis, EngineApiClient, payloadFromJson } from "@turnstile/execution";
import { PayloadStatus as ForkChoicePayloadStatus } from "@turnstile/fork-choice";
import { EngineApiExecutionEngine, EngineClientErrorCode } from "@turnstile/node";
import { createChainContext, minimalChainConfig, PayloadStatus } from "@turnstile/ticket-state";
import { engineAt, executionGenesis, JWT_SECRET, producerAndFollower, startEl, suiteDir } from "./engineFixture.ts";
import { deadUrl } from "./helpers.ts";

const ctx = createChainContext(minimalChainConfig);

describe("the Engine API engine", () => {
  const dir = suiteDir("turnstile-engine-");

  it("imports optimistically, then refuses a payload the EL found INVALID and its children", async () => {
    const exec = await startEl(join(dir, "el"), devGenesis());
    try {
      const client = new EngineApiClient(exec.engine.url, JWT_SECRET);
      const engine = new EngineApiExecutionEngine(ctx, client);
      const invalid: string[] = [];
      engine.events.on("invalid", (e) => invalid.push(e.code));
      const head = bytesToHex(exec.el.headBlock().hash());
      const fcu = await client.forkchoiceUpdatedV1(
        { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head },
        { timestamp: "0x6", prevRandao: `0x${"00".repeat(32)}`, suggestedFeeRecipient: `0x${"bb".repeat(20)}` },
      );
      const good = await client.getPayloadV1(fcu.payloadId!);
      // Same block with a wrong state root, rehashed: only execution can tell
      const block = await createBlockFromExecutionPayload(good, { common: exec.el.common });
      const badJson = createBlock(
        { header: { ...block.header.toJSON(), stateRoot: `0x${"12".repeat(32)}` } },
        { common: exec.el.common },
      ).toExecutionPayload();
      const bad = payloadFromJson(badJson);
      const child = { ...bad, parent_hash: bad.block_hash, block_hash: new Uint8Array(32).fill(9), block_number: 2 };

      assert.equal(engine.notifyNewPayload(bad), PayloadStatus.SYNCING);
      await engine.settled();
      assert.deepEqual(invalid, [EngineClientErrorCode.INVALID_AFTER_IMPORT]);
      assert.equal(engine.notifyNewPayload(bad), PayloadStatus.INVALID);
      assert.equal(engine.notifyNewPayload(child), PayloadStatus.INVALID);
      assert.equal(await engine.verifyPayload(payloadFromJson(good)), PayloadStatus.VALID);
      assert.equal(engine.notifyNewPayload(payloadFromJson(good)), PayloadStatus.VALID);
    } finally {
      await exec.close();
    }
  });

  it("an unreachable EL does not halt consensus: another node's blocks and payloads are imported optimistically", async () => {
    const { genesis, anchor } = await executionGenesis(ctx);
    const exec = await startEl(join(dir, "producer"), genesis);
    try {
      const producerEngine = engineAt(ctx, exec.engine.url);
      const blindEngine = engineAt(ctx, await deadUrl());
      const unavailable: string[] = [];
      blindEngine.events.on("unavailable", (e) => unavailable.push((e as { code?: string }).code ?? ""));
      // Only the producer's EL is waited on between intervals: the follower's is unreachable
      const { producer, follower, runSlot } = producerAndFollower({
        ctx,
        anchor,
        producerEngine,
        followerEngine: blindEngine,
        settle: [producerEngine],
      });
      for (let slot = 1; slot <= 3; slot++) await runSlot(slot);
      await blindEngine.settled();
      const head = follower.chain.head();
      assert.equal(head.slot, 3);
      assert.equal(head.payloadStatus, ForkChoicePayloadStatus.FULL);
      assert.equal(head.root, producer.chain.head().root);
      assert.ok(unavailable.length > 0);
      assert.ok(unavailable.every((code) => code === "EXECUTION_ENGINE_UNREACHABLE"));
    } finally {
      await exec.close();
    }
  });
});
