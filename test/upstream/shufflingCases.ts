/**
 * The `shuffling` runner: `core/shuffle/<case>/mapping.yaml` against Turnstile's `computeShuffledIndex`
 * and `shuffleList`, and the native `shuffleListNative` the epoch cache uses, with SHUFFLE_ROUND_COUNT taken from the preset named in the case's path.
 */
import assert from "node:assert/strict";
import path from "node:path";
import {
  computeShuffledIndex,
  type PresetName,
  presets,
  shuffleList,
  shuffleListNative,
} from "@turnstile/ticket-state";
import type { CasePlan } from "./caseTally.ts";
import { asArray, asRecord, asSafeNumber, hexToBytes, readYaml } from "./vectorFiles.ts";
import type { VectorCase } from "./walkVectors.ts";

function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}

export function planShufflingCase(c: VectorCase): CasePlan {
  if (c.handler !== "core") return { skip: `shuffling handler "${c.handler}" is not known to this runner` };
  if (!isPresetName(c.preset)) return { skip: `preset "${c.preset}" is not a Turnstile preset` };
  const rounds = presets[c.preset].SHUFFLE_ROUND_COUNT;
  return {
    run() {
      const data = asRecord(readYaml(path.join(c.path, "mapping.yaml")), "mapping.yaml");
      const seed = hexToBytes(data.seed);
      assert.equal(seed.length, 32, "seed must be 32 bytes");
      const count = asSafeNumber(data.count, "count");
      const mapping = asArray(data.mapping, "mapping").map((v, i) => asSafeNumber(v, `mapping[${i}]`));
      assert.equal(mapping.length, count, "mapping length must equal count");

      const byIndex = mapping.map((_, i) => computeShuffledIndex(i, count, seed, rounds));
      assert.deepEqual(byIndex, mapping, "computeShuffledIndex(i) must equal mapping[i]");

      const identity = Array.from({ length: count }, (_, i) => i);
      assert.deepEqual(
        Array.from(shuffleList(identity, seed, rounds)),
        mapping,
        "shuffleList(identity) must equal mapping",
      );
      // The epoch cache shuffles natively: it must agree with the spec-readable version on every vector
      assert.deepEqual(
        Array.from(shuffleListNative(Uint32Array.from(identity), seed, rounds)),
        mapping,
        "shuffleListNative(identity) must equal mapping",
      );
    },
  };
}
