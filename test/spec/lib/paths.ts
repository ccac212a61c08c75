/** Where the Turnstile vectors live and how their directories are named. */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (three levels above this file). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The committed vector set. */
export const DEFAULT_VECTORS_DIR = path.join(REPO_ROOT, "test", "spec", "vectors");

/** The fork directory of every Turnstile case: `tests/<preset>/turnstile/<runner>/<handler>/<suite>/<case>`. */
export const FORK = "turnstile";

export const PRESETS = ["minimal", "mainnet"] as const;
export type PresetName = (typeof PRESETS)[number];

/** Root of the vectors the runner executes: `$SPEC_VECTORS_DIR` (relative to the repository root), else the committed set. */
export function specVectorsRoot(): string {
  const fromEnv = process.env.SPEC_VECTORS_DIR;
  return fromEnv !== undefined && fromEnv !== "" ? path.resolve(REPO_ROOT, fromEnv) : DEFAULT_VECTORS_DIR;
}
