/**
 * The `ssz_static` runner: for upstream types Turnstile has with the same shape, decode `value.yaml`
 * with our type and check hash_tree_root against `roots.yaml` and the encoding against
 * `serialized.ssz_snappy` where present; otherwise check value.yaml → value → serialize → deserialize → value.
 *
 * Turnstile's uint64 fields are number-typed (exact up to 2^53); their `fromJson` refuses larger
 * values rather than rounding them. Random upstream values are almost always above 2^53, so for such
 * a case we assert that refusal and check the shape with a twin of our type whose uint64 fields are
 * bigint-typed (same encoding and root), and say so in a note.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { isCompositeType, type Type } from "@chainsafe/ssz";
import type { CasePlan } from "./caseTally.ts";
import { resolveStaticType, withBigintUint64 } from "./sszStaticTypes.ts";
import { asRecord, bytesToHex, normalizeHex, readOptionalYaml, readSszSnappy, yamlToSszJson } from "./vectorFiles.ts";
import type { VectorCase } from "./walkVectors.ts";

/** What a decoded tree-backed view offers (the library types it per composite type). */
interface TreeBacked {
  hashTreeRoot(): Uint8Array;
}

interface StaticExpectations {
  json: unknown;
  root: string | undefined;
  serialized: Uint8Array | undefined;
}

function checkWithType(label: string, type: Type<unknown>, { json, root, serialized }: StaticExpectations): void {
  const value = type.fromJson(json);
  assert.deepEqual(type.toJson(value), normalizeHex(json), `${label}: value.yaml → value → toJson is lossy`);
  const bytes = type.serialize(value);
  if (serialized !== undefined) {
    assert.equal(bytesToHex(bytes), bytesToHex(serialized), `${label}: serialize(value.yaml) != serialized`);
  }
  const decoded = type.deserialize(serialized ?? bytes);
  assert.ok(type.equals(decoded, value), `${label}: deserialize(serialize(value)) != value`);
  const valueRoot = bytesToHex(type.hashTreeRoot(value));
  if (isCompositeType(type)) {
    const view = type.deserializeToViewDU(serialized ?? bytes) as TreeBacked;
    assert.equal(bytesToHex(view.hashTreeRoot()), valueRoot, `${label}: tree-backed and value hash_tree_root differ`);
  }
  if (root !== undefined) assert.equal(valueRoot, root, `${label}: hash_tree_root != roots.yaml`);
}

export function planSszStaticCase(c: VectorCase): CasePlan {
  const resolution = resolveStaticType(c.preset, c.fork, c.handler);
  if (resolution.kind === "skip") return { skip: resolution.reason };
  const ourType = resolution.type;
  return {
    run(note) {
      const yamlValue = readOptionalYaml(c.path, "value.yaml");
      const serializedFile = path.join(c.path, "serialized.ssz_snappy");
      const serialized = existsSync(serializedFile) ? readSszSnappy(serializedFile) : undefined;
      const roots = readOptionalYaml(c.path, "roots.yaml");
      const root = roots === undefined ? undefined : String(asRecord(roots, "roots.yaml").root).toLowerCase();

      if (yamlValue === undefined) {
        // No YAML: only the bytes (and root) can be checked.
        assert.ok(serialized !== undefined, "case has neither value.yaml nor serialized.ssz_snappy");
        const value = ourType.deserialize(serialized);
        assert.equal(bytesToHex(ourType.serialize(value)), bytesToHex(serialized), "re-encoding differs");
        if (root !== undefined) assert.equal(bytesToHex(ourType.hashTreeRoot(value)), root, "hash_tree_root");
        return;
      }

      const expectations: StaticExpectations = { json: yamlToSszJson(yamlValue), root, serialized };
      let refusal: Error | undefined;
      try {
        ourType.fromJson(expectations.json);
      } catch (e) {
        refusal = e as Error;
      }
      if (refusal === undefined) {
        checkWithType(`Turnstile ${c.handler}`, ourType, expectations);
        return;
      }
      // Only the documented uint64 range guard may refuse the value; anything else is a real failure.
      assert.match(refusal.message, /MAX_SAFE_INTEGER/, `Turnstile ${c.handler}.fromJson failed: ${refusal.message}`);
      const twin = withBigintUint64(ourType);
      assert.notEqual(twin, ourType, "fromJson refused a value although the type has no number-typed uint64");
      checkWithType(`${c.handler} with bigint uint64`, twin, expectations);
      note(
        `uint64 value(s) above 2^53 refused by Turnstile's number-typed Uint64 (${refusal.message}); ` +
          `shape${root === undefined ? " and round trip" : " and root"} checked with a bigint-uint64 twin`,
      );
    },
  };
}
