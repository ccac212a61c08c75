import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import type { HealthSummary } from "../../packages/node/src/cli/devnetHealth.ts";

const CLI = fileURLToPath(new URL("../../packages/node/src/cli/index.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export interface Summary {
  finalizedEpochPerNode: (number | null)[];
  headsAgree: boolean;
  finalizedAgree: boolean;
  blocks: number;
  payloadsRevealed: number;
  payloadRate: number;
  commitmentsDroppedPerNode: (number | null)[];
  ticketsSold: number;
  ticketsDrawn: number;
  /** Per node: payloads an inclusion list bound, by whether they satisfied it and stayed on the head chain. */
  inclusionListPayloadsPerNode: ({
    satisfiedCanonical: number;
    satisfiedOrphaned: number;
    unsatisfiedCanonical: number;
    unsatisfiedOrphaned: number;
  } | null)[];
  /** The chain config's TICKET_PRICING (the devnet's `--pricing`). */
  pricing: string;
  /** Per node: ticket-market operations accepted from gossip, by topic. */
  marketGossipAcceptedPerNode: ({
    ticket_bid: number;
    ticket_sell_back: number;
    ticket_fill: number;
    holder_slashing: number;
  } | null)[];
  priceSeries: { slot: number; price: number }[];
  peakRssMbPerNode: (number | null)[];
  events: string[];
  health: HealthSummary;
  healthFailures: string[];
}

/** The devnet's size, timing and ports: the flags every e2e devnet sets. */
export interface DevnetShape {
  nodes: number;
  validators: number;
  buyers: number;
  secondsPerSlot: number;
  epochs: number;
  /** First node's ports (node i: port + i); each test its own range, so that files can run side by side. */
  p2pPort: number;
  apiPort: number;
  /** With `--execution evm`. */
  ethRpcPort?: number;
  withholdRate: number;
}

/** `turnstile devnet` arguments for `shape`; a test appends its own flags. */
export function devnetArgs(shape: DevnetShape): string[] {
  return [
    "--nodes",
    String(shape.nodes),
    "--validators",
    String(shape.validators),
    "--buyers",
    String(shape.buyers),
    "--seconds-per-slot",
    String(shape.secondsPerSlot),
    "--epochs",
    String(shape.epochs),
    "--p2p-port",
    String(shape.p2pPort),
    "--api-port",
    String(shape.apiPort),
    ...(shape.ethRpcPort === undefined ? [] : ["--eth-rpc-port", String(shape.ethRpcPort)]),
    "--withhold-rate",
    String(shape.withholdRate),
  ];
}

/** Run `turnstile devnet` as a user would, and read its summary. */
export function runDevnet(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; summary: Summary; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-devnet-"));
  dirs.push(dir);
  const summaryFile = join(dir, "summary.json");
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv.filter((a) => a.startsWith("--conditions")),
        CLI,
        "devnet",
        ...args,
        "--dir",
        join(dir, "net"),
        "--summary",
        summaryFile,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGINT");
      reject(new Error(`devnet did not finish in ${timeoutMs} ms:\n${output.slice(-3000)}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      try {
        resolve({ code, summary: JSON.parse(readFileSync(summaryFile, "utf8")) as Summary, output });
      } catch (e) {
        reject(new Error(`no summary (exit ${code}): ${(e as Error).message}\n${output.slice(-3000)}`));
      }
    });
  });
}

/** The summary without its long price series, for assertion messages. */
export function compact(summary: Summary): string {
  const { priceSeries, ...rest } = summary;
  return JSON.stringify({ ...rest, prices: priceSeries.length });
}
