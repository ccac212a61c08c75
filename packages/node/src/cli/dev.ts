import { rmSync } from "node:fs";
import {
  createChainContext,
  createGenesisState,
  interopBuyerSecretKey,
  interopSecretKey,
} from "@turnstile/ticket-state";
import { Command, Option } from "commander";
import { createLogger } from "../logger.ts";
import { loadConfig, nonNegativeInt, positiveInt, probability } from "./options.ts";
import { runNode, stopOnSignals } from "./runNode.ts";
import { slashingProtectionPath } from "./validator.ts";

const GWEI_PER_ETH = 1e9;

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
      const ctx = createChainContext({
        ...loadConfig(opts.preset, opts.config),
        SECONDS_PER_SLOT: opts.secondsPerSlot,
      });
      const { stop } = await runNode({
        ctx,
        dataDir: opts.dataDir,
        slashingProtectionDir: slashingProtectionPath(opts.dataDir),
        makeGenesis: (c) =>
          createGenesisState(c, {
            genesisTime: Math.floor(Date.now() / 1000) + 1,
            validatorPubkeys: Array.from({ length: opts.validators }, (_, i) =>
              interopSecretKey(i).toPublicKey().toBytes(),
            ),
            buyers: Array.from({ length: opts.buyers }, (_, i) => ({
              pubkey: interopBuyerSecretKey(i).toPublicKey().toBytes(),
              balance: 1000 * GWEI_PER_ETH,
            })),
          }),
        withholdRate: opts.withholdRate,
        apiHost: opts.apiHost,
        apiPort: opts.apiPort,
        stopAtSlot: opts.slots,
        log,
      });
      stopOnSignals(stop);
    });
}
