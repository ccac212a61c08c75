import assert from "node:assert/strict";
import type { ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { DEFAULT_CHAIN_ID, devAccounts, parisCommon } from "@turnstile/execution";
import { spawnDevEvm } from "./devEvm.ts";

// `turnstile dev --execution evm`: a transfer sent with eth_sendRawTransaction lands in a payload
// (receipt, balances); the node is SIGKILLed and restarted from its data dir: the EL state is
// still there (receipt, balances) and the next transfer, nonce 1, is included on top of it.

const RECIPIENT = "0x00000000000000000000000000000000000000f4";
const VALUE = 10n ** 18n;
const TIMEOUT_MS = 30_000;

const dataRoot = mkdtempSync(join(tmpdir(), "turnstile-evm-dev-"));
const live = new Set<ChildProcessByStdio<null, Readable, Readable>>();
after(() => {
  for (const child of live) child.kill("SIGKILL");
  rmSync(dataRoot, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Start `turnstile dev --execution evm` and resolve with its eth_ URL once the EL is up. */
function startDev(dataDir: string): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; ethUrl: string }> {
  const child = spawnDevEvm(dataDir);
  live.add(child);
  child.once("exit", () => live.delete(child));
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`no EL after ${TIMEOUT_MS} ms:\n${buffer}`)), TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = buffer.match(/"eth":"(http:\/\/[^"]+)".*"embedded execution layer started"/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, ethUrl: match[1] });
      }
    });
    child.once("exit", (code) => reject(new Error(`dev exited (${code}):\n${buffer}`)));
  });
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

async function waitForReceipt(url: string, hash: unknown): Promise<{ status: string; blockNumber: string }> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const receipt = await rpc(url, "eth_getTransactionReceipt", [hash]);
    if (receipt) return receipt as { status: string; blockNumber: string };
    await sleep(250);
  }
  throw new Error(`no receipt for ${String(hash)}`);
}

function transfer(nonce: bigint): string {
  const [alice] = devAccounts(1);
  const common = parisCommon(DEFAULT_CHAIN_ID);
  const tx = createFeeMarket1559Tx(
    {
      chainId: BigInt(DEFAULT_CHAIN_ID),
      nonce,
      to: RECIPIENT,
      value: VALUE,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    },
    { common },
  ).sign(alice.privateKey);
  return bytesToHex(tx.serialize());
}

describe("turnstile dev --execution evm", () => {
  it("includes a transfer, and keeps the EL state across kill -9 and restart", async () => {
    const dataDir = join(dataRoot, "dev");
    const first = await startDev(dataDir);
    const hash = await rpc(first.ethUrl, "eth_sendRawTransaction", [transfer(0n)]);
    const receipt = await waitForReceipt(first.ethUrl, hash);
    assert.equal(receipt.status, "0x1");
    assert.equal(BigInt((await rpc(first.ethUrl, "eth_getBalance", [RECIPIENT, "latest"])) as string), VALUE);

    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));

    const second = await startDev(dataDir);
    // Before any new slot: the executed block and its state came back from the database
    const again = (await rpc(second.ethUrl, "eth_getTransactionReceipt", [hash])) as { blockNumber: string } | null;
    assert.equal(again?.blockNumber, receipt.blockNumber);
    assert.equal(BigInt((await rpc(second.ethUrl, "eth_getBalance", [RECIPIENT, "latest"])) as string), VALUE);
    // Nonce 1 is only valid on the state that includes nonce 0
    const next = await rpc(second.ethUrl, "eth_sendRawTransaction", [transfer(1n)]);
    const nextReceipt = await waitForReceipt(second.ethUrl, next);
    assert.equal(nextReceipt.status, "0x1");
    assert.ok(BigInt(nextReceipt.blockNumber) > BigInt(receipt.blockNumber));
    assert.equal(BigInt((await rpc(second.ethUrl, "eth_getBalance", [RECIPIENT, "latest"])) as string), 2n * VALUE);
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  });
});
