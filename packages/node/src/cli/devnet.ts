import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  computeGenesisBlock,
  DEFAULT_REFERENCE_VOLATILITY,
  devGenesis,
  type TrafficGenerator,
} from "@turnstile/execution";
import { Command, InvalidArgumentError, Option } from "commander";
import { INTERVALS_PER_SLOT } from "../chain/clock.ts";
import { indexList } from "./beacon.ts";
import { DEFAULT_REFERENCE_SEED } from "./dev.ts";
import { type DevnetHealth, judgeHealth, type PollHealth, trackHealth } from "./devnetHealth.ts";
import { type DevnetTrafficOptions, finishDevnetTraffic, startDevnetTraffic } from "./devnetTraffic.ts";
import { loadConfig, nonNegativeInt, positiveInt, pricingOption, probability, withPricing } from "./options.ts";
import { indexRange, p2pMultiaddr, writeGenesis, writeNodeKeys } from "./writeGenesis.ts";

const GWEI_PER_ETH = 1e9;
/**
 * Holders reveal in interval 2; by interval 3 (the PTC's vote) a revealed payload has reached every
 * node, so a table polled then shows the slot's payload status as final.
 */
const POLL_INTERVAL = 3;
const CLI_PATH = fileURLToPath(new URL("./index.ts", import.meta.url));

interface NodeStatus {
  headSlot: number;
  headRoot: string;
  payload: string;
  justified: number;
  finalized: number;
  finalizedRoot: string;
  price: number;
  pool: number;
  sold: number;
  peers: number;
  blocks: number;
  revealed: number;
  /** Blocks with an empty commitment although a fitting holder commitment had reached the node before the slot. */
  commitmentsDropped: number;
  /** While range-syncing: the peer's head slot and blocks per second. */
  sync: { target: number; blocksPerSecond: number } | null;
  /** Tickets the node saw drawn from the pool (turnstile_tickets_drawn_total). */
  drawn: number;
  /** Revealed payloads an inclusion list bound, by outcome (turnstile_inclusion_list_payloads_total). */
  inclusionLists: InclusionListFigures;
  /** Ticket-market operations this node accepted from gossip, by topic (turnstile_gossip_verdicts_total). */
  marketGossipAccepted: Record<MarketTopic, number>;
  health: PollHealth;
}

/** The gossip topics of the opt-in ticket market, whose accepted messages the summary counts. */
const MARKET_TOPICS = ["ticket_bid", "ticket_sell_back", "ticket_offer", "ticket_fill", "holder_slashing"] as const;
type MarketTopic = (typeof MARKET_TOPICS)[number];

/** Payloads bound by an inclusion list: satisfied or not, carried by the head chain or orphaned. */
export interface InclusionListFigures {
  satisfiedCanonical: number;
  satisfiedOrphaned: number;
  unsatisfiedCanonical: number;
  unsatisfiedOrphaned: number;
}

/** One status poll of a node's REST API; undefined while it is not up. */
async function pollNode(apiPort: number): Promise<NodeStatus | undefined> {
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, { signal: AbortSignal.timeout(1500) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return path === "/metrics" ? res.text() : ((await res.json()) as { data: Record<string, unknown> });
  };
  try {
    const [header, finality, price, peers, metrics] = await Promise.all([
      get("/eth/v1/beacon/headers/head"),
      get("/eth/v1/beacon/states/head/finality_checkpoints"),
      get("/eth/v1/tickets/price"),
      get("/eth/v1/node/peers"),
      get("/metrics"),
    ]);
    const h = (header as { data: { root: string; payload_status: string; header: { message: { slot: string } } } })
      .data;
    const f = (
      finality as { data: { current_justified: { epoch: string }; finalized: { epoch: string; root: string } } }
    ).data;
    const p = (price as { data: { price: string; pool_size: string; tickets_sold: string } }).data;
    const metric = (name: string) => Number(new RegExp(`^${name} (\\d+)`, "m").exec(metrics as string)?.[1] ?? 0);
    const finalized = Number(f.finalized.epoch);
    return {
      headSlot: Number(h.header.message.slot),
      headRoot: h.root,
      payload: h.payload_status,
      justified: Number(f.current_justified.epoch),
      finalized,
      finalizedRoot: f.finalized.root,
      price: Number(p.price),
      pool: Number(p.pool_size),
      sold: Number(p.tickets_sold),
      peers: (peers as unknown as { data: unknown[] }).data.length,
      blocks: metric('turnstile_payloads_total\\{outcome="block"\\}'),
      revealed: metric('turnstile_payloads_total\\{outcome="revealed"\\}'),
      commitmentsDropped: metric("turnstile_commitments_dropped_total"),
      sync:
        metric("turnstile_syncing") === 1
          ? {
              target: metric("turnstile_sync_target_slot"),
              blocksPerSecond: metric("turnstile_sync_blocks_per_second"),
            }
          : null,
      drawn: metric("turnstile_tickets_drawn_total"),
      inclusionLists: {
        satisfiedCanonical: metric('turnstile_inclusion_list_payloads_total\\{satisfied="true",canonical="true"\\}'),
        satisfiedOrphaned: metric('turnstile_inclusion_list_payloads_total\\{satisfied="true",canonical="false"\\}'),
        unsatisfiedCanonical: metric('turnstile_inclusion_list_payloads_total\\{satisfied="false",canonical="true"\\}'),
        unsatisfiedOrphaned: metric('turnstile_inclusion_list_payloads_total\\{satisfied="false",canonical="false"\\}'),
      },
      marketGossipAccepted: Object.fromEntries(
        MARKET_TOPICS.map((topic) => [
          topic,
          metric(`turnstile_gossip_verdicts_total\\{topic="${topic}",action="ACCEPT",code="OK"\\}`),
        ]),
      ) as Record<MarketTopic, number>,
      health: {
        finalized,
        participationEpoch: metric("turnstile_participation_epoch"),
        activeGwei: metric("beacon_previous_epoch_active_gwei"),
        targetGwei: metric("beacon_previous_epoch_target_gwei"),
        headGwei: metric("beacon_previous_epoch_head_gwei"),
        reorgs: metric("beacon_reorgs_total"),
        deepestReorg: metric("turnstile_reorg_depth_max_slots"),
      },
    };
  } catch {
    return undefined;
  }
}

