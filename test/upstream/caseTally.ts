/**
 * Registers one node:test `it` per vector case and counts outcomes per runner/handler, so that a
 * one-line summary per handler can be printed after the run (in addition to node's own summary).
 */
import { it } from "node:test";

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  notes: string[];
}

const tallies = new Map<string, Tally>();

function tallyFor(group: string): Tally {
  let t = tallies.get(group);
  if (t === undefined) {
    t = { passed: 0, failed: 0, skipped: 0, notes: [] };
    tallies.set(group, t);
  }
  return t;
}

/** What to do with one case: run a check (throws on failure), or skip it with a reason. */
export type CasePlan = { skip: string } | { run: (note: (message: string) => void) => void | Promise<void> };

/**
 * Register the `it` for one case of `group` ("<runner>/<handler>"). `note` attaches a diagnostic to
 * the test and to the handler's summary (used for checks that needed a documented workaround).
 */
export function registerCase(group: string, name: string, plan: CasePlan): void {
  const tally = tallyFor(group);
  if ("skip" in plan) {
    tally.skipped++;
    it(name, { skip: plan.skip }, () => {});
    return;
  }
  it(name, async (t) => {
    const note = (message: string) => {
      t.diagnostic(message);
      tally.notes.push(`${name}: ${message}`);
    };
    try {
      await plan.run(note);
      tally.passed++;
    } catch (e) {
      tally.failed++;
      throw e;
    }
  });
}

/** Count a whole group as registered even if it has no cases (so it shows in the summary). */
export function ensureGroup(group: string): void {
  tallyFor(group);
}

/** One line per handler: `upstream <runner>/<handler>: N passed, M failed, K skipped`, then any notes. */
export function summaryLines(): string[] {
  const lines: string[] = [];
  for (const [group, t] of tallies) {
    lines.push(`upstream ${group}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  }
  for (const [group, t] of tallies) {
    for (const n of t.notes) lines.push(`upstream ${group} note: ${n}`);
  }
  return lines;
}
