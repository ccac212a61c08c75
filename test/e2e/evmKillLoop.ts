/**
 * `turnstile dev --execution evm` under transfers, SIGKILLed at seeded random moments (while it
 * builds and imports payloads) and restarted from its data dir, again and again. After each
 * restart it checks what must hold: the node comes back, nothing it logged is an error, every
 * transfer whose receipt a client saw is still in the EL's chain (or included again), balances
 * and nonce agree with the receipts, the beacon chain's finality does not go back, and the EL's
 * head is the payload of the beacon chain's head. Run by hand with more kills:
 * `node --conditions=source test/e2e/evmKillLoop.ts [kills] [seed] [min up ms] [max up ms] [settle ms]`.
 */
import type { ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { DEFAULT_CHAIN_ID, devAccounts, parisCommon } from "@turnstile/execution";
import { spawnDevEvm } from "./devEvm.ts";

const RECIPIENT = "0x00000000000000000000000000000000000000f7";
const VALUE = 10n ** 15n;
const START_TIMEOUT_MS = 30_000;
/** pino's error level: a line at or above it is a failure. */
const PINO_ERROR = 50;
const PINO_WARN = 40;

type Child = ChildProcessByStdio<null, Readable, Readable>;

export interface KillLoopOptions {
  kills: number;
  seed: number;
  /** Time between a (re)start and its kill, drawn in [min, max) ms. */
  minUpMs: number;
  maxUpMs: number;
  /** Transfers sent per second while the node is up. */
  txPerSecond: number;
  /** How long the last run goes on after the last restart before the final checks. */
  settleMs: number;
  log?: (line: string) => void;
}

export interface KillLoopResult {
  kills: number;
  /** Transfers with a receipt before a kill. */
  confirmed: number;
  /** Of those, how many were gone after the restart (not in the EL's chain, not pooled). */
  lostAfterRestart: number;
  /** Every check that failed, with the restart it followed. */
  failures: string[];
  /** Error-level log lines of every run. */
  errorLines: string[];
  /** Warning-level log messages of every run, counted. */
  warnings: Record<string, number>;
  /** The finalized epoch at the last restart, and after the settling. */
  finalizedAtLastRestart: number;
  elBlocks: number;
  finalizedEpoch: number;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

interface Running {
  child: Child;
  ethUrl: string;
  apiUrl: string;
  output: string[];
}

function startDev(dataDir: string, errorLines: string[], warnings: Record<string, number>): Promise<Running> {
  const child = spawnDevEvm(dataDir);
  const output: string[] = [];
  let partial = "";
  const onLine = (line: string) => {
    output.push(line);
    try {
      const { level, msg } = JSON.parse(line) as { level?: number; msg?: string };
      if (level! >= PINO_ERROR) errorLines.push(line);
      else if (level === PINO_WARN) warnings[msg ?? "?"] = (warnings[msg ?? "?"] ?? 0) + 1;
    } catch {
      // not a log line
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) errorLines.push(`stderr: ${line}`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no EL and API after ${START_TIMEOUT_MS} ms:\n${output.slice(-20).join("\n")}`));
    }, START_TIMEOUT_MS);
    let ethUrl: string | null = null;
    let apiUrl: string | null = null;
    const poll = setInterval(() => {
      for (const line of output) {
        ethUrl ??= line.match(/"eth":"(http:\/\/[^"]+)"/)?.[1] ?? null;
        apiUrl ??=
          line.match(/"url":"(http:\/\/[^"]+)".*API/i)?.[1] ?? line.match(/"api":"(http:\/\/[^"]+)"/)?.[1] ?? null;
      }
      if (ethUrl && apiUrl) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ child, ethUrl, apiUrl, output });
      }
    }, 50);
    child.once("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`dev exited (${code}) before it was up:\n${output.slice(-20).join("\n")}`));
    });
  });
}

async function finalizedEpoch(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  return Number(text.match(/^beacon_finalized_epoch (\d+)/m)?.[1] ?? -1);
}

/** The beacon head's payload block hash, when its payload was revealed. */
async function beaconHeadPayload(apiUrl: string): Promise<string | null> {
  const res = await fetch(`${apiUrl}/eth/v1/beacon/execution_payload_envelopes/head`, {
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 200) return null;
  const body = (await res.json()) as { data: { message: { payload: { block_hash: string } } } };
  return body.data.message.payload.block_hash;
}

async function kill(child: Child): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

export async function runKillLoop(opts: KillLoopOptions): Promise<KillLoopResult> {
  const log = opts.log ?? (() => {});
  const random = seeded(opts.seed);
  const dataRoot = mkdtempSync(join(tmpdir(), "turnstile-evm-kill-"));
  const dataDir = join(dataRoot, "dev");
  const [alice] = devAccounts(1);
  const common = parisCommon(DEFAULT_CHAIN_ID);
  const transfer = (nonce: bigint) =>
    createFeeMarket1559Tx(
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
  const errorLines: string[] = [];
  const warnings: Record<string, number> = {};
  const failures: string[] = [];
  /** Transfers a client saw a receipt for: hash to block number. */
  const confirmed = new Map<string, bigint>();
  let lost = 0;
  let lastFinalized = -1;
  let running: Running | null = null;
  try {
    for (let round = 0; round <= opts.kills; round++) {
      running = await startDev(dataDir, errorLines, warnings);
      const { ethUrl, apiUrl } = running;
      const where = `after restart ${round}`;
      if (round > 0) {
        // Right after the restart: what was confirmed is still there (or comes back once replayed)
        await sleep(2500);
        for (const [hash, block] of confirmed) {
          const receipt = await rpc<{ status: string } | null>(ethUrl, "eth_getTransactionReceipt", [hash]);
          const pending = await rpc<unknown>(ethUrl, "eth_getTransactionByHash", [hash]);
          if (!receipt && !pending) {
            lost++;
            confirmed.delete(hash);
            log(`${where}: transfer ${hash} (block ${block}) is gone`);
          }
        }
        const finalized = await finalizedEpoch(apiUrl);
        if (finalized < lastFinalized) failures.push(`${where}: finalized epoch ${finalized} < ${lastFinalized}`);
      }
      // Transfers while it runs, until the kill
      const upMs = opts.minUpMs + random() * (opts.maxUpMs - opts.minUpMs);
      const killAt = Date.now() + upMs;
      const sent = new Set<string>();
      while (Date.now() < killAt) {
        try {
          const nonce = BigInt(await rpc<string>(ethUrl, "eth_getTransactionCount", [alice.address, "pending"]));
          const tx = transfer(nonce);
          const hash = await rpc<string>(ethUrl, "eth_sendRawTransaction", [bytesToHex(tx.serialize())]);
          sent.add(hash);
        } catch {
          // already known or replaced: the next tick asks for the nonce again
        }
        for (const hash of sent) {
          const receipt = await rpc<{ status: string; blockNumber: string } | null>(
            ethUrl,
            "eth_getTransactionReceipt",
            [hash],
          ).catch(() => null);
          if (receipt?.status === "0x1") {
            confirmed.set(hash, BigInt(receipt.blockNumber));
            sent.delete(hash);
          }
        }
        await sleep(1000 / opts.txPerSecond);
      }
      lastFinalized = Math.max(lastFinalized, await finalizedEpoch(apiUrl).catch(() => -1));
      if (round < opts.kills) {
        log(`round ${round}: kill after ${Math.round(upMs)} ms, ${confirmed.size} confirmed`);
        await kill(running.child);
        running = null;
      }
    }
    // The last run settles: balances and nonce agree with the receipts, the EL head is the beacon head's payload
    const { ethUrl, apiUrl } = running!;
    const finalizedAtLastRestart = lastFinalized;
    await sleep(opts.settleMs);
    for (const [hash] of confirmed) {
      const receipt = await rpc<{ status: string } | null>(ethUrl, "eth_getTransactionReceipt", [hash]);
      if (receipt?.status !== "0x1") failures.push(`at the end: ${hash} has no receipt`);
    }
    const included = BigInt(await rpc<string>(ethUrl, "eth_getTransactionCount", [alice.address, "latest"]));
    const balance = BigInt(await rpc<string>(ethUrl, "eth_getBalance", [RECIPIENT, "latest"]));
    if (balance !== included * VALUE) {
      failures.push(
        `at the end: recipient holds ${balance}, the sender's ${included} transfers make ${included * VALUE}`,
      );
    }
    if (BigInt(confirmed.size) > included) failures.push(`at the end: ${confirmed.size} confirmed, nonce ${included}`);
    let agreed = false;
    for (let attempt = 0; attempt < 10 && !agreed; attempt++) {
      const head = await rpc<{ hash: string }>(ethUrl, "eth_getBlockByNumber", ["latest", false]);
      agreed = head.hash === (await beaconHeadPayload(apiUrl));
      if (!agreed) await sleep(300);
    }
    if (!agreed) failures.push("at the end: the EL's head is not the beacon head's payload");
    const finalized = await finalizedEpoch(apiUrl);
    if (finalized < lastFinalized) failures.push(`at the end: finalized epoch ${finalized} < ${lastFinalized}`);
    const elBlocks = Number(BigInt(await rpc<string>(ethUrl, "eth_blockNumber", [])));
    return {
      kills: opts.kills,
      confirmed: confirmed.size + lost,
      lostAfterRestart: lost,
      failures,
      errorLines,
      warnings,
      elBlocks,
      finalizedAtLastRestart,
      finalizedEpoch: finalized,
    };
  } finally {
    if (running) await kill(running.child);
    rmSync(dataRoot, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kills = Number(process.argv[2] ?? 10);
  const seed = Number(process.argv[3] ?? 1);
  const result = await runKillLoop({
    kills,
    seed,
    minUpMs: Number(process.argv[4] ?? 1500),
    maxUpMs: Number(process.argv[5] ?? 7000),
    txPerSecond: 4,
    settleMs: Number(process.argv[6] ?? 3000),
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify(result, null, 2));
  process.exitCode = result.failures.length > 0 || result.errorLines.length > 0 ? 1 : 0;
}