/** "syncing" with how far and how fast, for a node that range-syncs. */
function syncColumn(s: NodeStatus): string {
  if (s.sync === null) return "";
  if (s.sync.target <= s.headSlot) return "  syncing";
  return `  syncing to ${s.sync.target} (${Math.floor((s.headSlot / s.sync.target) * 100)}%, ${s.sync.blocksPerSecond} blocks/s)`;
}

/** Peak resident memory of a process, from /proc (Linux), in MB. */
function peakRssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export function devnetCommand(): Command {
  return new Command("devnet")
    .description("Run N beacon nodes as processes on 127.0.0.1 sharing one genesis, with a live status table")
    .addOption(new Option("--nodes <n>", "node processes").argParser(positiveInt).default(4))
    .addOption(
      new Option("--validators <n>", "interop validators, split over the nodes").argParser(positiveInt).default(64),
    )
    .addOption(
      new Option("--buyers <n>", "ticket-holder accounts, split over the nodes").argParser(nonNegativeInt).default(4),
    )
    .addOption(new Option("--seconds-per-slot <s>", "slot time").argParser(positiveInt).default(2))
    .addOption(new Option("--epochs <n>", "stop after this many epochs and write a summary").argParser(positiveInt))
    .addOption(new Option("--summary <file>", "where to write the JSON summary"))
    .addOption(
      new Option("--preset <name>", "preset and default config").choices(["minimal", "mainnet"]).default("minimal"),
    )
    .addOption(new Option("--config <file>", "chain config YAML (consensus-specs format)"))
    .addOption(pricingOption())
    .addOption(new Option("--dir <dir>", "devnet directory (wiped at start)").default(".turnstile/devnet"))
    .addOption(new Option("--p2p-port <port>", "first node's p2p port").argParser(positiveInt).default(9100))
    .addOption(new Option("--api-port <port>", "first node's REST API port").argParser(positiveInt).default(5100))
    .addOption(
      new Option("--withhold-rate <p>", "chance a holder withholds its commitment or payload")
        .argParser(probability)
        .default(0.02),
    )
    .addOption(
      new Option("--user-traffic", "every node sends one synthetic user transaction per slot (inclusion lists)"),
    )
    .addOption(
      new Option(
        "--censor-buyers <list>",
        "buyers whose agents leave inclusion-list transactions out of their payloads",
      )
        .argParser(indexList)
        .default([]),
    )
    .addOption(
      new Option(
        "--sell-grants [nodes]",
        "validators offer their granted tickets for sale, holders fill the offers (on every node, or on the nodes listed; the others' validators use theirs)",
      ).argParser(indexList),
    )
    .addOption(new Option("--log-level <level>", "the nodes' pino log level").default("info"))
    .addOption(
      new Option("--execution <kind>", "execution layer: the deterministic engine, or an embedded EVM per node")
        .choices(["deterministic", "evm"])
        .default("deterministic"),
    )
    .addOption(
      new Option(
        "--traffic",
        "with --execution evm: users' swaps and transfers to the nodes' eth_ endpoints while a reference price moves; holders' payloads arbitrage the AMM",
      ),
    )
    .addOption(
      new Option("--traffic-rate <tx/s>", "with --traffic: transactions per second").argParser(positiveInt).default(4),
    )
    .addOption(
      new Option("--reference-seed <n>", "with --traffic: seed of the reference price walk")
        .argParser(nonNegativeInt)
        .default(DEFAULT_REFERENCE_SEED),
    )
    .addOption(
      new Option("--reference-volatility <sd>", "with --traffic: the reference price's log-step per slot")
        .argParser(probability)
        .default(DEFAULT_REFERENCE_VOLATILITY),
    )
    .addOption(
      new Option("--eth-rpc-port <port>", "with --execution evm: first node's eth_ JSON-RPC port")
        .argParser(positiveInt)
        .default(8600),
    )
    .addOption(
      new Option("--max-finality-lag <epochs>", "with --epochs: fail when finality lags the wall clock by more")
        .argParser(nonNegativeInt)
        .default(2),
    )
    .addOption(
      new Option("--min-target-votes <share>", "with --epochs: fail below this share of correct target votes")
        .argParser(probability)
        .default(0.98),
    )
    .addOption(
      new Option("--min-head-votes <share>", "with --epochs: fail below this share of correct head votes")
        .argParser(probability)
        .default(0.8),
    )
    .addOption(
      new Option("--max-reorg-depth <slots>", "with --epochs: fail when a node reorgs deeper")
        .argParser(nonNegativeInt)
        .default(2),
    )
    .addOption(
      new Option(
        "--kill <node:slot:down>",
        "SIGKILL a node at a slot and restart it `down` slots later (chaos test)",
      ).argParser((v: string) => {
        const [node, slot, down] = v.split(":").map(Number);
        if (![node, slot, down].every((x) => Number.isSafeInteger(x) && x >= 0))
          throw new InvalidArgumentError("expected node:slot:down");
        return { node, slot, down };
      }),
    )
    .addOption(
      new Option("--join-late <node:slot>", "start a node only at this slot (it range-syncs from its peers)").argParser(
        (v: string) => {
          const [node, slot] = v.split(":").map(Number);
          if (![node, slot].every((x) => Number.isSafeInteger(x) && x >= 0))
            throw new InvalidArgumentError("expected node:slot");
          return { node, slot };
        },
      ),
    )
    .action(async (opts) => {
      const dir = resolve(opts.dir);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const genesisTime = Math.floor(Date.now() / 1000) + 4 + opts.nodes;
      const evm = opts.execution === "evm";
      if (opts.traffic && !evm) throw new InvalidArgumentError("--traffic needs --execution evm");
      const elGenesis = evm ? await computeGenesisBlock(devGenesis(), genesisTime) : null;
      const { ctx, genesisPath, configPath } = writeGenesis(
        dir,
        { ...withPricing(loadConfig(opts.preset, opts.config), opts.pricing), SECONDS_PER_SLOT: opts.secondsPerSlot },
        {
          genesisTime,
          validators: opts.validators,
          buyers: opts.buyers,
          executionGenesis: elGenesis
            ? { blockHash: elGenesis.hash(), gasLimit: Number(elGenesis.header.gasLimit) }
            : undefined,
        },
      );
      const { SLOTS_PER_EPOCH } = ctx.preset;

      const nodes: { dir: string; p2pPort: number; apiPort: number; peerId: string; child?: ChildProcess }[] = (
        await writeNodeKeys(dir, opts.nodes)
      ).map((n, i) => ({ dir: n.dir, p2pPort: opts.p2pPort + i, apiPort: opts.apiPort + i, peerId: n.peerId }));
      const addr = (n: (typeof nodes)[number]) => p2pMultiaddr("127.0.0.1", n.p2pPort, n.peerId);
      const start = (i: number) => {
        const n = nodes[i];
        const bootnodes = nodes
          .filter((_, j) => j !== i)
          .map(addr)
          .join(",");
        const log = openSync(join(n.dir, "node.log"), "a");
        n.child = spawn(
          process.execPath,
          [
            ...process.execArgv,
            CLI_PATH,
            "beacon",
            "--genesis",
            genesisPath,
            "--config",
            configPath,
            "--data-dir",
            n.dir,
            "--validators",
            indexRange(opts.validators, opts.nodes, i),
            "--buyers",
            indexRange(opts.buyers, opts.nodes, i),
            "--listen",
            `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
            "--bootnodes",
            bootnodes,
            "--api-port",
            String(n.apiPort),
            "--withhold-rate",
            String(opts.withholdRate),
            ...(opts.userTraffic ? ["--user-traffic"] : []),
            ...(opts.sellGrants === true || (Array.isArray(opts.sellGrants) && opts.sellGrants.includes(i))
              ? ["--sell-grants"]
              : []),
            ...((opts.censorBuyers as number[]).length > 0
              ? ["--censor-buyers", (opts.censorBuyers as number[]).join(",")]
              : []),
            "--log-level",
            opts.logLevel,
            ...(evm ? ["--execution", "evm", "--eth-rpc-port", String(opts.ethRpcPort + i)] : []),
            ...(opts.traffic
              ? [
                  "--arbitrage",
                  String(i),
                  "--reference-seed",
                  String(opts.referenceSeed),
                  "--reference-volatility",
                  String(opts.referenceVolatility),
                ]
              : []),
          ],
          { stdio: ["ignore", log, log] },
        );
      };
      // Users' traffic from the first slot on (nodes are up by then)
      const trafficOptions: DevnetTrafficOptions = {
        ethUrls: nodes.map((_, i) => `http://127.0.0.1:${opts.ethRpcPort + i}`),
        apiUrls: nodes.map((n) => `http://127.0.0.1:${n.apiPort}`),
        rate: opts.trafficRate,
        referenceSeed: opts.referenceSeed,
        referenceVolatility: opts.referenceVolatility,
        genesisTime,
        secondsPerSlot: opts.secondsPerSlot,
      };
      let traffic: TrafficGenerator | null = null;
      let trafficStart: NodeJS.Timeout | null = null;
      if (opts.traffic) {
        trafficStart = setTimeout(
          () => {
            traffic = startDevnetTraffic(trafficOptions);
          },
          Math.max(0, (genesisTime + opts.secondsPerSlot) * 1000 - Date.now()),
        ).unref();
      }
      const lateNode: number | undefined = opts.joinLate?.node;
      for (let i = 0; i < nodes.length; i++) if (i !== lateNode) start(i);
      const events: string[] = [];
      let killed = false;
      let restarted = false;
      console.log(
        `devnet: ${opts.nodes} nodes, ${opts.validators} validators, ${opts.buyers} ticket holders, ${opts.secondsPerSlot}s slots; logs in ${dir}/node-*/node.log`,
      );

      let stopping = false;
      const stopAll = async () => {
        stopping = true;
        // Users stop sending before the nodes go: no transactions thrown at closing ports
        if (trafficStart) clearTimeout(trafficStart);
        await traffic?.stop();
        for (const n of nodes) n.child?.kill("SIGTERM");
        await Promise.all(
          nodes.map(
            (n) =>
              new Promise<void>((res) => (n.child?.exitCode !== null ? res() : n.child?.once("exit", () => res()))),
          ),
        );
      };
      process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

      const prices: { slot: number; price: number }[] = [];
      const endSlot = opts.epochs !== undefined ? opts.epochs * SLOTS_PER_EPOCH + 1 : Number.POSITIVE_INFINITY;
      const interactive = process.stdout.isTTY === true;
      const slotMs = opts.secondsPerSlot * 1000;
      const health: DevnetHealth = trackHealth(SLOTS_PER_EPOCH);
      for (;;) {
        // Poll once a slot, after the slot's reveal: the table then shows its final payload status
        const sinceGenesis = Date.now() - genesisTime * 1000;
        let pollAt = Math.floor(sinceGenesis / slotMs) * slotMs + (slotMs * POLL_INTERVAL) / INTERVALS_PER_SLOT;
        if (pollAt <= sinceGenesis) pollAt += slotMs;
        await new Promise((r) => setTimeout(r, pollAt - sinceGenesis));
        if (stopping) return;
        const slot = Math.floor((Date.now() / 1000 - genesisTime) / opts.secondsPerSlot);
        if (opts.joinLate && slot >= opts.joinLate.slot && nodes[opts.joinLate.node].child === undefined) {
          start(opts.joinLate.node);
          events.push(`slot ${slot}: node-${opts.joinLate.node} joined late`);
        }
        if (opts.kill && slot >= opts.kill.slot && !killed) {
          nodes[opts.kill.node].child?.kill("SIGKILL");
          killed = true;
          events.push(`slot ${slot}: node-${opts.kill.node} killed (SIGKILL)`);
        }
        if (opts.kill && killed && !restarted && slot >= opts.kill.slot + opts.kill.down) {
          start(opts.kill.node);
          restarted = true;
          events.push(`slot ${slot}: node-${opts.kill.node} restarted from its database`);
        }
        const statuses = await Promise.all(nodes.map((n) => pollNode(n.apiPort)));
        const s0 = statuses.find((s) => s !== undefined);
        if (s0 && s0.headSlot !== prices.at(-1)?.slot) prices.push({ slot: s0.headSlot, price: s0.price });
        if (slot >= 0)
          health.observe(
            slot,
            statuses.map((s) => s?.health),
          );
        const rows = statuses.map((s, i) =>
          s === undefined
            ? `  node-${i}  (starting)`
            : `  node-${i}  head ${String(s.headSlot).padStart(4)} ${s.payload.padEnd(5)} ${s.headRoot.slice(0, 10)}  just ${String(s.justified).padStart(3)}  fin ${String(s.finalized).padStart(3)}  price ${(s.price / GWEI_PER_ETH).toFixed(5)}  pool ${String(s.pool).padStart(4)}  peers ${s.peers}${syncColumn(s)}`,
        );
        if (interactive) process.stdout.write("\x1b[2J\x1b[H");
        console.log(`slot ${slot}${Number.isFinite(endSlot) ? ` / ${endSlot}` : ""}`);
        console.log(rows.join("\n"));
        for (const e of events) console.log(`  ${e}`);
        if (slot < endSlot) continue;

        // Judge finality and agreement at a settled moment: a block reaches nodes a few ms apart, so
        // poll a few times within the slot and take the first poll on which every node answers alike
        let final: (NodeStatus | undefined)[] = [];
        let up: NodeStatus[] = [];
        let headsAgree = false;
        let finalizedAgree = false;
        for (let attempt = 0; attempt < 4 && !(headsAgree && finalizedAgree); attempt++) {
          await new Promise((r) => setTimeout(r, (opts.secondsPerSlot * 1000) / 4));
          final = await Promise.all(nodes.map((n) => pollNode(n.apiPort)));
          up = final.filter((s): s is NodeStatus => s !== undefined);
          headsAgree = up.length === nodes.length && new Set(up.map((s) => s.headRoot)).size === 1;
          finalizedAgree = up.length === nodes.length && new Set(up.map((s) => s.finalizedRoot)).size === 1;
        }
        const finalizedEpochs = final.map((s) => s?.finalized ?? null);
        const head = up[0];
        const healthSummary = health.summary();
        const healthFailures = judgeHealth(healthSummary, {
          maxFinalityLagEpochs: opts.maxFinalityLag,
          minTargetVoteShare: opts.minTargetVotes,
          minHeadVoteShare: opts.minHeadVotes,
          maxReorgDepthSlots: opts.maxReorgDepth,
        });
        const summary = {
          nodes: opts.nodes,
          validators: opts.validators,
          secondsPerSlot: opts.secondsPerSlot,
          slots: slot,
          finalizedEpochPerNode: finalizedEpochs,
          headsAgree,
          finalizedAgree,
          blocks: head?.blocks ?? 0,
          slotsMissed: head ? head.headSlot - head.blocks : null,
          payloadsRevealed: head?.revealed ?? 0,
          commitmentsDroppedPerNode: final.map((s) => s?.commitmentsDropped ?? null),
          payloadRate: head && head.blocks > 0 ? Math.round((head.revealed / head.blocks) * 1000) / 1000 : 0,
          ticketsSold: head?.sold ?? 0,
          ticketPool: head?.pool ?? 0,
          ticketsDrawn: head?.drawn ?? 0,
          inclusionListPayloadsPerNode: final.map((s) => s?.inclusionLists ?? null),
          pricing: ctx.config.TICKET_PRICING,
          marketGossipAcceptedPerNode: final.map((s) => s?.marketGossipAccepted ?? null),
          priceSeries: prices,
          peakRssMbPerNode: nodes.map((n) => peakRssMb(n.child?.pid)),
          events,
          health: healthSummary,
          healthFailures,
          ...(traffic
            ? {
                traffic: await finishDevnetTraffic(
                  traffic,
                  trafficOptions,
                  dir,
                  nodes.map((n) => join(n.dir, "db")),
                ),
              }
            : {}),
        };
        await stopAll();
        const text = `${JSON.stringify(summary, null, 2)}\n`;
        if (opts.summary) writeFileSync(opts.summary, text);
        console.log(text);
        const finalized = finalizedEpochs.every((e) => e !== null && e >= 1);
        for (const failure of healthFailures) console.error(`devnet unhealthy: ${failure}`);
        process.exit(finalized && headsAgree && finalizedAgree && healthFailures.length === 0 ? 0 : 1);
      }
    });
}
