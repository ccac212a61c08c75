import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import {
  devAccounts,
  devGenesis,
  type EmbeddedExecution,
  MAX_BATCH_REQUESTS,
  MAX_NONCE_AHEAD,
  MAX_WAITING_CALLS,
  parisCommon,
  RPC_GAS_CAP,
  startEmbeddedExecution,
} from "../../src/index.ts";

// What a wallet, a script or anyone reaching the eth_ port may send: malformed JSON-RPC, garbage
// and mutated transactions, huge bodies and batches. Each gets a JSON-RPC error with a code, the
// process goes on, and nothing is pooled that should not be.

const SECRET = new Uint8Array(32).fill(7);
const RECIPIENT = "0x00000000000000000000000000000000000000e5";
const MUTATED_TRANSACTIONS = 300;
const ANSWER_TIMEOUT_MS = 15_000;

interface RpcAnswer {
  status: number;
  body: unknown;
}

/** POST `body` as is to `url`. */
function post(url: string, body: string | Buffer): Promise<RpcAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
      });
    });
    req.on("error", reject);
    // A request the server never answers fails here rather than hanging the suite
    req.setTimeout(ANSWER_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    req.end(body);
  });
}

const errorCode = (answer: RpcAnswer) => (answer.body as { error?: { code: number } }).error?.code;

/** A small seeded PRNG (mulberry32). */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

/** The embedded EL on the dev genesis in `dir`, its Engine API and eth_ ports ephemeral. */
function startDevEl(dir: string): Promise<EmbeddedExecution> {
  return startEmbeddedExecution({
    path: join(dir, "el"),
    genesis: devGenesis(),
    genesisTime: 0,
    jwtSecret: SECRET,
    enginePort: 0,
    ethPort: 0,
  });
}

describe("eth_ JSON-RPC under adversarial requests", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-eth-adversarial-"));
  let exec: EmbeddedExecution;
  let url: string;
  const chainId = devGenesis().chainId;
  const key = devAccounts(2)[1].privateKey;
  const transfer = (nonce: bigint, over: { chainId?: number; gasLimit?: bigint; value?: bigint } = {}) =>
    createFeeMarket1559Tx(
      {
        chainId: BigInt(over.chainId ?? chainId),
        nonce,
        to: RECIPIENT,
        value: over.value ?? 1n,
        gasLimit: over.gasLimit ?? 21_000n,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
      },
      { common: parisCommon(over.chainId ?? chainId) },
    ).sign(key);
  const send = (raw: Uint8Array | string) =>
    post(
      url,
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_sendRawTransaction",
        params: [typeof raw === "string" ? raw : bytesToHex(raw)],
      }),
    );
  const alive = async () => {
    const answer = await post(url, JSON.stringify({ jsonrpc: "2.0", id: 9, method: "eth_chainId", params: [] }));
    assert.deepEqual(answer.body, { jsonrpc: "2.0", id: 9, result: `0x${chainId.toString(16)}` });
  };

  before(async () => {
    exec = await startDevEl(dir);
    url = exec.eth!.url;
  });
  after(async () => {
    await exec.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers JSON that is no request (null, numbers, lists, empty or huge batches) with INVALID_REQUEST, and goes on", async () => {
    for (const body of ["null", "5", '"x"', "true", "[null]", "[1, 2]", "[[]]", "[]"]) {
      const answer = await post(url, body);
      assert.equal(answer.status, 200, body);
      const answers = Array.isArray(answer.body) ? answer.body : [answer.body];
      for (const a of answers) assert.equal((a as { error: { code: number } }).error.code, -32600, body);
      await alive();
    }
    const request = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
    const tooMany = await post(url, JSON.stringify(Array(MAX_BATCH_REQUESTS + 1).fill(request)));
    assert.equal(errorCode(tooMany), -32600);
    const batch = await post(url, JSON.stringify(Array(3).fill(request)));
    assert.equal((batch.body as unknown[]).length, 3);
    assert.equal(errorCode(await post(url, '{"jsonrpc":"2.0","id":1,"method":')), -32700);
  });

  it("knows only its own methods: no Object.prototype member is callable", async () => {
    for (const method of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "__defineGetter__"]) {
      const answer = await post(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [1] }));
      assert.equal(errorCode(answer), -32601, method);
    }
  });

  it("answers malformed parameters with INVALID_PARAMS, not an internal error", async () => {
    const calls: [string, unknown[]][] = [
      ["eth_getBalance", ["0x1234"]],
      ["eth_getBalance", [RECIPIENT, "0xzz"]],
      ["eth_getBalance", [RECIPIENT, { blockNumber: "abc" }]],
      ["eth_getTransactionCount", [42]],
      ["eth_getBlockByNumber", [{ blockNumber: [] }]],
      ["eth_getBlockByNumber", ["0x1ffffffffffffffffff"]],
      ["eth_getBlockByHash", ["0x12"]],
      ["eth_getTransactionReceipt", [null]],
      ["eth_getTransactionByHash", ["0x"]],
      ["eth_call", [null]],
      ["eth_call", [{ to: "0x12" }]],
      ["eth_estimateGas", [{ to: RECIPIENT, data: "0x123" }]],
      ["eth_sendRawTransaction", ["0x123"]],
      ["eth_sendRawTransaction", [{}]],
    ];
    for (const [method, params] of calls) {
      const answer = await post(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
      assert.equal(errorCode(answer), -32602, `${method} ${JSON.stringify(params)}: ${JSON.stringify(answer.body)}`);
    }
  });

  it("refuses a body over its limit with 413, and goes on", async () => {
    const answer = await post(url, Buffer.alloc(33 * 1024 * 1024, 0x20));
    assert.equal(answer.status, 413);
    assert.equal(errorCode(answer), -32600);
    await alive();
  });

  it(`refuses ${MUTATED_TRANSACTIONS} garbage, mutated and wrong-chain transactions with an error code; none is pooled`, async () => {
    const before = exec.el.mempool.size;
    const valid = transfer(0n).serialize();
    const random = rng(1);
    const codes = new Map<number, number>();
    for (let i = 0; i < MUTATED_TRANSACTIONS; i++) {
      let raw: Uint8Array;
      switch (i % 4) {
        case 0: // random bytes
          raw = Uint8Array.from({ length: random(300) }, () => random(256));
          break;
        case 1: // truncated
          raw = valid.slice(0, random(valid.length));
          break;
        default: {
          // bytes overwritten (past the type byte: a change to the signature recovers another, unfunded sender)
          raw = Uint8Array.from(valid);
          const flips = 1 + random(4);
          for (let f = 0; f < flips; f++) raw[1 + random(raw.length - 1)] ^= 1 << random(8);
        }
      }
      const answer = await send(raw);
      const code = errorCode(answer);
      assert.ok(code !== undefined && code !== -32603, `case ${i}: ${JSON.stringify(answer.body)}`);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    for (const raw of [
      transfer(0n, { chainId: chainId + 1 }).serialize(),
      transfer(0n, { gasLimit: 10n ** 12n }).serialize(),
      transfer(0n, { value: 10n ** 40n }).serialize(),
      new Uint8Array(200_000).fill(0xc0),
      new Uint8Array(0),
    ]) {
      assert.equal(errorCode(await send(raw)), -32000, `${raw.length} bytes`);
    }
    assert.equal(exec.el.mempool.size, before, `pooled something (${JSON.stringify([...codes])})`);
    await alive();
  });

  it(`pools a sender's transactions up to ${MAX_NONCE_AHEAD} nonces ahead of its account, refuses further ones and replays`, async () => {
    const ahead = transfer(BigInt(MAX_NONCE_AHEAD - 1));
    assert.equal(errorCode(await send(ahead.serialize())), undefined);
    assert.equal(errorCode(await send(transfer(0n).serialize())), undefined);
    // The same again: already known
    assert.equal(errorCode(await send(transfer(0n).serialize())), -32000);
    const size = exec.el.mempool.size;
    assert.ok(exec.el.mempool.has(bytesToHex(ahead.hash())), "a gap within the bound is pooled");
    const tooFar = await send(transfer(BigInt(MAX_NONCE_AHEAD)).serialize());
    assert.equal(errorCode(tooFar), -32000);
    assert.match(JSON.stringify(tooFar.body), /too far ahead/);
    assert.equal(exec.el.mempool.size, size);
  });
});

