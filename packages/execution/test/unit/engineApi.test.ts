import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SignJWT } from "jose";
import { createPublicClient, createWalletClient, defineChain, http, parseGwei } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  devAccounts,
  devGenesis,
  type EmbeddedExecution,
  EngineApiClient,
  ExecutionError,
  ExecutionErrorCode,
  PayloadStatusV1,
  startEmbeddedExecution,
  verifyEngineJwt,
} from "../../src/index.ts";

const GENESIS_TIME = Math.floor(Date.now() / 1000);
const SECRET = new Uint8Array(32).fill(7);
const RECIPIENT = "0x00000000000000000000000000000000000000d2";
/** Init code deploying a contract whose every call returns 42 (PUSH1 42, MSTORE, RETURN 32 bytes). */
const RETURNS_42_INITCODE = "0x69602a60005260206000f3600052600a6016f3";

describe("Engine API and eth_ over JSON-RPC", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-rpc-"));
  let exec: EmbeddedExecution;
  let engine: EngineApiClient;
  before(async () => {
    exec = await startEmbeddedExecution({
      path: dir,
      genesis: devGenesis(),
      genesisTime: GENESIS_TIME,
      jwtSecret: SECRET,
      enginePort: 0,
      ethPort: 0,
    });
    engine = new EngineApiClient(exec.engine.url, SECRET);
  });
  after(async () => {
    await exec.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a request without the JWT, with another secret, or with a stale iat", async () => {
    await assert.rejects(
      new EngineApiClient(exec.engine.url, new Uint8Array(32).fill(8)).exchangeCapabilities([]),
      (e) => {
        return e instanceof ExecutionError && e.code === ExecutionErrorCode.ENGINE_UNREACHABLE && e.data.status === 401;
      },
    );
    const now = Math.floor(Date.now() / 1000);
    const stale = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(now - 61)
      .sign(SECRET);
    await assert.rejects(verifyEngineJwt(`Bearer ${stale}`, SECRET, now), { code: ExecutionErrorCode.JWT_REFUSED });
    const future = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(now + 61)
      .sign(SECRET);
    await assert.rejects(verifyEngineJwt(`Bearer ${future}`, SECRET, now), { code: ExecutionErrorCode.JWT_REFUSED });
    const noIat = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).sign(SECRET);
    await assert.rejects(verifyEngineJwt(`Bearer ${noIat}`, SECRET, now), { code: ExecutionErrorCode.JWT_REFUSED });
    await assert.rejects(verifyEngineJwt(undefined, SECRET, now), { code: ExecutionErrorCode.JWT_REFUSED });
    const fresh = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(now - 59)
      .sign(SECRET);
    await verifyEngineJwt(`Bearer ${fresh}`, SECRET, now);
    assert.ok((await engine.exchangeCapabilities(["engine_newPayloadV1"])).includes("engine_getPayloadV1"));
  });

  it("a viem transfer and contract deployment go through the mempool into a payload built and imported over the Engine API", async () => {
    const [alice] = devAccounts(1);
    const chain = defineChain({
      id: exec.el.chainId,
      name: "turnstile",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [exec.eth!.url] } },
    });
    const account = privateKeyToAccount(`0x${Buffer.from(alice.privateKey).toString("hex")}`);
    const wallet = createWalletClient({ account, chain, transport: http() });
    const client = createPublicClient({ chain, transport: http() });
    assert.equal(await client.getChainId(), exec.el.chainId);
    const before = await client.getBalance({ address: account.address });

    const transferHash = await wallet.sendTransaction({
      to: RECIPIENT,
      value: 1234n,
      maxPriorityFeePerGas: parseGwei("2"),
    });
    const deployHash = await wallet.deployContract({ abi: [], bytecode: RETURNS_42_INITCODE });
    assert.equal(await client.getTransactionCount({ address: account.address, blockTag: "pending" }), 2);
    assert.equal(await client.getBlockNumber({ cacheTime: 0 }), 0n);

    const head = (await client.getBlock()).hash;
    const fcu = await engine.forkchoiceUpdatedV1(
      { headBlockHash: head, safeBlockHash: head, finalizedBlockHash: head },
      {
        timestamp: `0x${(GENESIS_TIME + 6).toString(16)}`,
        prevRandao: `0x${"ab".repeat(32)}`,
        suggestedFeeRecipient: `0x${"bb".repeat(20)}`,
      },
    );
    assert.equal(fcu.payloadStatus.status, PayloadStatusV1.VALID);
    const payload = await engine.getPayloadV1(fcu.payloadId!);
    assert.equal(payload.transactions.length, 2);
    assert.deepEqual(await engine.newPayloadV1(payload), {
      status: PayloadStatusV1.VALID,
      latestValidHash: payload.blockHash,
      validationError: null,
    });
    // Not canonical until forkchoiceUpdated names it head
    assert.equal(await client.getTransactionReceipt({ hash: transferHash }).catch(() => null), null);
    const moved = await engine.forkchoiceUpdatedV1(
      { headBlockHash: payload.blockHash, safeBlockHash: payload.blockHash, finalizedBlockHash: head },
      null,
    );
    assert.equal(moved.payloadId, null);

    assert.equal(await client.getBlockNumber({ cacheTime: 0 }), 1n);
    const receipt = await client.waitForTransactionReceipt({ hash: transferHash });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.blockHash, payload.blockHash);
    assert.equal(await client.getBalance({ address: RECIPIENT }), 1234n);
    const deployed = await client.getTransactionReceipt({ hash: deployHash });
    assert.ok(deployed.contractAddress);
    const call = await client.call({ to: deployed.contractAddress });
    assert.equal(BigInt(call.data!), 42n);
    const spent = before - (await client.getBalance({ address: account.address }));
    assert.equal(
      spent,
      1234n + receipt.gasUsed * receipt.effectiveGasPrice + deployed.gasUsed * deployed.effectiveGasPrice,
    );
    const block = await client.getBlock({ blockNumber: 1n, includeTransactions: true });
    assert.equal(block.transactions[0].hash, transferHash);
  });
});
