/**
 * Loading one committed vector case for a hand-checked test: the decoded pre/post states (as
 * plain values), the case's other files, and its chain context.
 */
import path from "node:path";
import type { BeaconState, ChainContext } from "@turnstile/ticket-state";
import { contextForCase } from "../lib/context.ts";
import { CaseDir } from "../lib/files.ts";
import { DEFAULT_VECTORS_DIR, FORK, type PresetName } from "../lib/paths.ts";

export interface LoadedCase {
  ctx: ChainContext;
  dir: CaseDir;
  meta: Record<string, unknown>;
  state(name: string): BeaconState;
  pre: BeaconState;
  post: BeaconState;
}

export const ETH = 1_000_000_000;

/** The case `tests/<preset>/turnstile/<runner>/<handler>/<suite>/<name>` of the committed vectors. */
export function loadCase(
  runner: string,
  handler: string,
  name: string,
  { preset = "minimal", suite = "turnstile_tests" }: { preset?: PresetName; suite?: string } = {},
): LoadedCase {
  const dirPath = path.join(DEFAULT_VECTORS_DIR, "tests", preset, FORK, runner, handler, suite, name);
  const ctx = contextForCase(DEFAULT_VECTORS_DIR, preset, dirPath);
  const dir = new CaseDir(dirPath);
  const state = (file: string) => ctx.ssz.BeaconState.deserialize(dir.ssz(file));
  return {
    ctx,
    dir,
    meta: dir.meta(),
    state,
    get pre() {
      return state("pre");
    },
    get post() {
      return state("post");
    },
  };
}
