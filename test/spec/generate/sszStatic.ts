/** `ssz_static`: every container of the preset, random and lengthy values. */
import { ContainerType, type Type } from "@chainsafe/ssz";
import { contextFor, DEFAULT_CONFIGS } from "../lib/context.ts";
import { bytesToHex, CaseFiles } from "../lib/files.ts";
import type { PresetName } from "../lib/paths.ts";
import { sszToYaml } from "../lib/sszYaml.ts";
import type { Output } from "./output.ts";
import { Rng } from "./random.ts";
import { type RandomMode, randomValue } from "./randomValue.ts";

/** Cases per suite and preset. Mainnet leaves out BeaconState (its vectors alone are megabytes). */
const PLAN: Record<PresetName, { suites: [string, RandomMode, number][]; exclude: string[] }> = {
  minimal: {
    suites: [
      ["ssz_random", "random", 5],
      ["ssz_lengthy", "lengthy", 2],
    ],
    exclude: [],
  },
  mainnet: {
    suites: [
      ["ssz_random", "random", 2],
      ["ssz_lengthy", "lengthy", 1],
    ],
    exclude: ["BeaconState"],
  },
};

/** Every SSZ container of a preset, by type name. */
export function containerTypes(preset: PresetName): [string, Type<unknown>][] {
  const ctx = contextFor(DEFAULT_CONFIGS[preset]);
  return Object.entries(ctx.ssz)
    .filter(([, type]) => type instanceof ContainerType)
    .map(([name, type]) => [name, type as Type<unknown>]);
}

export function generateSszStatic(out: Output, preset: PresetName): void {
  const plan = PLAN[preset];
  for (const [name, type] of containerTypes(preset)) {
    if (plan.exclude.includes(name)) continue;
    for (const [suite, mode, count] of plan.suites) {
      for (let i = 0; i < count; i++) {
        const rng = new Rng(`ssz_static/${preset}/${name}/${suite}/${i}`);
        const value = randomValue(type, rng, mode);
        const files = new CaseFiles()
          .ssz("serialized", type, value)
          .yaml("value", sszToYaml(type, value))
          .yaml("roots", { root: bytesToHex(type.hashTreeRoot(value)) });
        out.add(preset, "ssz_static", name, suite, `case_${i}`, files);
      }
    }
  }
}
