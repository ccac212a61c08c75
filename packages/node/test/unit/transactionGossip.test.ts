import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import {
  devAccounts,
  devGenesis,
  type EmbeddedExecution,
  EngineApiClient,
  ethRpc,
  MAX_POOLED_TRANSACTION_BYTES,
  parisCommon,
  startEmbeddedExecution,
} from "@turnstile/execution";
import {
  EngineApiExecutionEngine,
  TransactionGossip,
  TransactionGossipError,
  TransactionGossipErrorCode,
} from "@turnstile/node";
import { createChainContext, minimalChainConfig } from "@turnstile/ticket-state";
import { verdictOf } from "../../src/network/verdict.ts";

const SECRET = new Uint8Array(32).fill(7);
const ctx = createChainContext(minimalChainConfig);
const RECIPIENT = "0x00000000000000000000000000000000000000c1";

function transfer(chainId: number, key: Uint8Array, nonce: bigint) {
  return createFeeMarket1559Tx(
    {
      chainId: BigInt(chainId),
      nonce,
      to: RECIPIENT,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
    },
    { common: parisCommon(chainId) },
  ).sign(key);
}

async function refused(p: Promise<unknown>, action: "IGNORE" | "REJECT", code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TransactionGossipError, String(e));
    assert.equal(e.action, action);
    assert.equal(e.code, code);
    // The network's verdict is the error's
    assert.deepEqual(verdictOf(e), { action, code });
    return true;
  });
}

describe("transaction gossip", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-txgossip-"));
  let exec: EmbeddedExecution;
  let gossip: TransactionGossip;
  const chainId = devGenesis().chainId;
  const key = devAccounts(1)[0].privateKey;

  before(async () => {
    exec = await startEmbeddedExecution({
      path: join(dir, "el"),
      genesis: devGenesis(),
      genesisTime: 0,
      jwtSecret: SECRET,
      enginePort: 0,
      ethPort: 0,
    });
    gossip = new TransactionGossip(new EngineApiExecutionEngine(ctx, new EngineApiClient(exec.engine.url, SECRET)));
  });
  after(async () => {
    await exec.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("pools a peer's valid transaction in the EL, and IGNOREs its duplicate", async () => {
    const tx = transfer(chainId, key, 0n);
    const hash = await gossip.import(tx.serialize());
    assert.equal(hash, bytesToHex(tx.hash()));
    assert.ok(exec.el.mempool.has(hash));
    await refused(gossip.import(tx.serialize()), "IGNORE", TransactionGossipErrorCode.ALREADY_KNOWN);
  });

  it("REJECTs what is no transaction whatever the state: garbage, too large, wrong chain, unsigned", async () => {
    const before = exec.el.mempool.size;
    await refused(gossip.import(Uint8Array.from([0x02, 0xc0, 0x01])), "REJECT", TransactionGossipErrorCode.INVALID);
    await refused(
      gossip.import(new Uint8Array(MAX_POOLED_TRANSACTION_BYTES + 1).fill(0xc0)),
      "REJECT",
      TransactionGossipErrorCode.TOO_LARGE,
    );
    await refused(
      gossip.import(transfer(chainId + 1, key, 1n).serialize()),
      "REJECT",
      TransactionGossipErrorCode.INVALID,
    );
    const unsigned = createFeeMarket1559Tx(
      { chainId: BigInt(chainId), nonce: 1n, to: RECIPIENT, gasLimit: 21_000n, maxFeePerGas: 10n ** 11n },
      { common: parisCommon(chainId) },
    );
    await refused(gossip.import(unsigned.serialize()), "REJECT", TransactionGossipErrorCode.INVALID);
    assert.equal(exec.el.mempool.size, before, "nothing pooled");
  });

  it("IGNOREs a valid transaction the pool refuses on its state (an unfunded sender)", async () => {
    const poor = new Uint8Array(32).fill(0x42);
    await refused(
      gossip.import(transfer(chainId, poor, 0n).serialize()),
      "IGNORE",
      TransactionGossipErrorCode.NOT_POOLED,
    );
  });

  it("tells the node of users' transactions to the eth_ endpoint (to publish), not of those pooled from gossip", async () => {
    const heard: string[] = [];
    exec.onUserTransaction((_raw, hash) => heard.push(hash));
    const tx = transfer(chainId, key, 1n);
    const hash = await ethRpc<string>(exec.eth!.url, "eth_sendRawTransaction", [bytesToHex(tx.serialize())]);
    assert.deepEqual(heard, [hash]);
    // Its echo from a peer is ignored once marked seen
    gossip.markSeen(hash);
    await refused(gossip.import(tx.serialize()), "IGNORE", TransactionGossipErrorCode.ALREADY_KNOWN);
    await gossip.import(transfer(chainId, key, 2n).serialize());
    assert.equal(heard.length, 1);
  });
});
