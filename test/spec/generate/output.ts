/** Where generated cases go: a directory tree in the consensus-spec-tests layout. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CaseFiles } from "../lib/files.ts";
import { FORK, type PresetName } from "../lib/paths.ts";

export class Output {
  readonly root: string;
  /** Cases written, by `<preset>/<runner>/<handler>`. */
  readonly counts = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  /** Write one case to `tests/<preset>/turnstile/<runner>/<handler>/<suite>/<case>/`. */
  add(preset: PresetName, runner: string, handler: string, suite: string, name: string, files: CaseFiles): void {
    const rel = path.join("tests", preset, FORK, runner, handler, suite, name);
    if (this.seen.has(rel)) throw new Error(`generator wrote case ${rel} twice`);
    this.seen.add(rel);
    const dir = path.join(this.root, rel);
    mkdirSync(dir, { recursive: true });
    for (const [file, bytes] of files.files) writeFileSync(path.join(dir, file), bytes);
    const key = `${preset}/${runner}/${handler}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** A file outside the case tree (e.g. `configs/minimal.yaml`). */
  addFile(rel: string, bytes: Uint8Array): void {
    const file = path.join(this.root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
}
