#!/usr/bin/env node
import { useFastHasher } from "@turnstile/ticket-state";
import { Command } from "commander";
import { beaconCommand } from "./beacon.ts";
import { devCommand } from "./dev.ts";
import { devnetCommand } from "./devnet.ts";
import { genesisCommand } from "./genesis.ts";
import { marketCommand } from "./market.ts";
import { simulateCommand } from "./simulate.ts";
import { validatorCommand } from "./validator.ts";

await useFastHasher();

const program = new Command()
  .name("turnstile")
  .description("Turnstile: a beacon chain with Execution Tickets built into consensus")
  .version("0.1.0");

program.addCommand(devCommand());
program.addCommand(devnetCommand());
program.addCommand(beaconCommand());
program.addCommand(genesisCommand());
program.addCommand(marketCommand());
program.addCommand(simulateCommand());
program.addCommand(validatorCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
