import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { devAccounts } from "@turnstile/execution";
import { PayloadStatus } from "@turnstile/fork-choice";
import { toHex } from "@turnstile/ticket-state";
import { steppedNodeOnEl, suiteDir } from "./engineFixture.ts";

const RECIPIENT = "0x00000000000000000000000000000000000000e3";

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

describe("a beacon node on the embedded EVM, through the Engine API", () => {
  const dir = suiteDir("turnstile-evm-node-");

  it("includes a transfer sent with eth_sendRawTransaction in a payload; receipt, balances and the EL head follow the chain", async () => {
    const {
      exec,
      engine,
      node,
      runAsync: run,
      rejected,
    } = await steppedNodeOnEl(dir, { ethPort: 0, random: () => 0.5 });
    try {
      const invalid: unknown[] = [];
      engine.events.on("invalid", (e) => invalid.push(e));

      const [alice] = devAccounts(1);
      const tx = createFeeMarket1559Tx(
        {
          chainId: BigInt(exec.el.chainId),
          nonce: 0n,
          to: RECIPIENT,
          value: 10n ** 18n,
          gasLimit: 21_000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 10n ** 9n,
        },
        { common: exec.el.common },
      ).sign(alice.privateKey);
      const txHash = await rpc(exec.eth!.url, "eth_sendRawTransaction", [bytesToHex(tx.serialize())]);
      const aliceBefore = BigInt((await rpc(exec.eth!.url, "eth_getBalance", [alice.address, "latest"])) as string);

      await run(1, 4);
      const head = node.chain.head();
      assert.equal(head.slot, 4);
      assert.equal(head.payloadStatus, PayloadStatus.FULL);
      assert.deepEqual(rejected, []);
      assert.deepEqual(invalid, []);

      // The EL's head is the beacon head's payload
      const elHead = (await rpc(exec.eth!.url, "eth_getBlockByNumber", ["latest", false])) as {
        hash: string;
        number: string;
      };
      assert.equal(elHead.hash, toHex(head.state.state.latest_block_hash));
      assert.equal(BigInt(elHead.number), 4n);
      assert.ok(engine.hasPayload(head.state.state.latest_block_hash));

      const receipt = (await rpc(exec.eth!.url, "eth_getTransactionReceipt", [txHash])) as {
        status: string;
        blockNumber: string;
        gasUsed: string;
        effectiveGasPrice: string;
      };
      assert.equal(receipt.status, "0x1");
      assert.equal(BigInt(receipt.blockNumber), 1n);
      assert.equal(BigInt((await rpc(exec.eth!.url, "eth_getBalance", [RECIPIENT, "latest"])) as string), 10n ** 18n);
      const aliceAfter = BigInt((await rpc(exec.eth!.url, "eth_getBalance", [alice.address, "latest"])) as string);
      assert.equal(aliceBefore - aliceAfter, 10n ** 18n + BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice));
    } finally {
      await exec.close();
    }
  });
});
