import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { devAccounts, devGenesis, ExecutionLayer, PayloadStatusV1 } from "../../src/index.ts";

const GENESIS_TIME = 1_700_000_000;
const SLOT_SECONDS = 6;
const RECIPIENT = "0x00000000000000000000000000000000000000c1";

async function build(el: ExecutionLayer, slot: number) {
  const head = bytesToHex(el.headBlock().hash());
  const fcu = await el.forkchoiceUpdated(
    { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head },
    {
      timestamp: `0x${(GENESIS_TIME + slot * SLOT_SECONDS).toString(16)}`,
      prevRandao: `0x${"11".repeat(32)}`,
      suggestedFeeRecipient: `0x${"bb".repeat(20)}`,
    },
  );
  return el.getPayload(fcu.payloadId!);
}

async function importAndFollow(el: ExecutionLayer, payload: Awaited<ReturnType<typeof build>>) {
  const status = await el.newPayload(payload);
  assert.equal(status.status, PayloadStatusV1.VALID, status.validationError ?? "");
  await el.forkchoiceUpdated(
    { headBlockHash: payload.blockHash, safeBlockHash: payload.blockHash, finalizedBlockHash: payload.blockHash },
    null,
  );
}

describe("a payload the EL built itself comes back through newPayload", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-selfbuilt-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const [alice, bob] = devAccounts(2);

  it("is stored without executing it again, with the receipts and state an execution gives", async () => {
    const builder = await ExecutionLayer.open({
      path: join(dir, "a"),
      genesis: devGenesis(),
      genesisTime: GENESIS_TIME,
    });
    const other = await ExecutionLayer.open({ path: join(dir, "b"), genesis: devGenesis(), genesisTime: GENESIS_TIME });
    try {
      const tx = (from: Uint8Array, nonce: bigint) =>
        createFeeMarket1559Tx(
          {
            chainId: BigInt(builder.chainId),
            nonce,
            to: RECIPIENT,
            value: 1000n + nonce,
            gasLimit: 21_000n,
            maxFeePerGas: 10n ** 11n,
            maxPriorityFeePerGas: 10n ** 9n,
          },
          { common: builder.common },
        ).sign(from);
      for (let slot = 1; slot <= 2; slot++) {
        await builder.sendRawTransaction(tx(alice.privateKey, BigInt(slot - 1)).serialize());
        await builder.sendRawTransaction(tx(bob.privateKey, BigInt(slot - 1)).serialize());
        const payload = await build(builder, slot);
        assert.equal(payload.transactions.length, 2);
        await importAndFollow(builder, payload);
        assert.equal(builder.reexecutionsSkipped, slot, "the builder does not execute its own payload again");
        // Another EL executes it, and agrees
        await importAndFollow(other, payload);
        assert.equal(other.reexecutionsSkipped, 0);
        assert.deepEqual(
          await builder.store.getReceipts(payload.blockHash),
          await other.store.getReceipts(payload.blockHash),
        );
        assert.deepEqual(await builder.getAccount(RECIPIENT), await other.getAccount(RECIPIENT));
        assert.equal(bytesToHex(builder.headBlock().hash()), payload.blockHash);
      }
      // The other EL's payload, executed by the builder: not one it built
      await other.sendRawTransaction(tx(alice.privateKey, 2n).serialize());
      const foreign = await build(other, 3);
      await importAndFollow(builder, foreign);
      assert.equal(builder.reexecutionsSkipped, 2);
      await importAndFollow(other, foreign);
      assert.equal(other.reexecutionsSkipped, 1);
      assert.deepEqual(await builder.getAccount(RECIPIENT), await other.getAccount(RECIPIENT));
    } finally {
      await builder.close();
      await other.close();
    }
  });
});
