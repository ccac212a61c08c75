import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { presets } from "@turnstile/ticket-state";
import { barChart, lineChart, svgDocument } from "./charts.ts";
import type { RunResult } from "./labRun.ts";
import { METRIC_NAMES, type MetricSummary, presentValue } from "./metrics.ts";
import type { SweepResult } from "./runner.ts";
import { GWEI_PER_MILLI_ETH } from "./setup.ts";

/** The table's columns in the report, the four first. */
const REPORT_METRICS = [
  "capture",
  "priceValueCorrelation",
  "priceValueCorrelationBlocks",
  "hhi",
  "volatility",
  "topHolderShare",
  "holdersProfitShare",
  "settleSlots",
  "refundRate",
  "withholdRate",
] as const;

const LINE_FRAME = { width: 900, height: 220 };
const BAR_FRAME = { width: 900, height: 320 };

export interface WrittenFiles {
  json: string;
  table: string;
  runs: string;
  slots: string;
  charts: string[];
  report: string;
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: unknown[][]) => `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;

/** Mean ± sd, three significant decimals. */
export function formatMeanSd(m: { mean: number | null; sd: number | null }): string {
  if (m.mean === null) return "n/a";
  const f = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(3));
  return m.sd === null ? f(m.mean) : `${f(m.mean)} ± ${f(m.sd)}`;
}

/** Price and realised present value of the first run, slot by slot (milli-ETH), for charts and CSV. */
function priceAndValue(run: RunResult, discountPerSlot: number): { slot: number; price: number; pv: number | null }[] {
  const mev = [0, ...run.slots.map((s) => s.mev)];
  const lookahead = presets.minimal.TICKET_LOOKAHEAD_SLOTS;
  return run.slots.map((s) => ({
    slot: s.slot,
    price: s.price,
    pv: presentValue(s.slot, s.pool, mev, lookahead, discountPerSlot),
  }));
}

/** Write results.json, table.csv, runs.csv, slots.csv, three SVG charts and report.md into `dir`. */
export function writeOutputs(result: SweepResult, dir: string, command: string): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const files: WrittenFiles = {
    json: join(dir, "results.json"),
    table: join(dir, "table.csv"),
    runs: join(dir, "runs.csv"),
    slots: join(dir, "slots.csv"),
    charts: [join(dir, "price-value.svg"), join(dir, "capture.svg"), join(dir, "concentration.svg")],
    report: join(dir, "report.md"),
  };
  const json = {
    name: result.name,
    command,
    units: "Gwei for prices, MEV, revenue and profit; rates and shares are fractions",
    points: result.points.map((p) => ({
      name: p.setup.name,
      mechanism: p.setup.mechanism,
      setup: p.setup,
      summary: p.summary,
      runs: p.runs.map((r, i) => ({ seed: p.setup.seed + i, ...r, wallMs: undefined })),
    })),
  };
  writeFileSync(files.json, `${JSON.stringify(json, null, 2)}\n`);

  const table = [["point", "mechanism", "runs", ...METRIC_NAMES.flatMap((m) => [`${m}_mean`, `${m}_sd`])]];
  for (const p of result.points) {
    table.push([
      p.setup.name,
      p.setup.mechanism,
      String(p.runs.length),
      ...METRIC_NAMES.flatMap((m) => [String(p.summary[m].mean ?? ""), String(p.summary[m].sd ?? "")]),
    ]);
  }
  writeFileSync(files.table, csv(table));

  const runs: unknown[][] = [["point", "mechanism", "seed", ...METRIC_NAMES]];
  for (const p of result.points) {
    p.runs.forEach((r, i) => {
      runs.push([p.setup.name, p.setup.mechanism, p.setup.seed + i, ...METRIC_NAMES.map((m) => r[m])]);
    });
  }
  writeFileSync(files.runs, csv(runs));

  const slotRows: unknown[][] = [
    [
      "point",
      "seed",
      "slot",
      "price",
      "pv",
      "pool",
      "mev",
      "builder",
      "realised",
      "revenue",
      "sold",
      "refunded",
      "withheld",
      "revealShock",
      "withheldByChoice",
      "grantsSold",
    ],
  ];
  const priceCharts: string[] = [];
  for (const p of result.points) {
    const pv = priceAndValue(p.firstRun, p.setup.discountPerSlot);
    p.firstRun.slots.forEach((s, i) => {
      slotRows.push([
        p.setup.name,
        p.firstRun.seed,
        s.slot,
        s.price,
        pv[i].pv === null ? "" : Math.round(pv[i].pv ?? 0),
        s.pool,
        s.mev,
        s.builder,
        Math.round(s.realised),
        s.revenue,
        s.sold,
        s.refunded,
        s.withheld,
        s.revealShock,
        s.withheldByChoice,
        s.grantsSold,
      ]);
    });
    const mEth = (g: number) => g / GWEI_PER_MILLI_ETH;
    priceCharts.push(
      lineChart(
        `${p.setup.name} (seed ${p.firstRun.seed})`,
        [
          { name: "ticket price", points: pv.map((x) => [x.slot, mEth(x.price)]) },
          {
            name: "realised PV",
            points: pv.filter((x) => x.pv !== null).map((x) => [x.slot, mEth(x.pv ?? 0)]),
          },
        ],
        "milli-ETH",
        LINE_FRAME,
      ),
    );
  }
  writeFileSync(files.slots, csv(slotRows));
  writeFileSync(files.charts[0], svgDocument(priceCharts, LINE_FRAME));
  const bars = (names: (keyof MetricSummary)[]) =>
    result.points.map((p) => ({
      label: p.setup.name,
      bars: names.map((n) => ({ name: n, mean: p.summary[n].mean, sd: p.summary[n].sd })),
    }));
  writeFileSync(
    files.charts[1],
    svgDocument(
      [
        barChart(
          "Protocol capture (revenue ÷ MEV), mean ± sd",
          bars(["capture", "holdersProfitShare"]),
          "share of MEV",
          BAR_FRAME,
        ),
      ],
      BAR_FRAME,
    ),
  );
  writeFileSync(
    files.charts[2],
    svgDocument(
      [barChart("Concentration of slots, mean ± sd", bars(["hhi", "topHolderShare"]), "HHI / share", BAR_FRAME)],
      BAR_FRAME,
    ),
  );
  writeFileSync(files.report, report(result, command));
  return files;
}

function report(result: SweepResult, command: string): string {
  const lines: string[] = [];
  lines.push(`# Market lab: ${result.name}`, "");
  lines.push(`Reproduce: \`${command}\``, "");
  lines.push(
    "Every run drives the real state transition slot by slot (blocks, commitments, envelopes, epochs). Prices, MEV and profit in Gwei unless said; 1 milli-ETH = 10^6 Gwei. Definitions: docs/market.md.",
    "",
  );
  lines.push("## Setups", "");
  lines.push("| point | mechanism | secondary market | slots × runs | agents | MEV | shock |");
  lines.push("| --- | --- | --- | --- | --- | --- | --- |");
  for (const p of result.points) {
    const s = p.setup;
    const agents = s.tiers.reduce((n, t) => n + t.count, 0) + s.pools.length;
    const mev =
      s.mev.process === "exponential"
        ? `Exp(mean ${s.mev.meanGwei / GWEI_PER_MILLI_ETH} mETH)`
        : s.mev.process === "markov"
          ? `Markov calm ${s.mev.calmMeanGwei / GWEI_PER_MILLI_ETH} / burst ${s.mev.burstMeanGwei / GWEI_PER_MILLI_ETH} mETH`
          : "engine";
    const shock = s.shock ? `×${s.shock.mevFactor} at ${s.shock.slot}` : "none";
    lines.push(
      `| ${s.name} | ${s.mechanism} | ${s.secondaryMarket ? "yes" : "no"} | ${s.slots} × ${s.runs} | ${agents} | ${mev} | ${shock} |`,
    );
  }
  lines.push("", "## Results (mean ± sd over seeds)", "");
  lines.push(`| point | ${REPORT_METRICS.join(" | ")} |`);
  lines.push(`| --- | ${REPORT_METRICS.map(() => "---").join(" | ")} |`);
  for (const p of result.points) {
    lines.push(`| ${p.setup.name} | ${REPORT_METRICS.map((m) => formatMeanSd(p.summary[m])).join(" | ")} |`);
  }
  lines.push("", "## Charts", "");
  lines.push(
    "![price vs value](price-value.svg)",
    "",
    "![capture](capture.svg)",
    "",
    "![concentration](concentration.svg)",
    "",
  );
  lines.push(
    "Files: results.json (every run's metrics), table.csv, runs.csv, slots.csv (first seed of each point).",
    "",
  );
  return `${lines.join("\n")}\n`;
}
