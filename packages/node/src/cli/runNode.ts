import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { SecretKey } from "@chainsafe/blst";
import { PayloadStatus } from "@turnstile/fork-choice";
import type { Network } from "@turnstile/p2p";
import {
  type CachedBeaconState,
  type ChainContext,
  chainConfigToYaml,
  createChainContext,
  interopBuyerSecretKey,
  interopSecretKey,
  parseChainConfigYaml,
  toHex,
} from "@turnstile/ticket-state";
import { apiNetworkOf } from "../api/network.ts";
import { startApi } from "../api/server.ts";
import { observeVotes } from "../chain/votes/observeVotes.ts";
import { BeaconDb } from "../db/beaconDb.ts";
import { loadAnchorState, persistChain, replayStoredBlocks } from "../db/persistence.ts";
import { type ExecutionChoice, startExecution } from "../execution/startExecution.ts";
import type { Logger } from "../logger.ts";
import { NodeMetrics } from "../metrics/metrics.ts";
import { observeChain } from "../metrics/observeChain.ts";
import { attachNetwork, type NodeNetworkOptions } from "../network/nodeNetwork.ts";
import { BeaconNode } from "../node/beaconNode.ts";
import { mapKeystoresToIndices } from "../validator/keystore.ts";
import { SlashingProtectionGuard } from "../validator/signingGuard.ts";
import { SlashingProtectionDb } from "../validator/slashingProtectionDb.ts";

const GWEI_PER_ETH = 1e9;
const STATUS = ["pending", "empty", "full"] as const;

/** In the node's data dir: one JSON line per revealed holder payload, `{slot, buyerIndex, gwei}` of realised MEV. */
export const REALISED_MEV_FILE = "realised-mev.jsonl";

export interface RunNodeOptions {
  ctx: ChainContext;
  dataDir: string;
  /** The validators' EIP-3076 slashing-protection database (see `slashingProtectionPath`). */
  slashingProtectionDir: string;
  /** Genesis when the data dir holds no chain yet. */
  makeGenesis: (ctx: ChainContext) => CachedBeaconState;
  /** Which interop validators and buyers this node runs (undefined: all of them). */
  validatorIndices?: number[];
  buyerIndices?: number[];
  /**
   * Validators with real keys (e.g. from EIP-2335 keystores), run in addition to the interop ones:
   * their indices are looked up by pubkey in the anchor state; unknown pubkeys are warned about and skipped.
   */
  validatorKeystores?: readonly { pubkey: Uint8Array; secretKey: SecretKey }[];
  withholdRate: number;
  /** Inclusion lists: one synthetic user transaction per slot into the node's pool (built-in engine). */
  userTraffic?: boolean;
  /** Buyers whose agents here leave inclusion-list transactions out of their payloads. */
  censoringBuyers?: number[];
  /** Our validators offer their granted tickets for sale (GrantSeller). */
  sellGrantedTickets?: boolean;
  apiHost: string;
  apiPort: number;
  network?: NodeNetworkOptions;
  /** Stop after this slot. */
  stopAtSlot?: number;
  /** The execution layer (default: the deterministic engine). */
  execution?: ExecutionChoice;
  log: Logger;
}

