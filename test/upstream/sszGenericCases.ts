/**
 * The `ssz_generic` runner: `valid` cases must decode and re-encode to identical bytes (and match
 * `meta.yaml` root / `value.yaml` where the vector set has them); `invalid` cases must fail to decode.
 * Both @chainsafe/ssz decoding paths are checked: to a value (`deserialize`) and to a tree (`deserializeToViewDU`).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { isCompositeType, type Type } from "@chainsafe/ssz";
import type { CasePlan } from "./caseTally.ts";
import { resolveGenericType } from "./sszGenericTypes.ts";
import { asRecord, bytesToHex, normalizeHex, readOptionalYaml, readSszSnappy, yamlToSszJson } from "./vectorFiles.ts";
import type { VectorCase } from "./walkVectors.ts";

/** What a decoded tree-backed view offers (the library types it per composite type). */
interface TreeBacked {
  serialize(): Uint8Array;
  hashTreeRoot(): Uint8Array;
}

function checkValid(label: string, type: Type<unknown>, bytes: Uint8Array, dir: string): void {
  const value = type.deserialize(bytes);
  assert.equal(bytesToHex(type.serialize(value)), bytesToHex(bytes), `${label}: value re-encoding differs`);
  const root = bytesToHex(type.hashTreeRoot(value));
  if (isCompositeType(type)) {
    const view = type.deserializeToViewDU(bytes) as TreeBacked;
    assert.equal(bytesToHex(view.serialize()), bytesToHex(bytes), `${label}: tree re-encoding differs`);
    assert.equal(bytesToHex(view.hashTreeRoot()), root, `${label}: value and tree hash_tree_root differ`);
  }

  const meta = readOptionalYaml(dir, "meta.yaml");
  if (meta !== undefined && meta !== null) {
    const expected = asRecord(meta, "meta.yaml").root;
    if (expected !== undefined) assert.equal(root, String(expected).toLowerCase(), `${label}: hash_tree_root`);
  }
  const yamlValue = readOptionalYaml(dir, "value.yaml");
  if (yamlValue !== undefined) {
    const json = yamlToSszJson(yamlValue);
    const fromYaml = type.fromJson(json);
    assert.ok(type.equals(fromYaml, value), `${label}: value.yaml differs from the decoded value`);
    assert.deepEqual(type.toJson(value), normalizeHex(json), `${label}: toJson differs from value.yaml`);
  }
}

function checkInvalid(label: string, type: Type<unknown>, bytes: Uint8Array): void {
  let decoded: { value: unknown } | undefined;
  try {
    decoded = { value: type.deserialize(bytes) };
  } catch {
    decoded = undefined;
  }
  if (decoded !== undefined) {
    assert.fail(
      `${label}: deserialize accepted invalid bytes ${bytesToHex(bytes)} as ${JSON.stringify(type.toJson(decoded.value))}`,
    );
  }
  if (!isCompositeType(type)) return;
  let viewAccepted = false;
  try {
    type.deserializeToViewDU(bytes);
    viewAccepted = true;
  } catch {
    // expected
  }
  if (viewAccepted) assert.fail(`${label}: deserializeToViewDU accepted invalid bytes ${bytesToHex(bytes)}`);
}

export function planSszGenericCase(c: VectorCase): CasePlan {
  if (c.suite !== "valid" && c.suite !== "invalid") {
    return { skip: `ssz_generic suite "${c.suite}" is neither valid nor invalid` };
  }
  const resolution = resolveGenericType(c.handler, c.name);
  if (resolution.kind === "unknown") return { skip: resolution.reason };
  const serialized = path.join(c.path, "serialized.ssz_snappy");
  if (resolution.kind === "illegal") {
    if (c.suite === "valid") {
      return {
        run() {
          assert.fail(`valid case names an SSZ type that cannot be built: ${resolution.label}: ${resolution.reason}`);
        },
      };
    }
    // Nothing decodes as a type SSZ forbids; check the library refuses to build it (done in resolve).
    return {
      run(note) {
        readSszSnappy(serialized);
        note(`${resolution.label} is not a legal SSZ type (${resolution.reason}); rejected before decoding`);
      },
    };
  }
  return {
    run() {
      const bytes = readSszSnappy(serialized);
      for (const { label, type } of resolution.types) {
        if (c.suite === "valid") checkValid(label, type, bytes, c.path);
        else checkInvalid(label, type, bytes);
      }
    },
  };
}
