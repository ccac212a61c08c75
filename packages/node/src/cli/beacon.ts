import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_REFERENCE_VOLATILITY } from "@turnstile/execution";
import { CachedBeaconState, createChainContext, parseChainConfigYaml } from "@turnstile/ticket-state";
import { Command, InvalidArgumentError, Option } from "commander";
import type { ExecutionChoice } from "../execution/startExecution.ts";
import { createLogger, type Logger } from "../logger.ts";
import { loadOrCreateNodeKey } from "../network/nodeKey.ts";
import { type LoadedKeystore, loadKeystoreDir } from "../validator/keystore.ts";
import { DEFAULT_REFERENCE_SEED, executionChoice } from "./dev.ts";
import { nonNegativeInt, probability } from "./options.ts";
import { runNode, stopOnSignals } from "./runNode.ts";
import { slashingProtectionPath } from "./validator.ts";

/** "0-15,32,40-47" → [0..15, 32, 40..47] */
export function indexList(value: string): number[] {
  const out: number[] = [];
  for (const part of value.split(",").filter((p) => p.length > 0)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new InvalidArgumentError(`expected ranges like 0-15,32: ${part}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new InvalidArgumentError(`empty range ${part}`);
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

export function beaconCommand(): Command {
  return new Command("beacon")
    .description("Run a beacon node from a genesis state and config, with peers (for devnets, Docker, deployments)")
    .requiredOption("--genesis <file>", "genesis state (SSZ), used when the data dir holds no chain yet")
    .requiredOption("--config <file>", "chain config YAML")
    .requiredOption(
      "--data-dir <dir>",
      "database directory (also holds the node key and the slashing-protection database)",
    )
    .addOption(
      new Option("--validators <ranges>", "interop validator indices to run duties for, e.g. 0-15")
        .argParser(indexList)
        .default([]),
    )
    .addOption(
      new Option("--keystores <dir>", "directory of EIP-2335 keystores (*.json) of validators to run duties for"),
    )
    .addOption(
      new Option("--keystore-password-file <file>", "file holding the keystores' password (trailing newline removed)"),
    )
    .addOption(
      new Option("--buyers <ranges>", "interop buyer accounts to run ticket-holder agents for")
        .argParser(indexList)
        .default([]),
    )
    .addOption(new Option("--listen <multiaddr>", "p2p listen address").default("/ip4/127.0.0.1/tcp/9000"))
    .addOption(
      new Option("--bootnodes <multiaddrs>", "comma-separated peers to dial (with /p2p/<peer id>)").default(""),
    )
    .addOption(new Option("--target-peers <n>", "peers to keep").argParser(nonNegativeInt).default(16))
    .addOption(new Option("--api-host <host>", "REST API address").default("127.0.0.1"))
    .addOption(new Option("--api-port <port>", "REST API port").argParser(nonNegativeInt).default(5052))
    .addOption(
      new Option("--withhold-rate <p>", "chance a holder withholds its commitment or payload")
        .argParser(probability)
        .default(0),
    )
    .addOption(new Option("--user-traffic", "one synthetic user transaction per slot (inclusion lists list them)"))
    .addOption(
      new Option("--sell-grants", "our validators offer their granted tickets for sale each epoch (docs/market.md)"),
    )
    .addOption(
      new Option("--censor-buyers <list>", "buyers whose agents leave inclusion-list transactions out")
        .argParser(indexList)
        .default([]),
    )
    .addOption(
      new Option("--execution-endpoint <url>", "Engine API of an execution client (JSON-RPC, JWT); default: none"),
    )
    .addOption(new Option("--jwt-secret <file>", "32-byte hex secret shared with the execution client"))
    .addOption(
      new Option("--execution <kind>", "without --execution-endpoint: the deterministic engine or the embedded EVM")
        .choices(["deterministic", "evm"])
        .default("deterministic"),
    )
    .addOption(
      new Option("--execution-genesis <file>", "the embedded EVM's genesis.json (default: funded dev accounts)"),
    )
    .addOption(
      new Option("--eth-rpc-port <port>", "the embedded EVM's eth_ JSON-RPC port (0: any free port)")
        .argParser(nonNegativeInt)
        .default(8545),
    )
    .addOption(
      new Option(
        "--arbitrage <account>",
        "with --execution evm: our holders' payloads end with an AMM arbitrage from this searcher account",
      ).argParser(nonNegativeInt),
    )
    .addOption(
      new Option("--reference-seed <n>", "seed of the AMM's reference price walk (shared with the traffic)")
        .argParser(nonNegativeInt)
        .default(DEFAULT_REFERENCE_SEED),
    )
    .addOption(
      new Option("--reference-volatility <sd>", "the reference price's log-step per slot")
        .argParser(probability)
        .default(DEFAULT_REFERENCE_VOLATILITY),
    )
    .addOption(new Option("--log-level <level>", "pino log level").default("info"))
    .action(async (opts) => {
      const log = createLogger({ level: opts.logLevel });
      const keystores = await loadKeystores(opts.keystores, opts.keystorePasswordFile, log);
      const ctx = createChainContext(parseChainConfigYaml(readFileSync(opts.config, "utf8")));
      const { mkdirSync } = await import("node:fs");
      mkdirSync(opts.dataDir, { recursive: true });
      const privateKey = await loadOrCreateNodeKey(join(opts.dataDir, "node-key"));
      const { stop } = await runNode({
        ctx,
        dataDir: join(opts.dataDir, "db"),
        slashingProtectionDir: slashingProtectionPath(opts.dataDir),
        makeGenesis: (c) => CachedBeaconState.fromBytes(c, readFileSync(opts.genesis)),
        validatorIndices: opts.validators,
        validatorKeystores: keystores,
        buyerIndices: opts.buyers,
        withholdRate: opts.withholdRate,
        userTraffic: opts.userTraffic === true,
        censoringBuyers: opts.censorBuyers,
        sellGrantedTickets: opts.sellGrants === true,
        apiHost: opts.apiHost,
        apiPort: opts.apiPort,
        execution: beaconExecutionChoice(opts),
        network: {
          listenAddresses: [opts.listen],
          bootnodes: (opts.bootnodes as string).split(",").filter((b) => b.length > 0),
          privateKey,
          targetPeers: opts.targetPeers,
        },
        log,
      });
      stopOnSignals(stop);
    });
}

/** `--execution-endpoint` + `--jwt-secret` drive an external EL; otherwise as `dev` (`--execution`). */
function beaconExecutionChoice(opts: {
  executionEndpoint?: string;
  jwtSecret?: string;
  execution: string;
  executionGenesis?: string;
  ethRpcPort: number;
  apiHost: string;
  arbitrage?: number;
  referenceSeed?: number;
  referenceVolatility?: number;
}): ExecutionChoice {
  if (opts.executionEndpoint !== undefined) {
    if (opts.jwtSecret === undefined) throw new Error("--execution-endpoint needs --jwt-secret");
    return { kind: "external", url: opts.executionEndpoint, jwtSecretFile: opts.jwtSecret };
  }
  return executionChoice(opts);
}

/** Decrypt the `--keystores` directory with the password in `--keystore-password-file`. */
async function loadKeystores(
  dir: string | undefined,
  passwordFile: string | undefined,
  log: Logger,
): Promise<LoadedKeystore[] | undefined> {
  if (dir === undefined && passwordFile === undefined) return undefined;
  if (dir === undefined) throw new Error("--keystore-password-file needs --keystores");
  if (passwordFile === undefined) throw new Error("--keystores needs --keystore-password-file");
  const password = readFileSync(passwordFile, "utf8").replace(/[\r\n]+$/, "");
  log.info({ dir }, "decrypting keystores");
  const keystores = await loadKeystoreDir(dir, password);
  if (keystores.length === 0) throw new Error(`no keystores (*.json) in ${dir}`);
  log.info({ dir, keystores: keystores.length }, "keystores decrypted");
  return keystores;
}