describe("eth_call and eth_estimateGas cannot hold the EL (and the node on its event loop)", () => {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-eth-call-"));
  let exec: EmbeddedExecution;
  let url: string;
  /** Init code that jumps back to its start forever: it burns whatever gas it is given. */
  const LOOP = "0x5b600056";
  const SOME_GAS = "0xf4240";
  const call = (method: string, gas?: string) =>
    post(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [{ data: LOOP, ...(gas ? { gas } : {}) }] }));

  before(async () => {
    exec = await startDevEl(dir);
    url = exec.eth!.url;
  });
  after(async () => {
    await exec.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // (Under the test runner the EVM runs several times slower than in a node: a capped call takes seconds here)
  it(`a call asking for 2^64 gas, or none, burns at most RPC_GAS_CAP (${RPC_GAS_CAP}) and answers out of gas`, async () => {
    for (const [method, gas] of [
      ["eth_call", "0xffffffffffffffff"],
      ["eth_estimateGas", undefined],
    ] as const) {
      const answer = await call(method, gas);
      assert.equal(errorCode(answer), -32000, `${method} ${gas}: ${JSON.stringify(answer.body)}`);
      assert.match(JSON.stringify(answer.body), /out of gas/);
    }
  });

  it(`refuses calls past ${MAX_WAITING_CALLS} waiting (CALL_BUSY): a batch of them does not hold the EL for its length`, async () => {
    const request = { jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ data: LOOP, gas: SOME_GAS }] };
    const answer = await post(url, JSON.stringify(Array(3 * MAX_WAITING_CALLS).fill(request)));
    const answers = answer.body as { error?: { code: number; message: string } }[];
    const busy = answers.filter((a) => a.error?.message.includes("too many calls")).length;
    assert.equal(busy, 2 * MAX_WAITING_CALLS, JSON.stringify(answers));
    assert.ok(answers.every((a) => a.error?.code === -32000));
    // Once they are answered, calls are taken again
    assert.match(JSON.stringify((await call("eth_call", SOME_GAS)).body), /out of gas/);
  });
});
