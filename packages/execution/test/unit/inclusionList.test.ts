import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { devAccounts, devGenesis, ExecutionLayer, PayloadStatusV1 } from "../../src/index.ts";

const GENESIS_TIME = 1_700_000_000;
const RECIPIENT = "0x00000000000000000000000000000000000000c2";

function transfer(el: ExecutionLayer, from: Uint8Array, nonce: bigint, gasLimit = 21_000n) {
  return createFeeMarket1559Tx(
    {
      chainId: BigInt(el.chainId),
      nonce,
      to: RECIPIENT,
      value: 1n,
      gasLimit,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
    },
    { common: el.common },
  )
    .sign(from)
    .serialize();
}

/** Build on the head (with `listed` added, if any), import, make it the head; returns the payload. */
async function build(el: ExecutionLayer, slot: number, listed: Uint8Array[] = []) {
  const head = bytesToHex(el.headBlock().hash());
  const state = { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head };
  const fcu = await el.forkchoiceUpdated(state, {
    timestamp: `0x${(GENESIS_TIME + slot * 6).toString(16)}`,
    prevRandao: `0x${"22".repeat(32)}`,
    suggestedFeeRecipient: `0x${"bb".repeat(20)}`,
  });
  if (listed.length > 0) await el.updatePayloadWithInclusionList(fcu.payloadId!, listed);
  const payload = el.getPayload(fcu.payloadId!);
  assert.equal((await el.newPayload(payload)).status, PayloadStatusV1.VALID);
  await el.forkchoiceUpdated({ ...state, headBlockHash: payload.blockHash }, null);
  return payload;
}

describe("inclusion lists on the embedded EL", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-el-il-"));
    dirs.push(dir);
    return ExecutionLayer.open({ path: dir, genesis: devGenesis(), genesisTime: GENESIS_TIME });
  };
  const [alice, bob] = devAccounts(2);

  it("a payload that leaves out a valid, fitting listed transaction does not satisfy the list", async () => {
    const el = await open();
    try {
      const payload = await build(el, 1); // empty mempool: an empty payload
      const listed = transfer(el, alice.privateKey, 0n);
      const verdict = await el.checkInclusionList(payload.blockHash, [listed]);
      assert.equal(verdict.satisfied, false);
      assert.equal(verdict.missing.length, 1);
    } finally {
      await el.close();
    }
  });

  it("excuses listed transactions that are invalid on the post-state or do not fit; included ones count", async () => {
    const el = await open();
    try {
      await el.sendRawTransaction(transfer(el, alice.privateKey, 0n));
      const payload = await build(el, 1);
      assert.equal(payload.transactions.length, 1);
      const remaining = BigInt(payload.gasLimit) - BigInt(payload.gasUsed);
      const listed = [
        hexToBytes(payload.transactions[0] as `0x${string}`), // included
        transfer(el, alice.privateKey, 0n, 21_001n), // nonce already used: invalid on the post-state
        transfer(el, bob.privateKey, 5n), // nonce gap: invalid
        transfer(el, bob.privateKey, 0n, remaining + 1n), // does not fit
        Uint8Array.from([0x02, 0x01, 0x02]), // does not decode
      ];
      assert.deepEqual(await el.checkInclusionList(payload.blockHash, listed), { satisfied: true, missing: [] });
      // The check changed nothing: bob's nonce-0 transfer is still valid there
      const verdict = await el.checkInclusionList(payload.blockHash, [transfer(el, bob.privateKey, 0n)]);
      assert.equal(verdict.satisfied, false);
    } finally {
      await el.close();
    }
  });

  it("lists the mempool and builds a payload that carries the list", async () => {
    const el = await open();
    try {
      await el.sendRawTransaction(transfer(el, alice.privateKey, 0n));
      await el.sendRawTransaction(transfer(el, bob.privateKey, 0n));
      const listed = await el.getInclusionList(16, 8192);
      assert.equal(listed.length, 2);
      assert.equal((await el.getInclusionList(1, 8192)).length, 1);
      assert.equal((await el.getInclusionList(16, 10)).length, 0, "byte bound");
      // Another EL, whose mempool never saw them, builds with the list and satisfies it
      const other = await open();
      try {
        const payload = await build(other, 1, listed);
        assert.equal(payload.transactions.length, 2);
        assert.deepEqual(await other.checkInclusionList(payload.blockHash, listed), { satisfied: true, missing: [] });
      } finally {
        await other.close();
      }
    } finally {
      await el.close();
    }
  });
});
