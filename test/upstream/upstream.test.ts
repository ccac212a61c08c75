/**
 * Upstream conformance vectors (ethereum/consensus-spec-tests, ssz-rs's ssz_generic copy, and
 * bls12-381-tests if present) run against Turnstile's code. Vectors root: $UPSTREAM_VECTORS_DIR,
 * default the subset vendored in test/upstream/vectors (see its SOURCES.md and LICENSES.md).
 *
 * One `describe` per runner/handler, one `it` per case; unknown runners/handlers are registered as
 * skipped with a reason. A per-handler summary line is printed after the run.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { planBlsCase } from "./blsCases.ts";
import { closeBlsSetPaths, planBlsSetCase, SET_HANDLERS } from "./blsSetCases.ts";
import { type CasePlan, registerCase, summaryLines } from "./caseTally.ts";
import { planShufflingCase } from "./shufflingCases.ts";
import { planSszGenericCase } from "./sszGenericCases.ts";
import { planSszStaticCase } from "./sszStaticCases.ts";
import { type VectorCase, walkVectors } from "./walkVectors.ts";

const runners: Record<string, (c: VectorCase) => CasePlan> = {
  bls: planBlsCase,
  shuffling: planShufflingCase,
  ssz_static: planSszStaticCase,
  ssz_generic: planSszGenericCase,
};

function planCase(c: VectorCase): CasePlan {
  const plan = runners[c.runner];
  if (plan === undefined) return { skip: `runner "${c.runner}" is not implemented by the upstream runner` };
  try {
    return plan(c);
  } catch (e) {
    // A failure while planning (e.g. building a type) is the case's failure, not the file's.
    return {
      run() {
        throw e;
      },
    };
  }
}

const tree = walkVectors();

describe("upstream vectors", () => {
  it(`vectors found under ${tree.root}`, () => {
    assert.ok(tree.cases.length > 0, `no upstream vector cases found under ${tree.root}`);
  });
});

const groups = new Map<string, VectorCase[]>();
for (const c of tree.cases) {
  const key = `${c.runner}/${c.handler}`;
  let list = groups.get(key);
  if (list === undefined) {
    list = [];
    groups.set(key, list);
  }
  list.push(c);
}

for (const [group, cases] of groups) {
  const multiSource = new Set(cases.map((c) => c.source)).size > 1;
  describe(group, () => {
    for (const c of cases) {
      const name = `${c.preset}/${c.fork}/${c.suite}/${c.name}${multiSource ? ` [${c.source}]` : ""}`;
      registerCase(group, name, planCase(c));
    }
  });
}

// The signature checks again, through the code that verifies consensus signatures (batches, the BLS thread)
for (const [group, cases] of groups) {
  const [runner, handler] = group.split("/");
  if (runner !== "bls" || !SET_HANDLERS.has(handler)) continue;
  const multiSource = new Set(cases.map((c) => c.source)).size > 1;
  describe(`bls_signature_sets/${handler}`, () => {
    for (const c of cases) {
      const name = `${c.preset}/${c.fork}/${c.suite}/${c.name}${multiSource ? ` [${c.source}]` : ""}`;
      registerCase(`bls_signature_sets/${handler}`, name, planBlsSetCase(c));
    }
  });
}

if (tree.unrecognized.length > 0) {
  describe("unrecognized", () => {
    for (const u of tree.unrecognized) registerCase("unrecognized/layout", u.path, { skip: u.reason });
  });
}

after(async () => {
  await closeBlsSetPaths();
  for (const line of summaryLines()) console.log(line);
});
