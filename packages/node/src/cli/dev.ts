import { readFileSync, rmSync } from "node:fs";
import { computeGenesisBlock, DEFAULT_REFERENCE_VOLATILITY, devGenesis, parseGenesisJson } from "@turnstile/execution";
import {
  createChainContext,
  createGenesisState,
  interopBuyerSecretKey,
  interopSecretKey,
} from "@turnstile/ticket-state";
import { Command, Option } from "commander";
import { withExecutionGenesis } from "../execution/genesis.ts";
import type { ExecutionChoice } from "../execution/startExecution.ts";
import { createLogger } from "../logger.ts";
import { loadConfig, nonNegativeInt, positiveInt, pricingOption, probability, withPricing } from "./options.ts";
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
    .addOption(pricingOption())
    .addOption(new Option("--sell-grants", "validators offer their granted tickets for sale each epoch"))
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
    .addOption(
      new Option("--execution <kind>", "execution layer: the deterministic engine, or the embedded EVM")
        .choices(["deterministic", "evm"])
        .default("deterministic"),
    )
    .addOption(
      new Option("--execution-genesis <file>", "EVM genesis.json (chainId, alloc); default: funded dev accounts"),
    )
    .addOption(
      new Option("--eth-rpc-port <port>", "the embedded EVM's eth_ JSON-RPC port (0: any free port)")
        .argParser(nonNegativeInt)
        .default(8545),
    )
    .addOption(new Option("--log-level <level>", "pino log level").default("info"))
    .action(async (opts) => {
      const log = createLogger({ level: opts.logLevel });
      if (opts.reset) rmSync(opts.dataDir, { recursive: true, force: true });
      const ctx = createChainContext({
        ...withPricing(loadConfig(opts.preset, opts.config), opts.pricing),
        SECONDS_PER_SLOT: opts.secondsPerSlot,
      });
      const genesisTime = Math.floor(Date.now() / 1000) + 1;
      const execution = executionChoice(opts);
      // On the EVM, the beacon genesis starts on the EL's genesis block
      const elGenesis =
        execution.kind === "embedded" ? await computeGenesisBlock(execution.genesis, genesisTime) : null;
      const { stop } = await runNode({
        ctx,
        execution,
        dataDir: opts.dataDir,
        slashingProtectionDir: slashingProtectionPath(opts.dataDir),
        makeGenesis: (c) => {
          const state = createGenesisState(c, {
            genesisTime,
            validatorPubkeys: Array.from({ length: opts.validators }, (_, i) =>
              interopSecretKey(i).toPublicKey().toBytes(),
            ),
            buyers: Array.from({ length: opts.buyers }, (_, i) => ({
              pubkey: interopBuyerSecretKey(i).toPublicKey().toBytes(),
              balance: 1000 * GWEI_PER_ETH,
            })),
          });
          return elGenesis ? withExecutionGenesis(state, elGenesis.hash(), Number(elGenesis.header.gasLimit)) : state;
        },
        withholdRate: opts.withholdRate,
        sellGrantedTickets: opts.sellGrants === true,
        apiHost: opts.apiHost,
        apiPort: opts.apiPort,
        stopAtSlot: opts.slots,
        log,
      });
      stopOnSignals(stop);
    });
}

/** `--execution evm`: the embedded EL with the given genesis.json, or the funded dev accounts. */
export function executionChoice(opts: {
  execution: string;
  executionGenesis?: string;
  ethRpcPort: number;
  apiHost: string;
  arbitrage?: number;
  referenceSeed?: number;
  referenceVolatility?: number;
}): ExecutionChoice {
  if (opts.execution !== "evm") return { kind: "deterministic" };
  const genesis = opts.executionGenesis ? parseGenesisJson(readFileSync(opts.executionGenesis, "utf8")) : devGenesis();
  const arbitrage =
    opts.arbitrage === undefined
      ? undefined
      : {
          account: opts.arbitrage,
          referenceSeed: opts.referenceSeed ?? DEFAULT_REFERENCE_SEED,
          referenceVolatility: opts.referenceVolatility ?? DEFAULT_REFERENCE_VOLATILITY,
        };
  return { kind: "embedded", genesis, ethHost: opts.apiHost, ethPort: opts.ethRpcPort, arbitrage };
}

/** The reference price walk's seed unless `--reference-seed` says otherwise. */
export const DEFAULT_REFERENCE_SEED = 1;
