/**
 * Devnet import with real payloads: `turnstile devnet --execution evm --traffic` (2 node processes,
 * 2-second slots, 3 epochs, 8 transactions per second of swaps and transfers, holders' arbitrage),
 * and the p99 over the run of each node's EL import of payloads with transactions
 * (engine_newPayloadV1 round trip: decoding, execution, state and receipts roots), the worst node's.
 * About a minute; run on demand: `npm run bench -w @turnstile/node -- devnetEvmImport`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TrafficSummary } from "../src/cli/devnetTraffic.ts";
import { note, report } from "./common.ts";

const CLI = fileURLToPath(new URL("../src/cli/index.ts", import.meta.url));
const TIMEOUT_MS = 150_000;

export async function devnetEvmImport(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "turnstile-bench-devnet-"));
  const summaryFile = join(dir, "summary.json");
  try {
    const args = [
      ...process.execArgv.filter((a) => a.startsWith("--conditions")),
      CLI,
      "devnet",
      ...["--nodes", "2", "--validators", "16", "--buyers", "4", "--seconds-per-slot", "2", "--epochs", "3"],
      ...["--execution", "evm", "--traffic", "--traffic-rate", "8", "--withhold-rate", "0"],
      ...["--p2p-port", "19700", "--api-port", "15700", "--eth-rpc-port", "18500"],
      ...["--dir", join(dir, "net"), "--summary", summaryFile],
    ];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: "ignore" });
      const timer = setTimeout(() => {
        child.kill("SIGINT");
        reject(new Error("devnet did not finish"));
      }, TIMEOUT_MS);
      child.on("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const { traffic } = JSON.parse(readFileSync(summaryFile, "utf8")) as { traffic: TrafficSummary };
    const p99s = traffic.elImportP99MsPerNode.filter((v): v is number => v !== null);
    note(
      `devnet with real payloads: ${traffic.transactionsIncluded} transactions in ${traffic.blocksWithTransactions} payloads, EL import p99 per node ${JSON.stringify(traffic.elImportP99MsPerNode)} ms`,
    );
    if (p99s.length > 0) report("devnet_el_import_p99_real_payloads", Math.max(...p99s), "ms");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
