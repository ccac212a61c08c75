import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fromHex } from "@turnstile/ticket-state";
import { parseInterchange } from "../../src/validator/interchange.ts";
import { SlashingProtectionDb } from "../../src/validator/slashingProtectionDb.ts";

/**
 * The EIP-3076 interchange test vectors (eth-clients/slashing-protection-interchange-tests,
 * tests/generated/*.json), when EIP3076_TESTS_DIR points at them. They are not vendored: the
 * repository carries no licence. This database follows the minimal strategy after an import, so
 * each signing is checked against `should_succeed` (not `should_succeed_complete`).
 */
const VECTORS_DIR = process.env.EIP3076_TESTS_DIR;

interface Step {
  should_succeed: boolean;
  contains_slashable_data: boolean;
  interchange: unknown;
  blocks: { pubkey: string; slot: string; signing_root?: string; should_succeed: boolean }[];
  attestations: {
    pubkey: string;
    source_epoch: string;
    target_epoch: string;
    signing_root?: string;
    should_succeed: boolean;
  }[];
}

interface Vector {
  name: string;
  genesis_validators_root: string;
  steps: Step[];
}

const ZERO_ROOT = `0x${"00".repeat(32)}`;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runVector(vector: Vector): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "eip3076-"));
  dirs.push(dir);
  const db = await SlashingProtectionDb.open(dir, fromHex(vector.genesis_validators_root));
  try {
    for (const [i, step] of vector.steps.entries()) {
      let imported = true;
      try {
        await db.importInterchange(parseInterchange(step.interchange));
      } catch (e) {
        imported = false;
        if (step.should_succeed && !step.contains_slashable_data) throw e;
      }
      if (!step.should_succeed) {
        assert.equal(imported, false, `step ${i}: the import should be refused`);
        continue;
      }
      // A refused import of slashable data ends the vector (allowed by the vectors' README)
      if (!imported) return;
      for (const b of step.blocks) {
        const req = {
          pubkey: fromHex(b.pubkey),
          slot: Number(b.slot),
          signingRoot: fromHex(b.signing_root ?? ZERO_ROOT),
        };
        const signed = await db.checkAndRecordBlock(req).then(
          () => true,
          () => false,
        );
        assert.equal(signed, b.should_succeed, `step ${i}: block at slot ${b.slot}`);
      }
      for (const a of step.attestations) {
        const req = {
          pubkey: fromHex(a.pubkey),
          sourceEpoch: Number(a.source_epoch),
          targetEpoch: Number(a.target_epoch),
          signingRoot: fromHex(a.signing_root ?? ZERO_ROOT),
        };
        const signed = await db.checkAndRecordAttestation(req).then(
          () => true,
          () => false,
        );
        assert.equal(signed, a.should_succeed, `step ${i}: attestation ${a.source_epoch}→${a.target_epoch}`);
      }
    }
  } finally {
    await db.close();
  }
}

describe("EIP-3076 interchange test vectors", { skip: VECTORS_DIR ? false : "EIP3076_TESTS_DIR not set" }, () => {
  const files = VECTORS_DIR ? readdirSync(VECTORS_DIR).filter((f) => f.endsWith(".json")) : [];
  for (const file of files) {
    const vector = JSON.parse(readFileSync(join(VECTORS_DIR!, file), "utf8")) as Vector;
    it(vector.name, () => runVector(vector));
  }
});
