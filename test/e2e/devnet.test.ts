import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../packages/node/src/cli/index.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Summary {
  finalizedEpochPerNode: (number | null)[];
  headsAgree: boolean;
  finalizedAgree: boolean;
  blocks: number;
  payloadsRevealed: number;
  payloadRate: number;
  ticketsSold: number;
  ticketsDrawn: number;
  priceSeries: { slot: number; price: number }[];
  peakRssMbPerNode: (number | null)[];
  events: string[];
}

/** Run `turnstile devnet` as a user would, and read its summary. */
function runDevnet(
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

describe("local devnet of real node processes", () => {
  it("4 nodes x 64 validators at 2-second slots finalize, agree, trade tickets and reveal payloads", {
    timeout: 240_000,
  }, async () => {
    const { code, summary, output } = await runDevnet(
      [
        "--nodes",
        "4",
        "--validators",
        "64",
        "--buyers",
        "4",
        "--seconds-per-slot",
        "2",
        "--epochs",
        "4",
        "--p2p-port",
        "19100",
        "--api-port",
        "15100",
        "--withhold-rate",
        "0.05",
      ],
      220_000,
    );
    assert.equal(code, 0, output.slice(-2000));
    assert.ok(
      summary.finalizedEpochPerNode.every((e) => e !== null && e >= 2),
      JSON.stringify(summary.finalizedEpochPerNode),
    );
    assert.ok(summary.headsAgree && summary.finalizedAgree);
    assert.ok(summary.ticketsSold > 0 && summary.ticketsDrawn > 0, "tickets were bought and drawn");
    assert.ok(summary.payloadRate > 0.6, `payload rate ${summary.payloadRate}`);
    // Withholding holders (10% per commitment and per reveal) leave slots without payload; the chain finalizes anyway
    assert.ok(
      summary.payloadsRevealed < summary.blocks,
      `${summary.payloadsRevealed} of ${summary.blocks} payloads revealed`,
    );
    const prices = summary.priceSeries.map((p) => p.price);
    assert.ok(new Set(prices).size > 3, "the ticket price moves");
  });

  it("a node killed with SIGKILL restarts from its database and rejoins; a node joining after finality range-syncs", {
    timeout: 360_000,
  }, async () => {
    const { code, summary, output } = await runDevnet(
      [
        "--nodes",
        "4",
        "--validators",
        "64",
        "--buyers",
        "2",
        "--seconds-per-slot",
        "2",
        "--epochs",
        "7",
        "--p2p-port",
        "19200",
        "--api-port",
        "15200",
        "--withhold-rate",
        "0",
        "--join-late",
        "3:28",
        "--kill",
        "2:10:3",
      ],
      340_000,
    );
    assert.equal(code, 0, output.slice(-2000));
    assert.equal(summary.events.length, 3, summary.events.join("; "));
    assert.ok(
      summary.finalizedEpochPerNode.every((e) => e !== null && e >= 4),
      JSON.stringify(summary.finalizedEpochPerNode),
    );
    assert.ok(summary.headsAgree && summary.finalizedAgree, "the restarted and the late node agree with the others");
  });
});
