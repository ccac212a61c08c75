import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { chainConfigToYaml, createChainContext, minimalChainConfig, toHex } from "@turnstile/ticket-state";
import {
  exportSlashingProtection,
  importSlashingProtection,
  slashingProtectionPath,
  validatorCommand,
} from "../../src/cli/validator.ts";
import { BeaconDb } from "../../src/db/beaconDb.ts";
import { formatInterchange, type InterchangeJson, parseInterchange } from "../../src/validator/interchange.ts";
import { SlashingProtectionDb } from "../../src/validator/slashingProtectionDb.ts";
import { SlashingProtectionErrorCode as Code } from "../../src/validator/slashingProtectionErrors.ts";
import { genesisState } from "./helpers.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "slashing-protection-"));
  dirs.push(dir);
  return dir;
}

const bytes = (length: number, fill: number) => new Uint8Array(length).fill(fill);
const pubkey = (n: number) => bytes(48, n);
const root = (n: number) => bytes(32, n);
const GVR = root(0xaa);
const OTHER_GVR = root(0xbb);
const A = pubkey(1);
const B = pubkey(2);

async function openDb(dir = tempDir(), gvr: Uint8Array | undefined = GVR): Promise<SlashingProtectionDb> {
  return SlashingProtectionDb.open(dir, gvr);
}

/** The code a refusal carries, or null when signing was allowed. */
async function outcome(p: Promise<void>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return (e as { code: string }).code;
  }
}

const block = (db: SlashingProtectionDb, slot: number, r: number, pk = A) =>
  outcome(db.checkAndRecordBlock({ pubkey: pk, slot, signingRoot: root(r) }));
const vote = (db: SlashingProtectionDb, source: number, target: number, r: number, pk = A) =>
  outcome(db.checkAndRecordAttestation({ pubkey: pk, sourceEpoch: source, targetEpoch: target, signingRoot: root(r) }));

describe("slashing protection: blocks (EIP-3076)", () => {
  it("refuses a second block at a signed slot with another signing root", async () => {
    const db = await openDb();
    assert.equal(await block(db, 10, 1), null);
    assert.equal(await block(db, 10, 2), Code.DOUBLE_BLOCK_PROPOSAL);
    assert.equal(await block(db, 10, 2, B), null, "another key is not affected");
    await db.close();
  });

  it("allows re-signing the same block (same signing root)", async () => {
    const db = await openDb();
    assert.equal(await block(db, 10, 1), null);
    assert.equal(await block(db, 10, 1), null);
    assert.equal(await block(db, 11, 3), null);
    assert.equal(await block(db, 10, 1), null, "still allowed after a later block");
    await db.close();
  });

  it("refuses a block at or below the lowest signed slot", async () => {
    const db = await openDb();
    assert.equal(await block(db, 10, 1), null);
    assert.equal(await block(db, 9, 1), Code.BLOCK_SLOT_BELOW_WATERMARK);
    assert.equal(await block(db, 0, 1), Code.BLOCK_SLOT_BELOW_WATERMARK);
    await db.close();
  });

  it("keeps its records across a restart: the write is done when the check resolves", async () => {
    const dir = tempDir();
    let db = await openDb(dir);
    assert.equal(await block(db, 10, 1), null);
    assert.equal(await vote(db, 1, 2, 1), null);
    await db.close();
    db = await openDb(dir);
    assert.equal(await block(db, 10, 2), Code.DOUBLE_BLOCK_PROPOSAL);
    assert.equal(await vote(db, 1, 2, 2), Code.DOUBLE_VOTE);
    await db.close();
  });

  it("lets concurrent checks of the same slot through only once", async () => {
    const db = await openDb();
    const results = await Promise.all([block(db, 5, 1), block(db, 5, 2), block(db, 5, 3)]);
    assert.deepEqual(results, [null, Code.DOUBLE_BLOCK_PROPOSAL, Code.DOUBLE_BLOCK_PROPOSAL]);
    await db.close();
  });
});

