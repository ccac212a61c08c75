/**
 * CI's guard that the committed vectors are what the code generates: regenerate everything into a
 * temporary directory and compare byte-for-byte with test/spec/vectors (as `npm run vectors:check`).
 * Full generation takes about ten seconds, so this checks the whole set, not a subset.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { compareTrees, describeDiff } from "./generate/compareTrees.ts";
import { generateAll } from "./generate/generateAll.ts";
import { DEFAULT_VECTORS_DIR } from "./lib/paths.ts";

describe("committed vectors", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "turnstile-vectors-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("equal a fresh generation, byte for byte", () => {
    const result = generateAll(dir);
    assert.deepEqual(result.findings, [], "the generator noticed inconsistencies in the implementation");
    const lines = describeDiff(compareTrees(dir, DEFAULT_VECTORS_DIR));
    assert.equal(lines.length, 0, `run \`npm run vectors:generate\`:\n${lines.join("\n")}`);
  });
});
