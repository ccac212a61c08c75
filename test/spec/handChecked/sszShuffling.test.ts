/**
 * Hand-checked `ssz_static` and `shuffling` cases: an independent SHA-256 computation (node:crypto)
 * of a few roots and of `compute_shuffled_index`, written from the spec, against the vectors.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { minimalPreset } from "@turnstile/ticket-state";
import { asArray, asRecord, asString, asUint, bytesToHex, hexToBytes } from "../lib/files.ts";
import { DEFAULT_VECTORS_DIR, FORK } from "../lib/paths.ts";
import { loadCase } from "./load.ts";

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const chunk = (bytes: Uint8Array) => {
  const out = new Uint8Array(32);
  out.set(bytes);
  return out;
};
const uint64le = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return new Uint8Array(b);
};

/** The spec's `compute_shuffled_index`, written out. */
function shuffledIndex(index: number, count: number, seed: Uint8Array, rounds: number): number {
  for (let round = 0; round < rounds; round++) {
    const pivot = Number(Buffer.from(sha256(seed, Uint8Array.of(round))).readBigUInt64LE(0) % BigInt(count));
    const flip = (pivot + count - index) % count;
    const position = Math.max(index, flip);
    const position4 = Buffer.alloc(4);
    position4.writeUInt32LE(Math.floor(position / 256));
    const source = sha256(seed, Uint8Array.of(round), position4);
    const bit = (source[Math.floor((position % 256) / 8)] >> (position % 8)) & 1;
    if (bit) index = flip;
  }
  return index;
}

describe("hand-checked ssz_static and shuffling", () => {
  it("ssz_static/Checkpoint/ssz_random/case_0: 8-byte epoch ‖ root; root = sha256(chunk(epoch) ‖ root)", () => {
    const c = loadCase("ssz_static", "Checkpoint", "case_0", { suite: "ssz_random" });
    const value = asRecord(c.dir.yaml("value"), "value");
    const epoch = BigInt(value.epoch as bigint);
    const root = hexToBytes(value.root);
    assert.equal(bytesToHex(c.dir.ssz("serialized")), bytesToHex(new Uint8Array([...uint64le(epoch), ...root])));
    const expected = sha256(chunk(uint64le(epoch)), root);
    assert.equal(asString(asRecord(c.dir.yaml("roots"), "roots").root, "root"), bytesToHex(expected));
  });

  it("ssz_static/Buyer/ssz_random/case_0: three fields, padded to four leaves", () => {
    const c = loadCase("ssz_static", "Buyer", "case_0", { suite: "ssz_random" });
    const value = asRecord(c.dir.yaml("value"), "value");
    const pubkey = hexToBytes(value.pubkey);
    const balance = uint64le(BigInt(value.balance as bigint));
    const nonce = uint64le(BigInt(value.nonce as bigint));
    assert.equal(bytesToHex(c.dir.ssz("serialized")), bytesToHex(new Uint8Array([...pubkey, ...balance, ...nonce])));
    // pubkey (48 bytes) is two chunks; leaves: [root(pubkey), balance, nonce, 0]
    const pubkeyRoot = sha256(chunk(pubkey.subarray(0, 32)), chunk(pubkey.subarray(32)));
    const expected = sha256(sha256(pubkeyRoot, chunk(balance)), sha256(chunk(nonce), new Uint8Array(32)));
    assert.equal(asString(asRecord(c.dir.yaml("roots"), "roots").root, "root"), bytesToHex(expected));
  });

  it("shuffling/core: every minimal case up to 100 indices, by the spec's formula (10 rounds)", () => {
    const rounds = minimalPreset.SHUFFLE_ROUND_COUNT;
    assert.equal(rounds, 10);
    let checked = 0;
    for (const name of caseNames("shuffling", "core", "shuffle")) {
      const m = asRecord(loadCase("shuffling", "core", name, { suite: "shuffle" }).dir.yaml("mapping"), "mapping");
      const count = asUint(m.count, "count");
      if (count > 100) continue;
      const seed = hexToBytes(m.seed);
      const mapping = asArray(m.mapping, "mapping").map((x) => asUint(x, "index"));
      assert.deepEqual(
        mapping,
        Array.from({ length: count }, (_, i): number => shuffledIndex(i, count, seed, rounds)),
        name,
      );
      checked++;
    }
    assert.ok(checked >= 40, `only ${checked} cases checked`);
  });
});

function caseNames(runner: string, handler: string, suite: string): string[] {
  return readdirSync(path.join(DEFAULT_VECTORS_DIR, "tests", "minimal", FORK, runner, handler, suite)).sort();
}