/** Open (or create) the chain in the data dir, start the node, its API and, if asked, its network. */
export async function runNode(
  opts: RunNodeOptions,
): Promise<{ node: BeaconNode; stop(reason: string): Promise<void> }> {
  const { log } = opts;
  let ctx = opts.ctx;
  const db = new BeaconDb(ctx, opts.dataDir);
  await db.open();
  const stored = await db.getGenesis();
  if (stored) {
    // A chain lives with the config it started with
    ctx = createChainContext(parseChainConfigYaml(stored.configYaml));
  } else {
    await db.putGenesis(opts.makeGenesis(ctx).serialize(), chainConfigToYaml(ctx.config));
  }
  const loaded = (await loadAnchorState(ctx, db))!;
  const { anchor } = loaded;
  log.info({ dataDir: opts.dataDir, anchorSlot: anchor.state.slot, resumed: stored !== undefined }, "chain opened");
  // Before any duty runs: a database of another chain stops the node here
  const slashingProtection = await SlashingProtectionDb.open(
    opts.slashingProtectionDir,
    anchor.state.genesis_validators_root,
  ).catch(async (e: unknown) => {
    await db.close();
    throw e;
  });
  log.info({ dir: opts.slashingProtectionDir }, "slashing protection opened");

  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const validatorIndices = opts.validatorIndices ?? all(anchor.state.validators.length);
  const buyerIndices = opts.buyerIndices ?? all(anchor.state.buyers.length);
  const validatorKeys = new Map(validatorIndices.map((i) => [i, interopSecretKey(i)] as const));
  if (opts.validatorKeystores) {
    const { keys, unknown } = mapKeystoresToIndices(opts.validatorKeystores, anchor.caches.pubkeys.pubkey2index);
    for (const pubkey of unknown)
      log.warn({ pubkey: toHex(pubkey) }, "keystore validator not in the anchor state, skipped");
    for (const [index, key] of keys) {
      // The keystore's key is the one whose pubkey is in the state
      if (validatorKeys.has(index))
        log.warn({ index }, "validator both interop and from a keystore, keystore key used");
      validatorKeys.set(index, key);
    }
    log.info({ validators: keys.size, skipped: unknown.length }, "keystore validators");
  }
  const execution = await startExecution(
    ctx,
    opts.execution ?? { kind: "deterministic" },
    opts.dataDir,
    anchor,
    log,
  ).catch(async (e: unknown) => {
    await slashingProtection.close();
    await db.close();
    throw e;
  });
  // One database for validators (EIP-3076) and ticket holders (one commitment per key and slot)
  const guard = new SlashingProtectionGuard(slashingProtection, log);
  const node = new BeaconNode({
    ctx,
    anchor,
    engine: execution.engine,
    validatorKeys,
    buyerKeys: new Map(buyerIndices.map((i) => [i, interopBuyerSecretKey(i)] as const)),
    buyerCount: anchor.state.buyers.length,
    misbehaviour: { withholdCommitment: opts.withholdRate, withholdPayload: opts.withholdRate },
    signingGuard: guard,
    holderSigningGuard: guard,
    userTraffic: opts.userTraffic,
    censoringBuyers: opts.censoringBuyers,
    sellGrantedTickets: opts.sellGrantedTickets,
  });
  const metrics = new NodeMetrics();
  observeVotes(node.votes, node.chain.votes, metrics, log);
  node.on("rejected", (kind, code, message) => {
    metrics.rejected.inc({ kind, code });
    log.debug({ kind, code }, message);
  });
  node.on("published", (kind, seconds) => {
    metrics.imported.inc({ kind });
    if (kind === "block") metrics.importSeconds.observe(seconds);
  });
  node.on("commitmentDropped", (dropped) => {
    metrics.commitmentsDropped.inc();
    log.warn(dropped, "proposer left out a holder's commitment seen before the slot");
  });
  node.on("inclusionListOutcome", (outcome) => {
    metrics.inclusionListPayloads.inc({ satisfied: String(outcome.satisfied), canonical: String(outcome.canonical) });
    if (!outcome.satisfied) log.info(outcome, "payload left out inclusion-list transactions");
  });
  execution.engine?.events.on("payloadExecuted", (seconds, transactions) => {
    if (transactions > 0) metrics.elPayloadSeconds.observe(seconds);
  });
  node.on("holderMevRealised", (slot, buyerIndex, gwei, valuation) => {
    metrics.holderMevRealised.inc(Math.max(0, gwei));
    metrics.holderPayloadsWithMev.inc({ positive: String(gwei > 0) });
    log.info({ slot, buyerIndex, gwei, valuation }, "holder payload realised MEV");
    // The per-slot series a market-lab run can replay (mev process `realised`)
    appendFileSync(join(opts.dataDir, REALISED_MEV_FILE), `${JSON.stringify({ slot, buyerIndex, gwei })}\n`);
  });
  node.chain.on("finalized", (cp) => log.info({ epoch: cp.epoch, root: cp.root }, "finalized"));
  observeChain(node, metrics, log);

  const replayed = await replayStoredBlocks(node.chain, db, (e) =>
    log.warn({ err: (e as Error).message }, "stored block not replayed"),
  );
  if (replayed > 0) log.info({ replayed, head: node.chain.forkChoice.getHead().slot }, "replayed stored blocks");
  const persistence = persistChain(node.chain, db, (e) =>
    log.error({ err: (e as Error).message }, "database write failed"),
  );

  let network: Network | undefined;
  if (opts.network) network = await attachNetwork(node, { ...opts.network, db, metrics }, log);
  metrics.bindNode(node, () => network);
  // Users' transactions to our EL's eth_ endpoint reach the peers' mempools
  execution.embedded?.onUserTransaction((raw, hash) => node.publishUserTransaction(raw, hash));
  const api = await startApi({
    host: opts.apiHost,
    port: opts.apiPort,
    node,
    metrics,
    db,
    network: network && apiNetworkOf(network),
  });
  log.info({ url: `http://${opts.apiHost}:${(api.server.address() as { port: number }).port}` }, "REST API listening");

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, "stopping");
    node.stop();
    await api.close();
    await network?.stop().catch(() => {});
    await persistence.close();
    await db.close();
    await slashingProtection.close();
    await execution.close();
  };
  node.clock.on("interval", (slot, interval) => {
    if (interval !== 3) return;
    logSlot(node, slot, log, network?.getConnectedPeers().length);
    if (opts.stopAtSlot !== undefined && slot >= opts.stopAtSlot)
      void stop(`reached slot ${opts.stopAtSlot}`).then(() => process.exit(0));
  });
  node.start();
  return { node, stop };
}

function logSlot(node: BeaconNode, slot: number, log: Logger, peers: number | undefined): void {
  const head = node.chain.head();
  const s = head.state.state;
  log.info(
    {
      slot,
      head: head.slot,
      payload: STATUS[head.payloadStatus],
      justified: node.chain.forkChoice.justified.epoch,
      finalized: node.chain.forkChoice.finalized.epoch,
      priceEth: s.ticket_price / GWEI_PER_ETH,
      pool: s.ticket_pool.length,
      ...(peers === undefined ? {} : { peers }),
    },
    head.slot === slot
      ? head.payloadStatus === PayloadStatus.FULL
        ? "slot: payload revealed"
        : "slot: no payload"
      : "slot: no block",
  );
}

/** Exit cleanly on SIGINT/SIGTERM: stop duties, flush the database, close it. */
export function stopOnSignals(stop: (reason: string) => Promise<void>): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stop(signal).then(() => process.exit(0));
    });
  }
}
