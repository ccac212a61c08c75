/**
 * Runs every Turnstile conformance vector (default: the committed test/spec/vectors; override
 * with $SPEC_VECTORS_DIR) against the packages: one `describe` per `<preset>/<runner>/<handler>`,
 * one `it` per case; after the run, one count line per handler.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FORK, specVectorsRoot } from "./lib/paths.ts";
import { planCase } from "./runner/runners.ts";
import { registerCase, summaryLines } from "./runner/tally.ts";
import { type SpecCase, walkCases } from "./runner/walk.ts";

const root = specVectorsRoot();
const cases = walkCases(root);

describe("spec vectors", () => {
  it(`vectors found under ${root}`, () => {
    assert.ok(cases.length > 0, `no vector cases under ${root}/tests`);
  });
});

const groups = new Map<string, SpecCase[]>();
for (const c of cases) {
  const key = `${c.preset}/${c.runner}/${c.handler}`;
  const list = groups.get(key) ?? [];
  list.push(c);
  groups.set(key, list);
}

for (const [group, list] of groups) {
  describe(group, () => {
    for (const c of list) {
      const name = `${c.suite}/${c.name}`;
      registerCase(group, name, c.fork === FORK ? planCase(root, c) : { skip: `fork ${c.fork} is not ${FORK}` });
    }
  });
}

after(() => {
  for (const line of summaryLines()) console.log(line);
});
