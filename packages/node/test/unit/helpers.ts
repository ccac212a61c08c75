import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after } from "node:test";
import { BeaconNode, EngineApiExecutionEngine } from "@turnstile/node";
import {
  type CachedBeaconState,
  type ChainContext,
  createChainContext,
  createGenesisState,
  type DeterministicExecutionEngine,
  interopBuyerSecretKey,
  interopSecretKey,
  minimalChainConfig,
} from "@turnstile/ticket-state";
import pino from "pino";

export const VALIDATORS = 64;
/** Rounds of "let the EL answer" after each interval of `runAsync` (a build, then its commitment, then the head). */
const ENGINE_SETTLE_ROUNDS = 3;
export const BUYERS = 4;

export function genesisState(ctx: ChainContext): CachedBeaconState {
  return createGenesisState(ctx, {
    genesisTime: 0,
    validatorPubkeys: Array.from({ length: VALIDATORS }, (_, i) => interopSecretKey(i).toPublicKey().toBytes()),
    buyers: Array.from({ length: BUYERS }, (_, i) => ({
      pubkey: interopBuyerSecretKey(i).toPublicKey().toBytes(),
      balance: 1000e9,
    })),
  });
}

/** A node whose clock the test moves: `run(from, to)` plays every interval of those slots. */
export function steppedNode(
  opts: {
    withhold?: number;
    anchor?: CachedBeaconState;
    ctx?: ChainContext;
    startSlot?: number;
    maxStates?: number;
    /** Inclusion lists: synthetic user transactions, and buyers whose agents censor them. */
    userTraffic?: boolean;
    censoringBuyers?: number[];
    /** The node's validators offer their granted tickets for sale. */
    sellGrantedTickets?: boolean;
    /** The execution engine (an EngineApiExecutionEngine drives an EL: use `runAsync`). */
    engine?: DeterministicExecutionEngine;
    /** The agents' randomness (default: a fixed LCG). */
    random?: () => number;
  } = {},
) {
  const ctx = opts.ctx ?? createChainContext(minimalChainConfig);
  const anchor = opts.anchor ?? genesisState(ctx);
  let time = (opts.startSlot ?? 0) * ctx.config.SECONDS_PER_SLOT;
  let r = 7;
  const node = new BeaconNode({
    ctx,
    anchor,
    validatorKeys: new Map(Array.from({ length: VALIDATORS }, (_, i) => [i, interopSecretKey(i)] as const)),
    buyerKeys: new Map(Array.from({ length: BUYERS }, (_, i) => [i, interopBuyerSecretKey(i)] as const)),
    buyerCount: BUYERS,
    now: () => time,
    random:
      opts.random ??
      (() => {
        r = (r * 1103515245 + 12345) % 2 ** 31;
        return r / 2 ** 31;
      }),
    misbehaviour: { withholdCommitment: opts.withhold ?? 0, withholdPayload: opts.withhold ?? 0 },
    maxStates: opts.maxStates,
    userTraffic: opts.userTraffic,
    censoringBuyers: opts.censoringBuyers,
    sellGrantedTickets: opts.sellGrantedTickets,
    engine: opts.engine,
  });
  const rejected: string[] = [];
  node.on("rejected", (kind, code) => rejected.push(`${kind}:${code}`));
  const seconds = ctx.config.SECONDS_PER_SLOT;
  const run = (from: number, to: number) => {
    for (let slot = from; slot <= to; slot++) {
      for (let interval = 0; interval < 4; interval++) {
        time = slot * seconds + (interval * seconds) / 4;
        node.onInterval(slot, interval);
      }
    }
  };
  /**
   * `run` for a node on an Engine API EL: after each interval's duties, what they asked of the EL
   * (builds, payloads, head moves) is answered before the next interval.
   */
  const runAsync = async (from: number, to: number) => {
    const engine = opts.engine instanceof EngineApiExecutionEngine ? opts.engine : null;
    for (let slot = from; slot <= to; slot++) {
      for (let interval = 0; interval < 4; interval++) {
        time = slot * seconds + (interval * seconds) / 4;
        node.onInterval(slot, interval);
        for (let round = 0; round < ENGINE_SETTLE_ROUNDS; round++) {
          await engine?.settled();
          await new Promise((r) => setImmediate(r));
        }
      }
    }
  };
  /** Move the clock to the start of `slot` without running any duty (the node was down meanwhile). */
  const setSlot = (slot: number) => {
    time = slot * seconds;
  };
  /** Move the clock to `seconds` since genesis without running any duty. */
  const setTime = (t: number) => {
    time = t;
  };
  return { node, run, runAsync, setSlot, setTime, rejected, ctx };
}

/** A local port nothing listens on. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** A maker of temporary directories (`prefix` + random), all removed when the test file ends. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** A pino logger at warn whose lines the test reads: parsed, and raw (to look for what must never be logged). */
export function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      raw.push(String(chunk));
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "warn" }, stream), lines, raw };
}
