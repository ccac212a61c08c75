import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  bytesEqual,
  createChainContext,
  minimalChainConfig,
  parseChainConfigYaml,
  toHex,
} from "@turnstile/ticket-state";
import { Command } from "commander";
import { BeaconDb } from "../db/beaconDb.ts";
import { formatInterchange, parseInterchange } from "../validator/interchange.ts";
import { SlashingProtectionDb } from "../validator/slashingProtectionDb.ts";
import { SlashingProtectionError, SlashingProtectionErrorCode } from "../validator/slashingProtectionErrors.ts";

/** Where a node keeps its slashing-protection database, inside its data dir. */
export const SLASHING_PROTECTION_DIR = "slashing-protection";

export function slashingProtectionPath(dataDir: string): string {
  return join(dataDir, SLASHING_PROTECTION_DIR);
}

/** A level database's marker file: the directory holds one. */
const LEVEL_MARKER = "CURRENT";

/**
 * The genesis validators root of the chain a data dir holds, if a node has run there:
 * `turnstile beacon` keeps its database in `<data-dir>/db`, `turnstile dev` in the data dir itself.
 */
async function chainGenesisValidatorsRoot(dataDir: string): Promise<Uint8Array | undefined> {
  for (const dir of [join(dataDir, "db"), dataDir]) {
    if (!existsSync(join(dir, LEVEL_MARKER))) continue;
    // Only the stored genesis is read, which needs no chain config
    const db = new BeaconDb(createChainContext(minimalChainConfig), dir);
    await db.open().catch((e: Error & { cause?: Error }) => {
      throw new SlashingProtectionError(
        SlashingProtectionErrorCode.DATABASE_UNAVAILABLE,
        "cannot open the node's database (is a node running on this data dir?)",
        { path: dir, cause: e.cause?.message ?? e.message },
      );
    });
    try {
      const genesis = await db.getGenesis();
      if (!genesis) continue;
      const ctx = createChainContext(parseChainConfigYaml(genesis.configYaml));
      return ctx.ssz.BeaconState.deserializeToViewDU(genesis.stateBytes).genesis_validators_root;
    } finally {
      await db.close();
    }
  }
  return undefined;
}

/**
 * Import an EIP-3076 interchange file into the data dir's slashing-protection database. The file
 * must be of the chain the data dir holds (or the database is bound to); otherwise nothing is written.
 */
export async function importSlashingProtection(
  dataDir: string,
  file: string,
): Promise<{ validators: number; blocks: number; attestations: number }> {
  // The whole file is checked before the database is touched
  const interchange = parseInterchange(JSON.parse(await readFile(file, "utf8")));
  const chainRoot = await chainGenesisValidatorsRoot(dataDir);
  // A file of another chain is refused before any database is created or written
  if (chainRoot && !bytesEqual(chainRoot, interchange.genesisValidatorsRoot)) {
    throw new SlashingProtectionError(
      SlashingProtectionErrorCode.GENESIS_VALIDATORS_ROOT_MISMATCH,
      "the interchange file belongs to another chain than the data dir's",
      { file: toHex(interchange.genesisValidatorsRoot), chain: toHex(chainRoot) },
    );
  }
  const db = await SlashingProtectionDb.open(slashingProtectionPath(dataDir), chainRoot);
  try {
    return await db.importInterchange(interchange);
  } finally {
    await db.close();
  }
}

/** Write the data dir's slashing-protection records as an EIP-3076 interchange file. */
export async function exportSlashingProtection(dataDir: string, file: string): Promise<{ validators: number }> {
  const path = slashingProtectionPath(dataDir);
  if (!existsSync(join(path, LEVEL_MARKER))) {
    throw new SlashingProtectionError(SlashingProtectionErrorCode.NO_DATABASE, "no slashing-protection database", {
      path,
    });
  }
  const db = await SlashingProtectionDb.open(path);
  try {
    const interchange = await db.exportInterchange();
    await writeFile(file, `${JSON.stringify(formatInterchange(interchange), null, 2)}\n`);
    return { validators: interchange.data.length };
  } finally {
    await db.close();
  }
}

/** `turnstile validator slashing-protection import|export`: EIP-3076 interchange, format version 5. */
export function validatorCommand(): Command {
  const slashingProtection = new Command("slashing-protection").description(
    "EIP-3076 slashing-protection interchange (format version 5); run while the node is stopped",
  );
  slashingProtection
    .command("import")
    .description("Import an interchange file into the data dir's slashing-protection database")
    .requiredOption("--file <file>", "interchange JSON to import")
    .requiredOption("--data-dir <dir>", "the node's data dir")
    .action(async (opts: { file: string; dataDir: string }) => {
      const counts = await importSlashingProtection(opts.dataDir, opts.file);
      console.log(
        `imported ${counts.validators} validators (${counts.blocks} blocks, ${counts.attestations} attestations) into ${slashingProtectionPath(opts.dataDir)}`,
      );
    });
  slashingProtection
    .command("export")
    .description("Export the data dir's slashing-protection database as an interchange file")
    .requiredOption("--file <file>", "interchange JSON to write")
    .requiredOption("--data-dir <dir>", "the node's data dir")
    .action(async (opts: { file: string; dataDir: string }) => {
      const { validators } = await exportSlashingProtection(opts.dataDir, opts.file);
      console.log(`exported ${validators} validators to ${opts.file}`);
    });
  return new Command("validator").description("Validator key tooling").addCommand(slashingProtection);
}
