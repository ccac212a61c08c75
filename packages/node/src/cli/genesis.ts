import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { loadConfig, nonNegativeInt, positiveInt } from "./options.ts";
import { p2pMultiaddr, writeGenesis, writeNodeKeys } from "./writeGenesis.ts";

/**
 * `turnstile genesis`: everything a network of `turnstile beacon` processes needs before it starts
 * (the Docker compose project's one-shot service): genesis.ssz, config.yaml, a node key per node,
 * and bootnodes.txt with each node's multiaddr (line i+1 is node i).
 */
export function genesisCommand(): Command {
  return new Command("genesis")
    .description("Write genesis.ssz, config.yaml, node keys and bootnodes.txt for a network of beacon nodes")
    .requiredOption("--out <dir>", "output directory")
    .addOption(new Option("--validators <n>", "interop validators").argParser(positiveInt).default(64))
    .addOption(new Option("--buyers <n>", "interop ticket-holder accounts").argParser(nonNegativeInt).default(4))
    .addOption(new Option("--seconds-per-slot <s>", "slot time").argParser(positiveInt).default(2))
    .addOption(
      new Option("--genesis-delay <s>", "genesis time: this many seconds from now")
        .argParser(nonNegativeInt)
        .default(30),
    )
    .addOption(
      new Option("--nodes <n>", "node keys to create (out/node-<i>/node-key)").argParser(nonNegativeInt).default(4),
    )
    .addOption(
      new Option("--host-pattern <pattern>", "node i's host in bootnodes.txt; {i} is replaced by i").default(
        "127.0.0.1",
      ),
    )
    .addOption(
      new Option("--p2p-port <port>", "node 0's p2p port in bootnodes.txt (node i: port + i)")
        .argParser(positiveInt)
        .default(9000),
    )
    .addOption(
      new Option("--preset <name>", "preset and default config").choices(["minimal", "mainnet"]).default("minimal"),
    )
    .addOption(new Option("--config <file>", "chain config YAML (consensus-specs format)"))
    .addOption(
      new Option(
        "--if-missing",
        "keep an existing genesis.ssz and config.yaml (a restarted network keeps its chain); keys are always kept",
      ),
    )
    .action(async (opts) => {
      const out = resolve(opts.out);
      mkdirSync(out, { recursive: true });
      const genesisFile = join(out, "genesis.ssz");
      if (opts.ifMissing && existsSync(genesisFile)) {
        console.log(`genesis: keeping ${genesisFile}`);
      } else {
        const genesisTime = Math.floor(Date.now() / 1000) + opts.genesisDelay;
        writeGenesis(
          out,
          { ...loadConfig(opts.preset, opts.config), SECONDS_PER_SLOT: opts.secondsPerSlot },
          { genesisTime, validators: opts.validators, buyers: opts.buyers },
        );
        console.log(
          `genesis: ${opts.validators} validators, ${opts.buyers} buyers, ${opts.secondsPerSlot}s slots, genesis time ${genesisTime} (${new Date(genesisTime * 1000).toISOString()})`,
        );
      }
      const nodes = await writeNodeKeys(out, opts.nodes);
      const bootnodes = nodes.map((n, i) =>
        p2pMultiaddr((opts.hostPattern as string).replaceAll("{i}", String(i)), opts.p2pPort + i, n.peerId),
      );
      writeFileSync(join(out, "bootnodes.txt"), bootnodes.map((b) => `${b}\n`).join(""));
      for (const [i, n] of nodes.entries()) console.log(`node-${i}: ${bootnodes[i]}  (key in ${n.keyPath})`);
      console.log(`wrote ${out}/{genesis.ssz,config.yaml,bootnodes.txt,node-*/node-key}`);
    });
}
