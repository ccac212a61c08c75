import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ForkChoiceError, ForkChoiceErrorCode, PayloadStatus as ForkChoicePayloadStatus } from "@turnstile/fork-choice";
import { EngineClientErrorCode, type InvalidatedPayloads } from "@turnstile/node";
import { createChainContext, minimalChainConfig, PayloadStatus, toHex } from "@turnstile/ticket-state";
import { engineAt, executionGenesis, producerAndFollower, startEl, suiteDir } from "./engineFixture.ts";

const ctx = createChainContext(minimalChainConfig);

/**
 * An Engine API server for the test: JSON-RPC over HTTP, answering SYNCING to everything until
 * `invalid` names payloads, which it then answers INVALID with `latestValidHash`.
 */
interface FakeEl {
  url: string;
  server: Server;
  invalid: Set<string>;
  latestValidHash: string | null;
  /** engine_forkchoiceUpdated answers INVALID too (else always SYNCING: only newPayload finds it). */
  forkchoiceJudges: boolean;
  calls: string[];
}

async function startFakeEl(): Promise<FakeEl> {
  const el: FakeEl = {
    url: "",
    server: undefined as unknown as Server,
    invalid: new Set(),
    latestValidHash: null,
    forkchoiceJudges: true,
    calls: [],
  };
  const verdict = (hash: string) =>
    el.invalid.has(hash)
      ? { status: "INVALID", latestValidHash: el.latestValidHash, validationError: "test: bad state root" }
      : { status: "SYNCING", latestValidHash: null, validationError: null };
  el.server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      el.calls.push(method);
      let result: unknown;
      if (!req.headers.authorization?.startsWith("Bearer ")) {
        res.writeHead(401).end();
        return;
      }
      if (method === "engine_newPayloadV1") {
        const payload = params[0] as { blockHash: string; parentHash: string };
        // As an EL does: a child of an invalid payload is invalid
        if (el.invalid.has(payload.parentHash)) el.invalid.add(payload.blockHash);
        result = verdict(payload.blockHash);
      } else if (method === "engine_forkchoiceUpdatedV1") {
        const head = (params[0] as { headBlockHash: string }).headBlockHash;
        const payloadStatus = el.forkchoiceJudges
          ? verdict(head)
          : { status: "SYNCING", latestValidHash: null, validationError: null };
        result = { payloadStatus, payloadId: null };
      } else if (method === "engine_exchangeCapabilities") result = params[0];
      else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32601, message: "method not found" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id, result }));
    });
  });
  await new Promise<void>((r) => el.server.listen(0, "127.0.0.1", () => r()));
  el.url = `http://127.0.0.1:${(el.server.address() as { port: number }).port}`;
  return el;
}

/** A producer on the embedded EL and a follower whose EL is the fake one; the follower imports what the producer makes. */
async function twoNodes(dir: string) {
  const { genesis, anchor } = await executionGenesis(ctx);
  const exec = await startEl(join(dir, `producer-${Math.random().toString(36).slice(2)}`), genesis);
  const fake = await startFakeEl();
  const producerEngine = engineAt(ctx, exec.engine.url);
  const engine = engineAt(ctx, fake.url);
  const invalidErrors: string[] = [];
  engine.events.on("invalid", (e) => invalidErrors.push(e.code));
  const refused: unknown[] = [];
  const { producer, follower, runSlot } = producerAndFollower({
    ctx,
    anchor,
    producerEngine,
    followerEngine: engine,
    refused,
  });
  const invalidated: InvalidatedPayloads[] = [];
  follower.chain.on("invalidPayload", (out) => invalidated.push(out));
  const close = async () => {
    await new Promise<void>((r) => fake.server.close(() => r()));
    await exec.close();
  };
  return { producer, follower, engine, fake, runSlot, invalidErrors, invalidated, refused, close };
}

