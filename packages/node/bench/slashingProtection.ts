/**
 * Slashing protection's cost on the duty path: the time from asking to sign until the durable
 * (fsync'd) record is written, for one slot's block and for one attestation duty of 64 keys,
 * with a history of HISTORY_EPOCHS already recorded per key. Standalone:
 *   node --conditions=source packages/node/bench/slashingProtection.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlashingProtectionDb } from "../src/validator/slashingProtectionDb.ts";
import { note, percentile, report } from "./common.ts";

const KEYS = 64;
const HISTORY_EPOCHS = 1000;
const SAMPLES = 200;

const dir = mkdtempSync(join(tmpdir(), "bench-slashing-"));
const gvr = new Uint8Array(32).fill(1);
const pubkeys = Array.from({ length: KEYS }, (_, i) => new Uint8Array(48).fill(i + 1));
const root = (n: number) => {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};

const db = await SlashingProtectionDb.open(dir, gvr);
note(`recording ${HISTORY_EPOCHS} epochs of votes for ${KEYS} keys`);
for (let epoch = 1; epoch <= HISTORY_EPOCHS; epoch++) {
  await db.checkAndRecordAttestations(
    pubkeys.map((pubkey) => ({ pubkey, sourceEpoch: epoch - 1, targetEpoch: epoch, signingRoot: root(epoch) })),
  );
}

const duty: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const epoch = HISTORY_EPOCHS + 1 + i;
  const started = performance.now();
  const verdicts = await db.checkAndRecordAttestations(
    pubkeys.map((pubkey) => ({ pubkey, sourceEpoch: epoch - 1, targetEpoch: epoch, signingRoot: root(epoch) })),
  );
  duty.push(performance.now() - started);
  if (verdicts.some((v) => v !== null)) throw new Error("a vote was refused");
}
report(`slashing_protection_attestation_duty_${KEYS}_keys_p50`, percentile(duty, 50), "ms");
report(`slashing_protection_attestation_duty_${KEYS}_keys_p99`, percentile(duty, 99), "ms");

const blocks: number[] = [];
for (let slot = 1; slot <= SAMPLES; slot++) {
  const started = performance.now();
  await db.checkAndRecordBlock({ pubkey: pubkeys[slot % KEYS], slot, signingRoot: root(slot) });
  blocks.push(performance.now() - started);
}
report("slashing_protection_block_p50", percentile(blocks, 50), "ms");
report("slashing_protection_block_p99", percentile(blocks, 99), "ms");

await db.close();
rmSync(dir, { recursive: true, force: true });
