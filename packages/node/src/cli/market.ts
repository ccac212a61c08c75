import { readFileSync } from "node:fs";
import { TICKET_PRICING_RULES } from "@turnstile/ticket-state";
import { SingleBar } from "cli-progress";
import { Command, InvalidArgumentError, Option } from "commander";
import { supportedMechanisms } from "../market/mechanisms.ts";
import { formatMeanSd, writeOutputs } from "../market/output.ts";
import { runSweep } from "../market/runner.ts";
import { applySetupPatch, DEFAULT_SETUP, type LabSetup } from "../market/setup.ts";
import { parseSweep, type SweepPlan } from "../market/sweep.ts";
import { nonNegativeInt, positiveInt } from "./options.ts";

function shock(value: string): { slot: number; mevFactor: number } {
  const m = /^(\d+):(\d+(\.\d+)?)$/.exec(value);
  if (!m) throw new InvalidArgumentError("expected SLOT:FACTOR, e.g. 500:2");
  return { slot: Number(m[1]), mevFactor: Number(m[2]) };
}

function mechanisms(value: string): string[] {
  return value.split(",").map((s) => s.trim());
}

/** Flags given on the command line override every point of the plan. */
function overrides(opts: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (opts.slots !== undefined) patch.slots = opts.slots;
  if (opts.runs !== undefined) patch.runs = opts.runs;
  if (opts.seed !== undefined) patch.seed = opts.seed;
  if (opts.validators !== undefined) patch.validators = opts.validators;
  if (opts.burnIn !== undefined) patch.burnIn = opts.burnIn;
  if (opts.shock !== undefined) patch.shock = opts.shock;
  if (opts.mev !== undefined) patch.mev = { process: opts.mev };
  if (opts.signatures === false) patch.verifySignatures = false;
  return patch;
}

function buildPlan(opts: Record<string, unknown>): SweepPlan {
  const patch = overrides(opts);
  if (typeof opts.sweep === "string") {
    const plan = parseSweep(readFileSync(opts.sweep, "utf8"));
    return { name: plan.name, points: plan.points.map((p) => applySetupPatch(p, patch, "--")) };
  }
  const base: LabSetup = applySetupPatch({ ...DEFAULT_SETUP, name: "cli" }, patch, "--");
  const names = (opts.mechanism as string[] | undefined) ?? [base.mechanism];
  return {
    name: "cli",
    points: names.map((m) => applySetupPatch(base, { mechanism: m, name: m }, "--")),
  };
}

/** The command line that reproduces the results: where they are written and how many threads run them change nothing. */
function reproduceCommand(args: string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out" || args[i] === "--workers") i++;
    else if (!args[i].startsWith("--out=") && !args[i].startsWith("--workers=") && args[i] !== "--json")
      kept.push(args[i]);
  }
  return ["turnstile market", ...kept].join(" ");
}

export function marketCommand(): Command {
  return new Command("market")
    .description(
      "Market lab: agents trade tickets on the real state transition; capture, price-value correlation, concentration, volatility per mechanism (docs/market.md)",
    )
    .addOption(new Option("--sweep <file>", "YAML sweep or setup file (packages/node/market/setups/*.yaml)"))
    .addOption(
      new Option(
        "--mechanism <list>",
        `comma-separated TICKET_PRICING rules without --sweep (lab adapters: ${supportedMechanisms(TICKET_PRICING_RULES).join(", ")})`,
      ).argParser(mechanisms),
    )
    .addOption(new Option("--slots <n>", "slots per run (overrides the file)").argParser(positiveInt))
    .addOption(new Option("--runs <n>", "runs (seeds) per point (overrides the file)").argParser(positiveInt))
    .addOption(new Option("--seed <n>", "first seed (overrides the file)").argParser(nonNegativeInt))
    .addOption(new Option("--validators <n>", "interop validators").argParser(positiveInt))
    .addOption(new Option("--burn-in <n>", "slots left out of the metrics").argParser(nonNegativeInt))
    .addOption(new Option("--mev <process>", "MEV process").choices(["exponential", "markov", "engine"]))
    .addOption(
      new Option("--shock <slot:factor>", "multiply MEV by FACTOR from SLOT on (demand shock)").argParser(shock),
    )
    .addOption(
      new Option("--no-signatures", "skip BLS signing and verification of blocks, envelopes and operations (lab only)"),
    )
    .addOption(new Option("--workers <n>", "worker threads (default: the machine's cores)").argParser(positiveInt))
    .addOption(new Option("--out <dir>", "output directory").default("market-out"))
    .addOption(new Option("--json", "print the summary as JSON instead of a table"))
    .action(async (opts) => {
      const plan = buildPlan(opts);
      const total = plan.points.reduce((n, p) => n + p.slots * p.runs, 0);
      const bar = new SingleBar({
        format: "market |{bar}| {percentage}% | {value}/{total} slots | eta {eta_formatted}",
        stream: process.stderr,
        hideCursor: true,
      });
      bar.start(total, 0);
      let done = 0;
      const result = await runSweep(plan, {
        workers: opts.workers,
        onProgress: (slots) => {
          done += slots;
          bar.update(done);
        },
      });
      bar.stop();
      const command = reproduceCommand(process.argv.slice(3));
      const files = writeOutputs(result, opts.out, command);
      if (opts.json) {
        const summary = result.points.map((p) => ({
          name: p.setup.name,
          mechanism: p.setup.mechanism,
          summary: p.summary,
        }));
        console.log(JSON.stringify({ name: result.name, wallMs: result.wallMs, points: summary }));
      } else {
        console.log(`| point | capture | price-value corr | (32-slot means) | HHI | volatility |`);
        console.log(`| --- | --- | --- | --- | --- | --- |`);
        for (const p of result.points) {
          const s = p.summary;
          console.log(
            `| ${p.setup.name} | ${formatMeanSd(s.capture)} | ${formatMeanSd(s.priceValueCorrelation)} | ${formatMeanSd(s.priceValueCorrelationBlocks)} | ${formatMeanSd(s.hhi)} | ${formatMeanSd(s.volatility)} |`,
          );
        }
        console.log(
          `${total} slots in ${(result.wallMs / 1000).toFixed(1)} s on ${result.workers} worker(s); report ${files.report}`,
        );
      }
    });
}
