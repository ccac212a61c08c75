/**
 * `npm run vectors:generate`: write the Turnstile conformance vectors to test/spec/vectors/.
 * `npm run vectors:check`: regenerate into a temporary directory and compare byte-for-byte with
 * the committed tree; exits 1 listing differing, missing and extra files.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { useFastHasher } from "@turnstile/ticket-state";
import { DEFAULT_VECTORS_DIR } from "../lib/paths.ts";
import { compareTrees, describeDiff } from "./compareTrees.ts";
import { generateAll } from "./generateAll.ts";

await useFastHasher();
const check = process.argv.includes("--check");
const started = performance.now();
const target = check ? mkdtempSync(path.join(tmpdir(), "turnstile-vectors-")) : DEFAULT_VECTORS_DIR;
try {
  if (!check) rmSync(DEFAULT_VECTORS_DIR, { recursive: true, force: true });
  const result = generateAll(target, {
    onRunner: (preset, runner, ms) => console.log(`generated ${preset}/${runner} in ${(ms / 1000).toFixed(1)} s`),
  });
  let total = 0;
  for (const n of result.counts.values()) total += n;
  console.log(`${total} cases in ${((performance.now() - started) / 1000).toFixed(1)} s → ${target}`);
  for (const f of result.findings) console.warn(`finding: ${f}`);
  if (check) {
    const diff = compareTrees(target, DEFAULT_VECTORS_DIR);
    const lines = describeDiff(diff);
    if (lines.length > 0) {
      console.error("committed vectors differ from a fresh generation (run `npm run vectors:generate`):");
      for (const line of lines) console.error(line);
      process.exitCode = 1;
    } else {
      console.log("committed vectors are up to date");
    }
  }
} finally {
  if (check) rmSync(target, { recursive: true, force: true });
}