describe("slashing protection: attestations (EIP-3076)", () => {
  it("refuses a double vote: same target, another signing root", async () => {
    const db = await openDb();
    assert.equal(await vote(db, 1, 2, 1), null);
    assert.equal(await vote(db, 1, 2, 2), Code.DOUBLE_VOTE);
    assert.equal(await vote(db, 0, 2, 2), Code.DOUBLE_VOTE, "another source is still a double vote");
    await db.close();
  });

  it("allows re-signing the same vote (same signing root)", async () => {
    const db = await openDb();
    assert.equal(await vote(db, 1, 2, 1), null);
    assert.equal(await vote(db, 1, 2, 1), null);
    await db.close();
  });

  it("refuses a vote that surrounds one already signed", async () => {
    const db = await openDb();
    assert.equal(await vote(db, 0, 1, 1), null);
    assert.equal(await vote(db, 3, 4, 1), null);
    assert.equal(await vote(db, 2, 5, 2), Code.SURROUNDING_VOTE);
    assert.equal(await vote(db, 3, 5, 2), null, "same source is no surround");
    await db.close();
  });

  it("refuses a vote surrounded by one already signed", async () => {
    const db = await openDb();
    assert.equal(await vote(db, 0, 1, 1), null);
    assert.equal(await vote(db, 1, 10, 1), null);
    assert.equal(await vote(db, 2, 9, 2), Code.SURROUNDED_VOTE);
    await db.close();
  });

  it("refuses a source below or a target at or below the first vote's", async () => {
    const db = await openDb();
    assert.equal(await vote(db, 3, 5, 1), null);
    assert.equal(await vote(db, 2, 6, 2), Code.SOURCE_BELOW_WATERMARK);
    assert.equal(await vote(db, 3, 4, 2), Code.TARGET_BELOW_WATERMARK);
    assert.equal(await vote(db, 6, 5, 2), Code.SOURCE_AFTER_TARGET);
    await db.close();
  });

  it("checks a duty's votes in one call, a key's second vote against its first", async () => {
    const db = await openDb();
    const req = (pk: Uint8Array, s: number, t: number, r: number) => ({
      pubkey: pk,
      sourceEpoch: s,
      targetEpoch: t,
      signingRoot: root(r),
    });
    const verdicts = await db.checkAndRecordAttestations([req(A, 1, 2, 1), req(B, 1, 2, 1), req(A, 1, 2, 9)]);
    assert.deepEqual(
      verdicts.map((v) => v?.code ?? null),
      [null, null, Code.DOUBLE_VOTE],
    );
    await db.close();
  });
});

