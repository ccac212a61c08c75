import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import {
  computeGenesisBlock,
  devGenesis,
  type EmbeddedExecution,
  EngineApiClient,
  type ExecutionGenesis,
  type SearcherOptions,
  startEmbeddedExecution,
} from "@turnstile/execution";
import { BeaconNode, EngineApiExecutionEngine, withExecutionGenesis } from "@turnstile/node";
import {
  type CachedBeaconState,
  type ChainContext,
  createChainContext,
  interopBuyerSecretKey,
  interopSecretKey,
  minimalChainConfig,
} from "@turnstile/ticket-state";
import { BUYERS, genesisState, steppedNode, VALIDATORS } from "./helpers.ts";

// Shared setup of the tests that run beacon nodes against an execution layer over the Engine API:
// the embedded EVM (or any URL), the beacon anchor on its genesis block, and nodes stepped on one clock.

/** The JWT secret between the test's nodes and their ELs. */
export const JWT_SECRET = new Uint8Array(32).fill(5);
/** Rounds of "let the ELs answer" after each interval (a build, then its commitment, then the head). */
const ENGINE_SETTLE_ROUNDS = 3;

type EngineOptions = ConstructorParameters<typeof EngineApiExecutionEngine>[2];

/** A temporary directory, removed when the enclosing suite ends. */
export function suiteDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The dev EL genesis, and beacon anchors (fresh states) whose latest block hash is its genesis block. */
export async function executionGenesis(
  ctx: ChainContext,
): Promise<{ genesis: ExecutionGenesis; anchor: () => CachedBeaconState }> {
  const genesis = devGenesis();
  const elGenesis = await computeGenesisBlock(genesis, 0);
  const anchor = () => withExecutionGenesis(genesisState(ctx), elGenesis.hash(), Number(elGenesis.header.gasLimit));
  return { genesis, anchor };
}

/** The embedded EL at `path`, genesis time 0: Engine API on any free port unless given, no eth_ endpoint unless asked. */
export function startEl(
  path: string,
  genesis: ExecutionGenesis,
  opts: { enginePort?: number; ethPort?: number | null; searcher?: SearcherOptions } = {},
): Promise<EmbeddedExecution> {
  return startEmbeddedExecution({
    path,
    genesis,
    genesisTime: 0,
    jwtSecret: JWT_SECRET,
    enginePort: opts.enginePort ?? 0,
    ethPort: opts.ethPort ?? null,
    searcher: opts.searcher,
  });
}

/** An Engine API engine on the EL at `url`. */
export function engineAt(ctx: ChainContext, url: string, opts?: EngineOptions): EngineApiExecutionEngine {
  return new EngineApiExecutionEngine(ctx, new EngineApiClient(url, JWT_SECRET), opts);
}

/** One clock for several nodes on Engine API engines. */
export function sharedClock(ctx: ChainContext) {
  let time = 0;
  const seconds = ctx.config.SECONDS_PER_SLOT;
  return {
    now: () => time,
    /** Play `slot`'s four intervals on each node in turn; after each interval, let `engines` answer. */
    async runSlot(slot: number, nodes: BeaconNode[], engines: EngineApiExecutionEngine[]): Promise<void> {
      for (let interval = 0; interval < 4; interval++) {
        time = slot * seconds + (interval * seconds) / 4;
        for (const node of nodes) node.onInterval(slot, interval);
        for (let round = 0; round < ENGINE_SETTLE_ROUNDS; round++) {
          for (const engine of engines) await engine.settled();
          await new Promise((r) => setImmediate(r));
        }
      }
    },
  };
}

/** A node with every validator's key that builds its own payloads (buyers' keys too unless `buyers` is false). */
export function producerNode(
  ctx: ChainContext,
  anchor: CachedBeaconState,
  engine: EngineApiExecutionEngine,
  now: () => number,
  buyers = true,
): BeaconNode {
  return new BeaconNode({
    ctx,
    anchor,
    validatorKeys: new Map(Array.from({ length: VALIDATORS }, (_, i) => [i, interopSecretKey(i)] as const)),
    buyerKeys: buyers
      ? new Map(Array.from({ length: BUYERS }, (_, i) => [i, interopBuyerSecretKey(i)] as const))
      : new Map(),
    buyerCount: BUYERS,
    now,
    random: () => 0.5,
    misbehaviour: { withholdCommitment: 0, withholdPayload: 0 },
    engine,
  });
}

/**
 * A producer (every key) and a keyless follower on one clock; the follower imports each block and payload
 * the producer makes. With `refused`, an import that throws is collected there instead of thrown.
 * `runSlot` lets `settle` answer after each interval (default: both engines).
 */
export function producerAndFollower(opts: {
  ctx: ChainContext;
  anchor: () => CachedBeaconState;
  producerEngine: EngineApiExecutionEngine;
  followerEngine: EngineApiExecutionEngine;
  refused?: unknown[];
  settle?: EngineApiExecutionEngine[];
}) {
  const { ctx, anchor, producerEngine, followerEngine, refused } = opts;
  const clock = sharedClock(ctx);
  const producer = producerNode(ctx, anchor(), producerEngine, clock.now);
  const follower = new BeaconNode({
    ctx,
    anchor: anchor(),
    validatorKeys: new Map(),
    buyerKeys: new Map(),
    buyerCount: BUYERS,
    now: clock.now,
    engine: followerEngine,
  });
  const forward = (importIt: () => void) => {
    if (!refused) return importIt();
    try {
      importIt();
    } catch (e) {
      refused.push(e);
    }
  };
  producer.chain.on("block", (entry) => forward(() => follower.importBlock(entry.block)));
  producer.chain.on("payload", (entry) => forward(() => follower.importEnvelope(entry.envelope!)));
  const settle = opts.settle ?? [producerEngine, followerEngine];
  const runSlot = (slot: number) => clock.runSlot(slot, [producer, follower], settle);
  return { producer, follower, runSlot };
}

/**
 * A stepped node (see `steppedNode`) on a fresh embedded EL in `dir`, through the Engine API. On success the
 * caller closes `exec`; if the setup fails, it is closed here.
 */
export async function steppedNodeOnEl(
  dir: string,
  opts: { ethPort?: number | null; searcher?: SearcherOptions; random?: () => number } = {},
) {
  const ctx = createChainContext(minimalChainConfig);
  const { genesis, anchor } = await executionGenesis(ctx);
  const exec = await startEl(join(dir, "execution"), genesis, { ethPort: opts.ethPort, searcher: opts.searcher });
  try {
    const engine = engineAt(ctx, exec.engine.url);
    return { exec, engine, ...steppedNode({ anchor: anchor(), ctx, engine, random: opts.random }) };
  } catch (e) {
    await exec.close();
    throw e;
  }
}
