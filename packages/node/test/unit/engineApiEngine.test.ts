import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createBlock, createBlockFromExecutionPayload } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import {
  computeGenesisBlock,
  devGenesis,
  EngineApiClient,
  payloadFromJson,
  startEmbeddedExecution,
} from "@turnstile/execution";
import { PayloadStatus as ForkChoicePayloadStatus } from "@turnstile/fork-choice";
import { BeaconNode, EngineApiExecutionEngine, EngineClientErrorCode, withExecutionGenesis } from "@turnstile/node";
import {
  createChainContext,
  interopBuyerSecretKey,
  interopSecretKey,
  minimalChainConfig,
  PayloadStatus,
} from "@turnstile/ticket-state";
import { BUYERS, deadUrl, genesisState, VALIDATORS } from "./helpers.ts";

const SECRET = new Uint8Array(32).fill(5);
const ctx = createChainContext(minimalChainConfig);

describe("the Engine API engine", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-engine-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("imports optimistically, then refuses a payload the EL found INVALID and its children", async () => {
    const exec = await startEmbeddedExecution({
      path: join(dir, "el"),
      genesis: devGenesis(),
      genesisTime: 0,
      jwtSecret: SECRET,
      enginePort: 0,
      ethPort: null,
    });
    try {
      const client = new EngineApiClient(exec.engine.url, SECRET);
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
    const genesis = devGenesis();
    const elGenesis = await computeGenesisBlock(genesis, 0);
    const anchor = () => withExecutionGenesis(genesisState(ctx), elGenesis.hash(), Number(elGenesis.header.gasLimit));
    const exec = await startEmbeddedExecution({
      path: join(dir, "producer"),
      genesis,
      genesisTime: 0,
      jwtSecret: SECRET,
      enginePort: 0,
      ethPort: null,
    });
    try {
      let time = 0;
      const producerEngine = new EngineApiExecutionEngine(ctx, new EngineApiClient(exec.engine.url, SECRET));
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
      const blindEngine = new EngineApiExecutionEngine(ctx, new EngineApiClient(await deadUrl(), SECRET));
      const unavailable: string[] = [];
      blindEngine.events.on("unavailable", (e) => unavailable.push((e as { code?: string }).code ?? ""));
      const follower = new BeaconNode({
        ctx,
        anchor: anchor(),
        validatorKeys: new Map(),
        buyerKeys: new Map(),
        buyerCount: BUYERS,
        now: () => time,
        engine: blindEngine,
      });
      producer.chain.on("block", (entry) => follower.importBlock(entry.block));
      producer.chain.on("payload", (entry) => follower.importEnvelope(entry.envelope!));
      const seconds = ctx.config.SECONDS_PER_SLOT;
      for (let slot = 1; slot <= 3; slot++) {
        for (let interval = 0; interval < 4; interval++) {
          time = slot * seconds + (interval * seconds) / 4;
          producer.onInterval(slot, interval);
          follower.onInterval(slot, interval);
          for (let round = 0; round < 3; round++) {
            await producerEngine.settled();
            await new Promise((r) => setImmediate(r));
          }
        }
      }
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