describe("slashing protection: interchange (EIP-3076 format v5)", () => {
  it("an import sets minimal low watermarks: nothing at or below the highest imported message", async () => {
    const db = await openDb();
    await db.importInterchange({
      genesisValidatorsRoot: GVR,
      data: [
        {
          pubkey: A,
          signedBlocks: [{ slot: 10, signingRoot: root(1) }, { slot: 4 }],
          signedAttestations: [
            { sourceEpoch: 2, targetEpoch: 5, signingRoot: root(1) },
            { sourceEpoch: 3, targetEpoch: 4 },
          ],
        },
      ],
    });
    assert.equal(await block(db, 7, 1), Code.BLOCK_SLOT_BELOW_WATERMARK, "below the imported maximum");
    assert.equal(await block(db, 10, 1), Code.DOUBLE_BLOCK_PROPOSAL, "an imported root is not trusted for re-signing");
    assert.equal(await block(db, 11, 1), null);
    assert.equal(await vote(db, 2, 6, 1), Code.SOURCE_BELOW_WATERMARK, "below the highest imported source");
    assert.equal(await vote(db, 3, 5, 1), Code.DOUBLE_VOTE);
    assert.equal(await vote(db, 3, 4, 1), Code.DOUBLE_VOTE);
    assert.equal(await vote(db, 3, 6, 1), null);
    await db.close();
  });

  it("an import raises the watermark to what the database already holds", async () => {
    const db = await openDb();
    assert.equal(await block(db, 10, 1), null);
    assert.equal(await block(db, 30, 1), null);
    await db.importInterchange({
      genesisValidatorsRoot: GVR,
      data: [{ pubkey: A, signedBlocks: [{ slot: 20 }], signedAttestations: [] }],
    });
    assert.equal(await block(db, 29, 1), Code.BLOCK_SLOT_BELOW_WATERMARK);
    assert.equal(await block(db, 31, 1), null);
    await db.close();
  });

  it("round trip: export, import into a new database, export again gives the same file and the same refusals", async () => {
    const db = await openDb();
    await block(db, 3, 1);
    await block(db, 5, 2);
    await block(db, 4, 3, B);
    await vote(db, 0, 1, 1);
    await vote(db, 1, 2, 2);
    await vote(db, 0, 1, 3, B);
    const exported = formatInterchange(await db.exportInterchange());
    await db.close();

    assert.equal(exported.metadata.interchange_format_version, "5");
    assert.equal(exported.metadata.genesis_validators_root, toHex(GVR));
    const a = exported.data.find((v) => v.pubkey === toHex(A))!;
    assert.deepEqual(a.signed_blocks, [
      { slot: "3", signing_root: toHex(root(1)) },
      { slot: "5", signing_root: toHex(root(2)) },
    ]);
    assert.deepEqual(a.signed_attestations, [
      { source_epoch: "0", target_epoch: "1", signing_root: toHex(root(1)) },
      { source_epoch: "1", target_epoch: "2", signing_root: toHex(root(2)) },
    ]);

    const json = JSON.parse(JSON.stringify(exported)) as unknown;
    const copy = await openDb(tempDir(), undefined);
    await copy.importInterchange(parseInterchange(json));
    assert.deepEqual(formatInterchange(await copy.exportInterchange()), exported);
    assert.equal(await block(copy, 5, 9), Code.DOUBLE_BLOCK_PROPOSAL);
    assert.equal(await block(copy, 4, 9, B), Code.DOUBLE_BLOCK_PROPOSAL);
    assert.equal(await vote(copy, 1, 2, 9), Code.DOUBLE_VOTE);
    assert.equal(await vote(copy, 0, 3, 9), Code.SOURCE_BELOW_WATERMARK);
    assert.equal(await block(copy, 6, 9), null);
    assert.equal(await vote(copy, 2, 3, 9), null);
    await copy.close();
  });

  it("an import of another chain's file is refused and writes nothing", async () => {
    const db = await openDb();
    await block(db, 3, 1);
    const before = formatInterchange(await db.exportInterchange());
    const foreign = {
      genesisValidatorsRoot: OTHER_GVR,
      data: [{ pubkey: A, signedBlocks: [{ slot: 100 }], signedAttestations: [{ sourceEpoch: 9, targetEpoch: 10 }] }],
    };
    await assert.rejects(db.importInterchange(foreign), { code: Code.GENESIS_VALIDATORS_ROOT_MISMATCH });
    assert.deepEqual(formatInterchange(await db.exportInterchange()), before);
    assert.equal(await block(db, 50, 1), null, "no watermark was raised");
    assert.equal(await vote(db, 1, 2, 1), null);
    await db.close();
  });

  it("refuses a file of another format version or with malformed fields", () => {
    const good: InterchangeJson = {
      metadata: { interchange_format_version: "5", genesis_validators_root: toHex(GVR) },
      data: [{ pubkey: toHex(A), signed_blocks: [{ slot: "1" }], signed_attestations: [] }],
    };
    assert.equal(parseInterchange(good).data[0].signedBlocks[0].slot, 1);
    const v4 = { ...good, metadata: { ...good.metadata, interchange_format_version: "4" } };
    assert.throws(() => parseInterchange(v4), { code: Code.UNSUPPORTED_INTERCHANGE_VERSION });
    const numeric = { ...good, data: [{ ...good.data[0], signed_blocks: [{ slot: 1 }] }] };
    assert.throws(() => parseInterchange(numeric), { code: Code.INVALID_INTERCHANGE });
    const shortKey = { ...good, data: [{ ...good.data[0], pubkey: "0x01" }] };
    assert.throws(() => parseInterchange(shortKey), { code: Code.INVALID_INTERCHANGE });
  });

  it("a database in use (a running node holds it) does not open twice", async () => {
    const dir = tempDir();
    const db = await openDb(dir);
    await assert.rejects(openDb(dir), { code: Code.DATABASE_UNAVAILABLE });
    await db.close();
  });

  it("a database of another chain does not open", async () => {
    const dir = tempDir();
    await (await openDb(dir)).close();
    await assert.rejects(openDb(dir, OTHER_GVR), { code: Code.GENESIS_VALIDATORS_ROOT_MISMATCH });
  });
});