describe("a payload found INVALID after optimistic import", () => {
  const dir = suiteDir("turnstile-invalid-");

  it("leaves fork choice with its descendants (latestValidHash), and the head moves off it", async () => {
    const { producer, follower, engine, fake, runSlot, invalidErrors, invalidated, refused, close } =
      await twoNodes(dir);
    try {
      for (let slot = 1; slot <= 3; slot++) await runSlot(slot);

      // Imported optimistically: the EL said SYNCING to every payload, the head is slot 3 FULL
      let head = follower.chain.head();
      assert.equal(head.slot, 3);
      assert.equal(head.payloadStatus, ForkChoicePayloadStatus.FULL);
      assert.equal(head.root, producer.chain.head().root);
      assert.equal(invalidErrors.length, 0);
      const entries = [1, 2, 3].map((slot) => {
        const root = follower.chain.forkChoice.protoArray.ancestorAtSlot(head.root, slot)!.root;
        return follower.chain.getEntry(root)!;
      });
      const hashes = entries.map((e) => toHex(e.envelope!.message.payload.block_hash));
      assert.ok(fake.calls.includes("engine_newPayloadV1"));

      // The EL finishes syncing: payloads 2 and 3 are INVALID, payload 1 the latest valid
      fake.invalid = new Set([hashes[1], hashes[2]]);
      fake.latestValidHash = hashes[0];
      // Asked again at the next head change (engine_forkchoiceUpdated to payload 3)
      await engine.updateForkchoice(fromHexHash(hashes[2]), null);
      await engine.settled();

      assert.deepEqual(invalidErrors, [EngineClientErrorCode.INVALID_AFTER_IMPORT]);
      assert.equal(invalidated.length, 1);
      assert.deepEqual(invalidated[0].payloads.sort(), [entries[1].root, entries[2].root].sort());
      assert.deepEqual(invalidated[0].blocks, [entries[2].root], "block 3 built on payload 2");
      head = follower.chain.head();
      // Block 2 built on payload 1 (valid): its EMPTY variant is the head now
      assert.equal(head.root, entries[1].root);
      assert.equal(head.payloadStatus, ForkChoicePayloadStatus.EMPTY);
      assert.equal(toHex(head.state.state.latest_block_hash), hashes[0]);
      // The engine refuses the payloads and their children from now on
      assert.equal(engine.notifyNewPayload(entries[1].envelope!.message.payload), PayloadStatus.INVALID);
      assert.equal(engine.notifyNewPayload(entries[2].envelope!.message.payload), PayloadStatus.INVALID);

      // The producer goes on on its chain: its next block builds on payload 3 and is refused
      await runSlot(4);
      assert.ok(
        refused.some((e) => e instanceof ForkChoiceError && e.code === ForkChoiceErrorCode.INVALID_EXECUTION_ANCESTOR),
        "a block on an invalid payload is refused",
      );
      head = follower.chain.head();
      assert.ok(head.slot <= 2 || !follower.chain.forkChoice.isExecutionInvalid(head.root, head.payloadStatus));
      assert.notEqual(head.root, producer.chain.head().root);
    } finally {
      await close();
    }
  });

  it("found by engine_newPayload of a child: the payloads back to latestValidHash leave fork choice", async () => {
    const { follower, fake, runSlot, invalidated, refused, close } = await twoNodes(dir);
    try {
      fake.forkchoiceJudges = false;
      for (let slot = 1; slot <= 3; slot++) await runSlot(slot);
      const head = follower.chain.head();
      assert.equal(head.slot, 3);
      assert.equal(head.payloadStatus, ForkChoicePayloadStatus.FULL);
      const entries = [1, 2, 3].map(
        (slot) => follower.chain.getEntry(follower.chain.forkChoice.protoArray.ancestorAtSlot(head.root, slot)!.root)!,
      );
      const hashes = entries.map((e) => toHex(e.envelope!.message.payload.block_hash));
      // The EL finds payload 3 invalid (payload 2 the latest valid); it says so when payload 4 comes
      fake.invalid = new Set([hashes[2]]);
      fake.latestValidHash = hashes[1];
      await runSlot(4);
      assert.equal(invalidated.length, 1, JSON.stringify(invalidated));
      assert.equal(invalidated[0].latestValidHash, hashes[1]);
      assert.ok(invalidated[0].payloads.includes(entries[2].root), "payload 3 is invalid");
      assert.ok(!invalidated[0].payloads.includes(entries[1].root), "payload 2 is not");
      const after = follower.chain.head();
      assert.equal(after.root, entries[2].root, "block 3 stays, on its EMPTY variant");
      assert.equal(after.payloadStatus, ForkChoicePayloadStatus.EMPTY);
      assert.equal(toHex(after.state.state.latest_block_hash), hashes[1]);
      // Block 4 built on payload 3: out of fork choice, and its successors refused
      await runSlot(5);
      assert.ok(
        refused.some((e) => e instanceof ForkChoiceError && e.code === ForkChoiceErrorCode.INVALID_EXECUTION_ANCESTOR),
      );
      assert.equal(follower.chain.head().root, entries[2].root);
    } finally {
      await close();
    }
  });
});

function fromHexHash(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}
