import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_CHAIN_ID,
  DEFAULT_DEV_ACCOUNTS,
  devAccounts,
  devnetReferencePrice,
  ethRpc,
  priceToFloat,
  TrafficGenerator,
  type TrafficStats,
} from "@turnstile/execution";
import { REALISED_MEV_FILE } from "./runNode.ts";

/** `turnstile devnet --traffic`: what the users' traffic and the holders' arbitrage did. */
export interface TrafficSummary {
  sent: TrafficStats;
  /** Transactions in the canonical EL chain of node 0 (its eth_ endpoint). */
  transactionsIncluded: number;
  /** EL blocks of node 0's head chain that carry at least one transaction. */
  blocksWithTransactions: number;
  /** Every node's eth_ head (number and hash): equal when their ELs agree. */
  elHeads: ({ number: number; hash: string } | null)[];
  /** The reference price at the end (ETH per TKN). */
  referencePrice: number;
  /** Slots whose revealed holder payload reported its realised MEV (zero included), those above zero, and the sum (Gwei). */
  holderPayloadSlots: number;
  slotsWithMev: number;
  mevRealisedGwei: number;
  /** Per node: users' transactions accepted from gossip (turnstile_gossip_verdicts_total, topic transaction). */
  gossipAcceptedPerNode: (number | null)[];
  /** Per node: p99 of the EL's import (engine_newPayloadV1 round trip) of payloads with transactions, ms (last 10 minutes). */
  elImportP99MsPerNode: (number | null)[];
  /** The merged per-slot series `[{slot, gwei}]` (for the market lab's `realised` MEV process). */
  mevSeriesFile: string;
}

export interface DevnetTrafficOptions {
  ethUrls: string[];
  /** The nodes' REST APIs (their /metrics). */
  apiUrls: string[];
  rate: number;
  referenceSeed: number;
  referenceVolatility: number;
  genesisTime: number;
  secondsPerSlot: number;
  onError?: (e: Error) => void;
}

const METRICS_TIMEOUT_MS = 1500;
const MS_PER_SECOND = 1000;
/** Share of swaps in the devnet's traffic (the rest are ETH transfers). */
const SWAP_SHARE = 0.5;

/** Users' traffic against the nodes' eth_ endpoints, on the reference price the nodes' searchers use. */
export function startDevnetTraffic(opts: DevnetTrafficOptions): TrafficGenerator {
  const traffic = new TrafficGenerator({
    rpcUrls: opts.ethUrls,
    accounts: devAccounts(DEFAULT_DEV_ACCOUNTS),
    chainId: DEFAULT_CHAIN_ID,
    rate: opts.rate,
    swapShare: SWAP_SHARE,
    referencePrice: devnetReferencePrice(
      opts.referenceSeed,
      opts.referenceVolatility,
      opts.genesisTime,
      opts.secondsPerSlot,
    ),
    onError: opts.onError,
  });
  traffic.start();
  return traffic;
}

/** The per-slot realised MEV every node's holders recorded, merged by slot (Gwei summed). */
export function mergeRealisedMev(nodeDataDirs: readonly string[]): { slot: number; gwei: number }[] {
  const bySlot = new Map<number, number>();
  for (const dir of nodeDataDirs) {
    const file = join(dir, REALISED_MEV_FILE);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const { slot, gwei } = JSON.parse(line) as { slot: number; gwei: number };
      bySlot.set(slot, (bySlot.get(slot) ?? 0) + gwei);
    }
  }
  return [...bySlot.entries()].sort((a, b) => a[0] - b[0]).map(([slot, gwei]) => ({ slot, gwei }));
}

async function metricsText(apiUrl: string): Promise<string | null> {
  try {
    const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
    return await res.text();
  } catch {
    return null;
  }
}

/** Transactions a node accepted from gossip; null when it does not answer. */
function gossipAccepted(text: string | null): number | null {
  if (text === null) return null;
  const m = /^turnstile_gossip_verdicts_total\{[^}]*topic="transaction"[^}]*action="ACCEPT"[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** The p99 of the node's EL imports of payloads with transactions, ms; null when none or no answer. */
function elImportP99Ms(text: string | null): number | null {
  if (text === null) return null;
  const m = /^turnstile_el_new_payload_seconds\{quantile="0\.99"\} ([0-9.eE+-]+)/m.exec(text);
  if (!m || !Number.isFinite(Number(m[1]))) return null;
  return Math.round(Number(m[1]) * MS_PER_SECOND * 100) / 100;
}

async function elHead(url: string): Promise<{ number: number; hash: string } | null> {
  try {
    const block = await ethRpc<{ number: string; hash: string } | null>(url, "eth_getBlockByNumber", ["latest", false]);
    return block ? { number: Number(block.number), hash: block.hash } : null;
  } catch {
    return null;
  }
}

/** Stop the traffic and gather the figures: what was sent, what the chain carries, what holders realised. */
export async function finishDevnetTraffic(
  traffic: TrafficGenerator,
  opts: DevnetTrafficOptions,
  devnetDir: string,
  nodeDataDirs: readonly string[],
): Promise<TrafficSummary> {
  await traffic.stop();
  const elHeads = await Promise.all(opts.ethUrls.map(elHead));
  const metrics = await Promise.all(opts.apiUrls.map(metricsText));
  const gossipAcceptedPerNode = metrics.map(gossipAccepted);
  const elImportP99MsPerNode = metrics.map(elImportP99Ms);
  let transactionsIncluded = 0;
  let blocksWithTransactions = 0;
  const head = elHeads[0];
  for (let n = 1; head && n <= head.number; n++) {
    const block = await ethRpc<{ transactions: string[] } | null>(opts.ethUrls[0], "eth_getBlockByNumber", [
      `0x${n.toString(16)}`,
      false,
    ]).catch(() => null);
    const count = block?.transactions.length ?? 0;
    transactionsIncluded += count;
    if (count > 0) blocksWithTransactions++;
  }
  const series = mergeRealisedMev(nodeDataDirs);
  const mevSeriesFile = join(devnetDir, "realised-mev.json");
  writeFileSync(mevSeriesFile, `${JSON.stringify(series)}\n`);
  const reference = devnetReferencePrice(
    opts.referenceSeed,
    opts.referenceVolatility,
    opts.genesisTime,
    opts.secondsPerSlot,
  );
  return {
    sent: traffic.stats,
    transactionsIncluded,
    blocksWithTransactions,
    elHeads,
    gossipAcceptedPerNode,
    elImportP99MsPerNode,
    referencePrice: priceToFloat(reference.at(Date.now() / 1000)),
    holderPayloadSlots: series.length,
    slotsWithMev: series.filter((s) => s.gwei > 0).length,
    mevRealisedGwei: series.reduce((sum, s) => sum + s.gwei, 0),
    mevSeriesFile,
  };
}
