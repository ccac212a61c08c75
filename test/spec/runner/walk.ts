/** Discovery of vector cases: `tests/<preset>/<fork>/<runner>/<handler>/<suite>/<case>/`. */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

export interface SpecCase {
  preset: string;
  fork: string;
  runner: string;
  handler: string;
  suite: string;
  name: string;
  dir: string;
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

export function walkCases(root: string): SpecCase[] {
  const tests = path.join(root, "tests");
  const cases: SpecCase[] = [];
  for (const preset of subdirs(tests)) {
    for (const fork of subdirs(path.join(tests, preset))) {
      for (const runner of subdirs(path.join(tests, preset, fork))) {
        for (const handler of subdirs(path.join(tests, preset, fork, runner))) {
          for (const suite of subdirs(path.join(tests, preset, fork, runner, handler))) {
            for (const name of subdirs(path.join(tests, preset, fork, runner, handler, suite))) {
              const dir = path.join(tests, preset, fork, runner, handler, suite, name);
              cases.push({ preset, fork, runner, handler, suite, name, dir });
            }
          }
        }
      }
    }
  }
  return cases;
}
