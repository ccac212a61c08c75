import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createBlock, createBlockFromExecutionPayload, type ExecutionPayload } from "@ethereumjs/block";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { devAccounts, devGenesis, ExecutionLayer, PayloadStatusV1 } from "../../src/index.ts";

const GENESIS_TIME = 1_700_000_000;
const RECIPIENT = "0x00000000000000000000000000000000000000c1";

function transfer(el: ExecutionLayer, from: Uint8Array, nonce: bigint, value: bigint, tip = 1_000_000_000n) {
  return createFeeMarket1559Tx(
    {
      chainId: BigInt(el.chainId),
      nonce,
      to: RECIPIENT,
      value,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: tip,
    },
    { common: el.common },
  ).sign(from);
}

/** `payload` with some header fields changed and its block hash recomputed. */
async function rehashed(el: ExecutionLayer, payload: ExecutionPayload, change: Record<string, string>) {
  const block = await createBlockFromExecutionPayload(payload, { common: el.common });
  return createBlock(
    { header: { ...block.header.toJSON(), ...change }, transactions: block.transactions },
    { common: el.common },
  ).toExecutionPayload();
}

async function buildAndImport(el: ExecutionLayer, slot: number) {
  const head = bytesToHex(el.headBlock().hash());
  const fcu = await el.forkchoiceUpdated(
    { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head },
    {
      timestamp: `0x${(GENESIS_TIME + slot * 6).toString(16)}`,
      prevRandao: `0x${"11".repeat(32)}`,
      suggestedFeeRecipient: `0x${"bb".repeat(20)}`,
    },
  );
  const payload = el.getPayload(fcu.payloadId!);
  const status = await el.newPayload(payload);
  assert.equal(status.status, PayloadStatusV1.VALID);
  await el.forkchoiceUpdated(
    { headBlockHash: payload.blockHash, safeBlockHash: payload.blockHash, finalizedBlockHash: head },
    null,
  );
  return payload;
}

describe("embedded execution layer", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-el-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const [alice, bob] = devAccounts(2);

  it("builds a payload from the mempool, imports it, and the state persists across a reopen", async () => {
    let el = await ExecutionLayer.open({ path: dir, genesis: devGenesis(), genesisTime: GENESIS_TIME });
    const genesisHash = bytesToHex(el.headBlock().hash());
    await el.sendRawTransaction(transfer(el, alice.privateKey, 0n, 5n).serialize());
    await el.sendRawTransaction(transfer(el, alice.privateKey, 1n, 7n).serialize());
    // A higher tip from another sender goes first
    await el.sendRawTransaction(transfer(el, bob.privateKey, 0n, 11n, 3_000_000_000n).serialize());
    const payload = await buildAndImport(el, 1);
    assert.equal(payload.transactions.length, 3);
    assert.equal(payload.parentHash, genesisHash);
    assert.equal((await el.getAccount(RECIPIENT)).balance, 23n);
    assert.equal((await el.getAccount(alice.address)).nonce, 2n);
    assert.equal(el.mempool.size, 0);
    await el.close();

    el = await ExecutionLayer.open({ path: dir, genesis: devGenesis(), genesisTime: GENESIS_TIME });
    assert.equal(bytesToHex(el.headBlock().hash()), payload.blockHash);
    assert.equal((await el.getAccount(RECIPIENT)).balance, 23n);
    await el.close();
  });

  it("answers INVALID_BLOCK_HASH, INVALID and SYNCING as engine_newPayloadV1 says", async () => {
    const dir2 = mkdtempSync(join(tmpdir(), "turnstile-el-"));
    const el = await ExecutionLayer.open({ path: dir2, genesis: devGenesis(), genesisTime: GENESIS_TIME });
    try {
      await el.sendRawTransaction(transfer(el, alice.privateKey, 0n, 5n).serialize());
      const head = bytesToHex(el.headBlock().hash());
      const fcu = await el.forkchoiceUpdated(
        { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head },
        {
          timestamp: `0x${(GENESIS_TIME + 6).toString(16)}`,
          prevRandao: `0x${"00".repeat(32)}`,
          suggestedFeeRecipient: `0x${"bb".repeat(20)}`,
        },
      );
      const payload = el.getPayload(fcu.payloadId!);
      const tampered = { ...payload, stateRoot: `0x${"12".repeat(32)}` as const };
      assert.equal((await el.newPayload(tampered)).status, PayloadStatusV1.INVALID_BLOCK_HASH);
      // Hash right, parent unknown: SYNCING; parent known, state root wrong: INVALID with the parent as latest valid
      const orphan = await rehashed(el, payload, { parentHash: `0x${"34".repeat(32)}` });
      assert.deepEqual(await el.newPayload(orphan), {
        status: PayloadStatusV1.SYNCING,
        latestValidHash: null,
        validationError: null,
      });
      const badState = await rehashed(el, payload, { stateRoot: `0x${"12".repeat(32)}` });
      const invalid = await el.newPayload(badState);
      assert.equal(invalid.status, PayloadStatusV1.INVALID);
      assert.equal(invalid.latestValidHash, head);
      assert.match(invalid.validationError ?? "", /stateRoot/);
      assert.equal((await el.newPayload(payload)).status, PayloadStatusV1.VALID);
    } finally {
      await el.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it("keeps its head on a forkchoiceUpdated to a canonical ancestor without attributes, and builds on one with them", async () => {
    const dir3 = mkdtempSync(join(tmpdir(), "turnstile-el-"));
    const el = await ExecutionLayer.open({ path: dir3, genesis: devGenesis(), genesisTime: GENESIS_TIME });
    try {
      const genesisHash = bytesToHex(el.headBlock().hash());
      const first = await buildAndImport(el, 1);
      const second = await buildAndImport(el, 2);
      const state = (head: string) => ({ headBlockHash: head, safeBlockHash: head, finalizedBlockHash: genesisHash });
      // A CL replaying its blocks after a restart walks its head up again: the EL's head stays
      const replay = await el.forkchoiceUpdated(state(first.blockHash), null);
      assert.equal(replay.payloadStatus.status, PayloadStatusV1.VALID);
      assert.equal(bytesToHex(el.headBlock().hash()), second.blockHash);
      // A build on the ancestor is a reorg to it
      const attrs = {
        timestamp: `0x${(GENESIS_TIME + 3 * 6).toString(16)}` as const,
        prevRandao: `0x${"22".repeat(32)}` as const,
        suggestedFeeRecipient: `0x${"bb".repeat(20)}` as const,
      };
      const build = await el.forkchoiceUpdated(state(first.blockHash), attrs);
      assert.equal(el.getPayload(build.payloadId!).parentHash, first.blockHash);
      assert.equal(bytesToHex(el.headBlock().hash()), first.blockHash);
    } finally {
      await el.close();
      rmSync(dir3, { recursive: true, force: true });
    }
  });
});
