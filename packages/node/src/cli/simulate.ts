import { writeFileSync } from "node:fs";
import { createChainContext } from "@turnstile/ticket-state";
import { Command, Option } from "commander";
import { runSimulation, type SimulationSummary, type SlotReport } from "../sim/simulation.ts";
import { loadConfig, nonNegativeInt, positiveInt, probability } from "./options.ts";

const GWEI_PER_ETH = 1e9;

const eth = (gwei: number) => (gwei / GWEI_PER_ETH).toFixed(6);

function formatSlot(r: SlotReport): string {
  const block = r.block ? (r.selfBuilt ? "self-build" : "ticket") : "missed";
  return [
    String(r.slot).padStart(5),
    String(r.epoch).padStart(5),
    block.padEnd(10),
    r.payload.padEnd(8),
    eth(r.ticketPrice).padStart(10),
    String(r.poolSize).padStart(5),
    `+${r.purchased}`.padStart(4),
    String(r.justifiedEpoch).padStart(5),
    String(r.finalizedEpoch).padStart(5),
  ].join("  ");
}

const HEADER = [" slot", "epoch", "block     ", "payload ", " price ETH", " pool", "sold", " just", "final"].join("  ");

function formatSummary(s: SimulationSummary): string {
  return [
    "",
    `slots ${s.slots}: ${s.blocks} blocks, ${s.skippedSlots} missed; payloads ${s.payloadsRevealed} revealed, ${s.payloadsWithheld} withheld, ${s.emptyCommitments} empty`,
    `slots built by ticket holders ${s.ticketSlots}, self-built ${s.selfBuiltSlots}; tickets sold ${s.ticketsSold}, transferred ${s.ticketsTransferred}, pool ${s.poolSize}`,
    `ticket price ETH: first ${eth(s.price.first)}, min ${eth(s.price.min)}, max ${eth(s.price.max)}, last ${eth(s.price.last)}; revenue realised ${eth(s.revenueRealized)} ETH`,
    `finalized epoch ${s.finalizedEpoch}, justified epoch ${s.justifiedEpoch}; ${s.wallMs} ms (${s.msPerSlot} ms/slot, all signatures verified)`,
  ].join("\n");
}

export function simulateCommand(): Command {
  return new Command("simulate")
    .description(
      "Run an in-process chain from genesis for N slots, printing slot, finality, ticket price and pool size",
    )
    .addOption(new Option("--slots <n>", "slots to run").argParser(positiveInt).default(240))
    .addOption(new Option("--validators <n>", "interop validators").argParser(positiveInt).default(240))
    .addOption(new Option("--buyers <n>", "ticket-holder accounts (agents)").argParser(nonNegativeInt).default(6))
    .addOption(
      new Option("--preset <name>", "preset and default config").choices(["minimal", "mainnet"]).default("minimal"),
    )
    .addOption(new Option("--config <file>", "chain config YAML (consensus-specs format)"))
    .addOption(new Option("--miss-rate <p>", "chance a proposer is offline").argParser(probability).default(0.05))
    .addOption(
      new Option("--withhold-rate <p>", "chance a holder withholds its payload").argParser(probability).default(0.05),
    )
    .addOption(new Option("--seed <n>", "seed of the run's randomness").argParser(nonNegativeInt).default(1))
    .addOption(new Option("--json", "print one JSON object per slot and the summary as JSON"))
    .addOption(new Option("--summary <file>", "also write the summary as JSON to this file"))
    .action((opts) => {
      const ctx = createChainContext(loadConfig(opts.preset, opts.config));
      const run = runSimulation(ctx, {
        slots: opts.slots,
        validators: opts.validators,
        buyers: opts.buyers,
        missRate: opts.missRate,
        withholdRate: opts.withholdRate,
        seed: opts.seed,
      });
      if (!opts.json) {
        console.log(
          `turnstile simulate: ${opts.validators} validators, ${opts.buyers} ticket holders, preset ${ctx.preset.SLOTS_PER_EPOCH === 8 ? "minimal" : "mainnet"}, pricing ${ctx.config.TICKET_PRICING} (target pool ${ctx.config.TARGET_TICKET_POOL_SIZE}), revenue ${ctx.config.TICKET_REVENUE_SINK}`,
        );
        console.log(HEADER);
      }
      let next = run.next();
      while (!next.done) {
        console.log(opts.json ? JSON.stringify(next.value) : formatSlot(next.value));
        next = run.next();
      }
      const summary = next.value;
      console.log(opts.json ? JSON.stringify({ summary }) : formatSummary(summary));
      if (opts.summary) writeFileSync(opts.summary, `${JSON.stringify(summary, null, 2)}\n`);
      if (summary.finalizedEpoch === 0 && opts.slots >= 4 * ctx.preset.SLOTS_PER_EPOCH) {
        console.error("the chain did not finalize");
        process.exitCode = 2;
      }
    });
}
