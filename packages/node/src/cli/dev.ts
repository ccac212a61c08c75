import { rmSync } from "node:fs";
import { PayloadStatus } from "@turnstile/fork-choice";
import {
  type CachedBeaconState,
  type ChainConfig,
  chainConfigToYaml,
  createChainContext,
  createGenesisState,
  interopBuyerSecretKey,
  interopSecretKey,
  parseChainConfigYaml,
} from "@turnstile/ticket-state";
import { Command, Option } from "commander";
import { startApi } from "../api/server.ts";
import { BeaconDb } from "../db/beaconDb.ts";
import { loadAnchorState, persistChain, replayStoredBlocks } from "../db/persistence.ts";
import { createLogger } from "../logger.ts";
import { NodeMetrics } from "../metrics/metrics.ts";
import { BeaconNode } from "../node/beaconNode.ts";
import { loadConfig, nonNegativeInt, positiveInt, probability } from "./options.ts";

const GWEI_PER_ETH = 1e9;
const STATUS = ["pending", "empty", "full"] as const;

export function devCommand(): Command {
  return new Command("dev")
    .description("Run one node at once: interop validators and ticket-holder agents, state in a data dir")
    .addOption(new Option("--validators <n>", "interop validators").argParser(positiveInt).default(64))
    .addOption(new Option("--buyers <n>", "ticket-holder accounts").argParser(nonNegativeInt).default(4))
    .addOption(new Option("--seconds-per-slot <s>", "slot time").argParser(positiveInt).default(2))
    .addOption(
      new Option("--preset <name>", "preset and default config").choices(["minimal", "mainnet"]).default("minimal"),
    )
    .addOption(new Option("--config <file>", "chain config YAML (consensus-specs format)"))
    .addOption(new Option("--data-dir <dir>", "database directory").default(".turnstile/dev"))
    .addOption(new Option("--reset", "wipe the data dir and start a new chain"))
    .addOption(new Option("--api-host <host>", "REST API address").default("127.0.0.1"))
    .addOption(
      new Option("--api-port <port>", "REST API port (0: any free port)").argParser(nonNegativeInt).default(5052),
    )
    .addOption(
      new Option("--withhold-rate <p>", "chance a holder withholds its commitment or payload")
        .argParser(probability)
        .default(0.05),
    )
    .addOption(
      new Option("--slots <n>", "stop after this many slots (default: run until interrupted)").argParser(positiveInt),
    )
    .addOption(new Option("--log-level <level>", "pino log level").default("info"))
    .action(async (opts) => {
      const log = createLogger({ level: opts.logLevel });
      if (opts.reset) rmSync(opts.dataDir, { recursive: true, force: true });
      const requested: ChainConfig = { ...loadConfig(opts.preset, opts.config), SECONDS_PER_SLOT: opts.secondsPerSlot };
      let ctx = createChainContext(requested);
      const db = new BeaconDb(ctx, opts.dataDir);
      await db.open();

      let loaded = await loadAnchorState(ctx, db);
      if (loaded) {
        // A chain lives with the config it started with
        const stored = await db.getGenesis();
        ctx = createChainContext(parseChainConfigYaml(stored!.configYaml));
        loaded = await loadAnchorState(ctx, db);
        log.info({ dataDir: opts.dataDir, anchorSlot: loaded!.anchor.state.slot }, "resuming chain from the database");
      } else {
        const genesisTime = Math.floor(Date.now() / 1000) + 1;
        const genesis = createGenesisState(ctx, {
          genesisTime,
          validatorPubkeys: Array.from({ length: opts.validators }, (_, i) =>
            interopSecretKey(i).toPublicKey().toBytes(),
          ),
          buyers: Array.from({ length: opts.buyers }, (_, i) => ({
            pubkey: interopBuyerSecretKey(i).toPublicKey().toBytes(),
            balance: 1000 * GWEI_PER_ETH,
          })),
        });
        await db.putGenesis(genesis.serialize(), chainConfigToYaml(ctx.config));
        loaded = { genesis, anchor: genesis };
        log.info({ dataDir: opts.dataDir, genesisTime, validators: opts.validators, buyers: opts.buyers }, "new chain");
      }
      const { anchor } = loaded!;
      const state = anchor.state;
      const validatorKeys = new Map(
        Array.from({ length: state.validators.length }, (_, i) => [i, interopSecretKey(i)] as const),
      );
      const buyerKeys = new Map(
        Array.from({ length: state.buyers.length }, (_, i) => [i, interopBuyerSecretKey(i)] as const),
      );
      const node = new BeaconNode({
        ctx,
        anchor,
        validatorKeys,
        buyerKeys,
        buyerCount: state.buyers.length,
        misbehaviour: { withholdCommitment: opts.withholdRate, withholdPayload: opts.withholdRate },
      });
      const metrics = new NodeMetrics();
      wireMetricsAndLogs(node, metrics, log);
      const replayed = await replayStoredBlocks(node.chain, db, (e) =>
        log.warn({ err: (e as Error).message }, "stored block not replayed"),
      );
      if (replayed > 0) log.info({ replayed, head: node.chain.forkChoice.getHead().slot }, "replayed stored blocks");
      const persistence = persistChain(node.chain, db, (e) =>
        log.error({ err: (e as Error).message }, "database write failed"),
      );
      const api = await startApi({ host: opts.apiHost, port: opts.apiPort, node, metrics, db });
      log.info(
        { url: `http://${opts.apiHost}:${(api.server.address() as { port: number }).port}` },
        "REST API listening",
      );

      let stopping = false;
      const stop = async (reason: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ reason }, "stopping");
        node.stop();
        await api.close();
        await persistence.flush();
        await db.close();
        log.flush();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop("SIGINT"));
      process.once("SIGTERM", () => void stop("SIGTERM"));
      node.clock.on("interval", (slot, interval) => {
        if (interval !== 3) return;
        logSlot(node, slot, log);
        if (opts.slots !== undefined && slot >= opts.slots) void stop(`ran ${opts.slots} slots`);
      });
      node.start();
    });
}

function wireMetricsAndLogs(node: BeaconNode, metrics: NodeMetrics, log: ReturnType<typeof createLogger>): void {
  node.on("rejected", (kind, code, message) => {
    metrics.rejected.inc({ kind, code });
    log.warn({ kind, code }, message);
  });
  node.on("published", (kind) => metrics.imported.inc({ kind }));
  node.chain.on("finalized", (cp) => log.info({ epoch: cp.epoch, root: cp.root }, "finalized"));
}

function logSlot(node: BeaconNode, slot: number, log: ReturnType<typeof createLogger>): void {
  const head = node.chain.head();
  const s: CachedBeaconState["state"] = head.state.state;
  log.info(
    {
      slot,
      head: head.slot,
      payload: STATUS[head.payloadStatus],
      justified: node.chain.forkChoice.justified.epoch,
      finalized: node.chain.forkChoice.finalized.epoch,
      priceEth: s.ticket_price / GWEI_PER_ETH,
      pool: s.ticket_pool.length,
    },
    head.slot === slot
      ? head.payloadStatus === PayloadStatus.FULL
        ? "slot: payload revealed"
        : "slot: no payload"
      : "slot: no block",
  );
}
