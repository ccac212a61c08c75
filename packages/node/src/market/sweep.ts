import { parse as parseYaml } from "yaml";
import { MarketError, MarketErrorCode } from "./errors.ts";
import { applySetupPatch, DEFAULT_SETUP, type LabSetup, labChainConfig } from "./setup.ts";

/**
 * A sweep file (YAML):
 *   name: a label for the outputs
 *   base: setup keys over the lab's defaults (see LabSetup)
 *   setups: optional list of named variants of `base` (each a setup patch with a `name`)
 *   sweep: optional map of dotted setup paths to lists of values; every combination is a point
 * Points = setups × the sweep's cartesian product (in file order), each run `runs` times with
 * seeds seed, seed + 1, ...
 */
export interface SweepPlan {
  name: string;
  points: LabSetup[];
}

const TOP_KEYS = ["name", "base", "setups", "sweep"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `{ "mev.meanGwei": 5 }` → `{ mev: { meanGwei: 5 } }`, for the setup parser to check. */
function patchAt(path: string, value: unknown): Record<string, unknown> {
  const parts = path.split(".");
  if (parts.some((p) => p.length === 0)) {
    throw new MarketError(MarketErrorCode.INVALID_VALUE, `sweep: bad path "${path}"`, { path });
  }
  let patch: unknown = value;
  for (let i = parts.length - 1; i >= 0; i--) patch = { [parts[i]]: patch };
  return patch as Record<string, unknown>;
}

function label(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Parse a sweep file into its points; every error is a MarketError with a code. */
export function parseSweep(text: string, defaults: LabSetup = DEFAULT_SETUP): SweepPlan {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new MarketError(MarketErrorCode.INVALID_YAML, `sweep file is not valid YAML: ${(e as Error).message}`);
  }
  if (!isRecord(doc)) throw new MarketError(MarketErrorCode.INVALID_YAML, "sweep file must be a YAML mapping");
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.includes(key)) {
      throw new MarketError(MarketErrorCode.UNKNOWN_KEY, `unknown key ${key} (expected ${TOP_KEYS.join(", ")})`, {
        key,
      });
    }
  }
  const name = doc.name ?? "sweep";
  if (typeof name !== "string") throw new MarketError(MarketErrorCode.INVALID_VALUE, "name: expected a string");
  const base =
    doc.base === undefined ? { ...defaults, name } : applySetupPatch({ ...defaults, name }, doc.base, "base.");

  let variants: LabSetup[] = [base];
  if (doc.setups !== undefined) {
    if (!Array.isArray(doc.setups) || doc.setups.length === 0) {
      throw new MarketError(MarketErrorCode.INVALID_VALUE, "setups: expected a non-empty list of setups");
    }
    variants = doc.setups.map((patch, i) => {
      if (!isRecord(patch) || typeof patch.name !== "string") {
        throw new MarketError(MarketErrorCode.INVALID_VALUE, `setups[${i}]: expected a mapping with a name`, {
          index: i,
        });
      }
      return applySetupPatch(base, patch, `setups[${i}].`);
    });
  }

  let points = variants;
  if (doc.sweep !== undefined) {
    if (!isRecord(doc.sweep)) {
      throw new MarketError(MarketErrorCode.INVALID_VALUE, "sweep: expected a mapping of setup paths to lists");
    }
    for (const [path, values] of Object.entries(doc.sweep)) {
      if (!Array.isArray(values) || values.length === 0) {
        throw new MarketError(MarketErrorCode.INVALID_VALUE, `sweep.${path}: expected a non-empty list`, { path });
      }
      points = points.flatMap((p) =>
        values.map((v) => {
          const next = applySetupPatch(p, patchAt(path, v), `sweep.`);
          next.name = `${p.name} ${path}=${label(v)}`;
          return next;
        }),
      );
    }
  }
  // Chain keys are checked now, by the chain's own config parser, not when a worker first runs them
  for (const p of points) labChainConfig(p);
  return { name, points };
}