describe("turnstile validator slashing-protection import / export", () => {
  it("exports and imports through the CLI; a file of another chain is refused and nothing written", async () => {
    const dataDir = tempDir();
    const db = await SlashingProtectionDb.open(slashingProtectionPath(dataDir), GVR);
    await block(db, 7, 1);
    await db.close();
    const out = join(tempDir(), "out.json");
    await validatorCommand().parseAsync(["slashing-protection", "export", "--file", out, "--data-dir", dataDir], {
      from: "user",
    });
    const exported = JSON.parse(readFileSync(out, "utf8")) as InterchangeJson;
    assert.deepEqual(exported.data[0].signed_blocks, [{ slot: "7", signing_root: toHex(root(1)) }]);

    const foreignFile = join(tempDir(), "foreign.json");
    const foreign = {
      metadata: { interchange_format_version: "5", genesis_validators_root: toHex(OTHER_GVR) },
      data: [{ pubkey: toHex(A), signed_blocks: [{ slot: "100" }], signed_attestations: [] }],
    };
    writeFileSync(foreignFile, JSON.stringify(foreign));
    await assert.rejects(importSlashingProtection(dataDir, foreignFile), {
      code: Code.GENESIS_VALIDATORS_ROOT_MISMATCH,
    });
    const again = join(tempDir(), "again.json");
    await exportSlashingProtection(dataDir, again);
    assert.deepEqual(JSON.parse(readFileSync(again, "utf8")), exported, "nothing was written");

    // The same file into a new data dir: its database is created bound to the file's chain
    const fresh = tempDir();
    await validatorCommand().parseAsync(["slashing-protection", "import", "--file", out, "--data-dir", fresh], {
      from: "user",
    });
    await exportSlashingProtection(fresh, again);
    assert.deepEqual(JSON.parse(readFileSync(again, "utf8")), exported);
    await assert.rejects(importSlashingProtection(fresh, foreignFile), {
      code: Code.GENESIS_VALIDATORS_ROOT_MISMATCH,
    });
  });

  it("import checks the file against the chain in the data dir before creating anything", async () => {
    const dataDir = tempDir();
    const ctx = createChainContext(minimalChainConfig);
    const genesis = genesisState(ctx);
    const chain = new BeaconDb(ctx, join(dataDir, "db"));
    await chain.open();
    await chain.putGenesis(genesis.serialize(), chainConfigToYaml(ctx.config));
    await chain.close();
    const file = (gvr: Uint8Array) => {
      const path = join(tempDir(), "interchange.json");
      const json = {
        metadata: { interchange_format_version: "5", genesis_validators_root: toHex(gvr) },
        data: [{ pubkey: toHex(A), signed_blocks: [{ slot: "9" }], signed_attestations: [] }],
      };
      writeFileSync(path, JSON.stringify(json));
      return path;
    };
    await assert.rejects(importSlashingProtection(dataDir, file(OTHER_GVR)), {
      code: Code.GENESIS_VALIDATORS_ROOT_MISMATCH,
    });
    assert.ok(!existsSync(slashingProtectionPath(dataDir)), "no database was created");
    await importSlashingProtection(dataDir, file(genesis.state.genesis_validators_root));
    const db = await SlashingProtectionDb.open(slashingProtectionPath(dataDir), genesis.state.genesis_validators_root);
    assert.equal(await block(db, 9, 1), Code.DOUBLE_BLOCK_PROPOSAL);
    await db.close();
  });

  it("export without a database is a typed error", async () => {
    await assert.rejects(exportSlashingProtection(tempDir(), join(tempDir(), "x.json")), { code: Code.NO_DATABASE });
  });
});
