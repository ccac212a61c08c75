/**
 * The whole vector set, deterministically: the same bytes on every run and machine (seeded
 * randomness, interop keys, a fixed genesis time, a YAML emitter of our own).
 */
import { mainnetPreset, minimalPreset, type Preset } from "@turnstile/ticket-state";
import { DEFAULT_CONFIGS } from "../lib/context.ts";
import { PRESETS, type PresetName } from "../lib/paths.ts";
import { toYaml, type YamlValue } from "../lib/yaml.ts";
import { chainConfigYaml } from "./common.ts";
import { findings, generateEpochProcessing } from "./epochProcessing.ts";
import { generateForkChoice } from "./forkChoice.ts";
import { generateGenesis } from "./genesis.ts";
import { generateInclusionLists } from "./inclusionLists.ts";
import { generateOperations } from "./operations.ts";
import { Output } from "./output.ts";
import { generateSanity } from "./sanity.ts";
import { generateShuffling } from "./shuffling.ts";
import { generateSszStatic } from "./sszStatic.ts";

export const RUNNERS = [
  "ssz_static",
  "shuffling",
  "genesis",
  "operations",
  "epoch_processing",
  "sanity",
  "fork_choice",
  "inclusion_list",
] as const;
export type RunnerName = (typeof RUNNERS)[number];

const GENERATORS: Record<RunnerName, (out: Output, preset: PresetName) => void> = {
  ssz_static: generateSszStatic,
  shuffling: generateShuffling,
  genesis: generateGenesis,
  operations: (out, preset) => generateOperations(out, preset),
  epoch_processing: generateEpochProcessing,
  sanity: (out, preset) => generateSanity(out, preset),
  fork_choice: generateForkChoice,
  inclusion_list: generateInclusionLists,
};

const PRESET_VALUES: Record<PresetName, Preset> = { minimal: minimalPreset, mainnet: mainnetPreset };

export interface GenerateOptions {
  /** Generate only these `<preset>/<runner>` pairs (default: everything). */
  only?: (preset: PresetName, runner: RunnerName) => boolean;
  /** Called after each runner with its wall time. */
  onRunner?: (preset: PresetName, runner: RunnerName, ms: number) => void;
}

export interface GenerateResult {
  counts: Map<string, number>;
  /** Inconsistencies of the implementation noticed while generating (e.g. step-by-step vs one-pass epoch). */
  findings: string[];
}

/** Write the vector set under `root` (which should be empty). */
export function generateAll(root: string, opts: GenerateOptions = {}): GenerateResult {
  const out = new Output(root);
  findings.length = 0;
  for (const preset of PRESETS) {
    out.addFile(`configs/${preset}.yaml`, chainConfigYaml(DEFAULT_CONFIGS[preset]));
    const presetValues = PRESET_VALUES[preset] as unknown as Record<string, YamlValue>;
    out.addFile(`presets/${preset}/turnstile.yaml`, new TextEncoder().encode(toYaml({ ...presetValues })));
    for (const runner of RUNNERS) {
      if (opts.only !== undefined && !opts.only(preset, runner)) continue;
      const start = performance.now();
      GENERATORS[runner](out, preset);
      opts.onRunner?.(preset, runner, performance.now() - start);
    }
  }
  return { counts: out.counts, findings: [...findings] };
}
