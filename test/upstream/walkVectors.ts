/**
 * Discovery of upstream conformance cases on disk. Understands the layouts the vectors are
 * published in, so that a newer upstream copy can be dropped in without code changes:
 * - consensus-spec-tests: `<owner+repo>/tests/<preset>/<fork>/<runner>/<handler>/<suite>/<case>/`
 * - ssz-rs vendored ssz_generic: `<owner+repo>/.../tests/data/<handler>/<valid|invalid>/<case>/serialized.ssz_snappy`
 * - bls12-381-tests release layout: `<owner+repo>/.../<bls handler>/<case>.yaml` (one file per case)
 * Directories matching none of these are returned as `unrecognized`, so they are reported rather than ignored.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root of the monorepo (two levels above this file). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The subset vendored in the repository (with SOURCES.md and LICENSES.md), so that a fresh clone runs it. */
export const VENDORED_VECTORS_DIR = "test/upstream/vectors";

/** Root of the upstream vectors: `$UPSTREAM_VECTORS_DIR` (relative to the repository root), default the vendored subset. */
export function vectorsRoot(): string {
  const fromEnv = process.env.UPSTREAM_VECTORS_DIR;
  return path.resolve(REPO_ROOT, fromEnv !== undefined && fromEnv !== "" ? fromEnv : VENDORED_VECTORS_DIR);
}

export type VectorLayout = "consensus-spec-tests" | "ssz-rs" | "bls12-381-tests";

export interface VectorCase {
  /** `<owner>+<repo>` directory the case came from. */
  source: string;
  layout: VectorLayout;
  preset: string;
  fork: string;
  runner: string;
  handler: string;
  suite: string;
  name: string;
  /** The case directory, or for single-file layouts the case file. */
  path: string;
}

export interface UnrecognizedEntry {
  source: string;
  path: string;
  reason: string;
}

export interface VectorTree {
  root: string;
  cases: VectorCase[];
  unrecognized: UnrecognizedEntry[];
}

/** Handler names of the BLS test formats (consensus-spec-tests `bls` runner and bls12-381-tests). */
export const BLS_HANDLERS = [
  "sign",
  "verify",
  "aggregate",
  "aggregate_verify",
  "fast_aggregate_verify",
  "eth_aggregate_pubkeys",
  "eth_fast_aggregate_verify",
  "batch_verify",
  "deserialization_G1",
  "deserialization_G2",
  "hash_to_G2",
] as const;

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Walk `tests/<preset>/<fork>/<runner>/<handler>/<suite>/<case>/`. */
function walkConsensusSpecTests(source: string, testsDir: string, out: VectorCase[]): void {
  for (const preset of subdirs(testsDir)) {
    for (const fork of subdirs(path.join(testsDir, preset))) {
      for (const runner of subdirs(path.join(testsDir, preset, fork))) {
        for (const handler of subdirs(path.join(testsDir, preset, fork, runner))) {
          for (const suite of subdirs(path.join(testsDir, preset, fork, runner, handler))) {
            const suiteDir = path.join(testsDir, preset, fork, runner, handler, suite);
            for (const name of subdirs(suiteDir)) {
              out.push({
                source,
                layout: "consensus-spec-tests",
                preset,
                fork,
                runner,
                handler,
                suite,
                name,
                path: path.join(suiteDir, name),
              });
            }
          }
        }
      }
    }
  }
}

/** Walk ssz-rs's `tests/data/<handler>/<valid|invalid>/<case>/` (the ssz_generic vectors, general preset, phase0). */
function walkSszRsData(source: string, dataDir: string, out: VectorCase[]): void {
  for (const handler of subdirs(dataDir)) {
    for (const suite of subdirs(path.join(dataDir, handler))) {
      const suiteDir = path.join(dataDir, handler, suite);
      for (const name of subdirs(suiteDir)) {
        out.push({
          source,
          layout: "ssz-rs",
          preset: "general",
          fork: "phase0",
          runner: "ssz_generic",
          handler,
          suite,
          name,
          path: path.join(suiteDir, name),
        });
      }
    }
  }
}

const isYaml = (file: string) => file.endsWith(".yaml") || file.endsWith(".yml");

/**
 * Walk a bls12-381-tests style directory: `<handler>/<case>.yaml`. The directory qualifies when one
 * of its children is a known BLS handler holding YAML files; then every child holding YAML files is
 * taken as a handler (unknown ones end up reported as skipped).
 */
function walkBlsFlat(source: string, dir: string, out: VectorCase[]): boolean {
  const handlers = subdirs(dir).filter((h) => readdirSync(path.join(dir, h)).some(isYaml));
  if (!handlers.some((h) => (BLS_HANDLERS as readonly string[]).includes(h))) return false;
  for (const handler of handlers) {
    const handlerDir = path.join(dir, handler);
    for (const file of readdirSync(handlerDir).filter(isYaml).sort()) {
      out.push({
        source,
        layout: "bls12-381-tests",
        preset: "general",
        fork: "general",
        runner: "bls",
        handler,
        suite: "bls",
        name: file.replace(/\.ya?ml$/, ""),
        path: path.join(handlerDir, file),
      });
    }
  }
  return true;
}

/**
 * Find, below `dir` (bounded depth), the first directory that looks like one of the known layouts
 * and walk it. Returns whether anything was recognized.
 */
function walkRepoDir(source: string, dir: string, out: VectorCase[], depth: number): boolean {
  const testsDir = path.join(dir, "tests");
  if (isDir(testsDir)) {
    // consensus-spec-tests: tests/<preset>/... where presets are general/minimal/mainnet
    const presets = subdirs(testsDir).filter((p) => ["general", "minimal", "mainnet"].includes(p));
    if (presets.length > 0) {
      walkConsensusSpecTests(source, testsDir, out);
      return true;
    }
    if (isDir(path.join(testsDir, "data"))) {
      walkSszRsData(source, path.join(testsDir, "data"), out);
      return true;
    }
  }
  if (walkBlsFlat(source, dir, out)) return true;
  if (depth <= 0) return false;
  let found = false;
  for (const child of subdirs(dir)) {
    if (walkRepoDir(source, path.join(dir, child), out, depth - 1)) found = true;
  }
  return found;
}

/** Discover every case under `root`, sorted by runner, handler, suite, case name. */
export function walkVectors(root: string = vectorsRoot()): VectorTree {
  const cases: VectorCase[] = [];
  const unrecognized: UnrecognizedEntry[] = [];
  if (!isDir(root)) {
    unrecognized.push({ source: "(root)", path: root, reason: `vectors directory ${root} does not exist` });
    return { root, cases, unrecognized };
  }
  for (const source of subdirs(root)) {
    const found = walkRepoDir(source, path.join(root, source), cases, 3);
    if (!found) {
      unrecognized.push({
        source,
        path: path.join(root, source),
        reason: "no known vector layout (consensus-spec-tests, ssz-rs tests/data, bls12-381-tests) found",
      });
    }
  }
  cases.sort(
    (a, b) =>
      a.runner.localeCompare(b.runner) ||
      a.handler.localeCompare(b.handler) ||
      a.preset.localeCompare(b.preset) ||
      a.fork.localeCompare(b.fork) ||
      a.suite.localeCompare(b.suite) ||
      a.name.localeCompare(b.name) ||
      a.source.localeCompare(b.source),
  );
  return { root, cases, unrecognized };
}
