import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const CLI = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "turnstile-market-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function turnstile(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ["--conditions=source", CLI, ...args], { timeout: 60_000 });
}

describe("turnstile market", () => {
  it("runs a sweep file and writes JSON, CSV, SVG charts and a report", async () => {
    const sweep = join(dir, "sweep.yaml");
    writeFileSync(
      sweep,
      `name: e2e
base:
  slots: 24
  runs: 2
  burnIn: 0
  tiers: [{ count: 3, skill: 0.6, capitalGwei: 1000000000 }]
sweep:
  mechanism: [pool_target, first_price_auction]
`,
    );
    const out = join(dir, "out");
    const { stdout } = await turnstile([
      "market",
      "--sweep",
      sweep,
      "--no-signatures",
      "--workers",
      "1",
      "--out",
      out,
      "--json",
    ]);
    const summary = JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
    assert.equal(summary.points.length, 2);

    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    assert.deepEqual(
      results.points.map((p: { mechanism: string }) => p.mechanism),
      ["pool_target", "first_price_auction"],
    );
    for (const p of results.points) {
      assert.equal(p.runs.length, 2);
      assert.deepEqual(
        p.runs.map((r: { seed: number }) => r.seed),
        [1, 2],
      );
      assert.equal(p.setup.verifySignatures, false);
      assert.equal(typeof p.summary.capture.mean, "number");
    }
    const table = readFileSync(join(out, "table.csv"), "utf8").trim().split("\n");
    assert.equal(table.length, 3);
    assert.match(table[0], /^point,mechanism,runs,capture_mean,capture_sd,/);
    assert.equal(readFileSync(join(out, "runs.csv"), "utf8").trim().split("\n").length, 1 + 4);
    assert.equal(readFileSync(join(out, "slots.csv"), "utf8").trim().split("\n").length, 1 + 2 * 24);
    for (const chart of ["price-value.svg", "capture.svg", "concentration.svg"]) {
      const svg = readFileSync(join(out, chart), "utf8");
      assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(svg, /<\/svg>\n$/);
    }
    const report = readFileSync(join(out, "report.md"), "utf8");
    assert.match(report, /^# Market lab: e2e/);
    assert.match(report, /\| e2e mechanism=first_price_auction \|/);
    assert.match(report, /!\[price vs value\]\(price-value.svg\)/);

    // Same seed, same files
    const again = join(dir, "again");
    await turnstile(["market", "--sweep", sweep, "--no-signatures", "--workers", "2", "--out", again, "--json"]);
    for (const f of ["results.json", "table.csv", "runs.csv", "slots.csv", "price-value.svg", "report.md"]) {
      assert.equal(readFileSync(join(again, f), "utf8"), readFileSync(join(out, f), "utf8"), f);
    }
  });

  it("exits non-zero with the typed error on a bad sweep file", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "base: { slotz: 3 }\n");
    await assert.rejects(turnstile(["market", "--sweep", bad]), (e: { stderr: string; code: number }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /MARKET_UNKNOWN_KEY: unknown key base\.slotz/);
      return true;
    });
  });
});
