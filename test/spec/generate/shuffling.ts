/** `shuffling`: `compute_shuffled_index` for every index of lists of several sizes, under seeded seeds. */
import { computeShuffledIndex } from "@turnstile/ticket-state";
import { contextFor, DEFAULT_CONFIGS } from "../lib/context.ts";
import { bytesToHex, CaseFiles } from "../lib/files.ts";
import type { PresetName } from "../lib/paths.ts";
import type { Output } from "./output.ts";
import { Rng } from "./random.ts";

const COUNTS = [0, 1, 2, 3, 5, 10, 33, 100, 1000];
const SEEDS = 6;

export function generateShuffling(out: Output, preset: PresetName): void {
  const rounds = contextFor(DEFAULT_CONFIGS[preset]).preset.SHUFFLE_ROUND_COUNT;
  const rng = new Rng(`shuffling/${preset}`);
  for (let s = 0; s < SEEDS; s++) {
    const seed = rng.bytes(32);
    for (const count of COUNTS) {
      // the largest lists only for the first seeds: they are the bulk of the bytes
      if (count >= 1000 && s >= 2) continue;
      const mapping = Array.from({ length: count }, (_, i) => computeShuffledIndex(i, count, seed, rounds));
      const files = new CaseFiles().yaml("mapping", { seed: bytesToHex(seed), count, mapping });
      out.add(preset, "shuffling", "core", "shuffle", `shuffle_${bytesToHex(seed)}_${count}`, files);
    }
  }
}
