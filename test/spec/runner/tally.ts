/** One `it` per case, counted per `<preset>/<runner>/<handler>` for the summary lines printed after the run. */
import { it } from "node:test";

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

const tallies = new Map<string, Tally>();

/** A case's check (throws on mismatch), or a reason to skip it. */
export type CasePlan = { skip: string } | { run: () => void };

function tallyFor(group: string): Tally {
  let t = tallies.get(group);
  if (t === undefined) {
    t = { passed: 0, failed: 0, skipped: 0 };
    tallies.set(group, t);
  }
  return t;
}

export function registerCase(group: string, name: string, plan: CasePlan): void {
  const tally = tallyFor(group);
  if ("skip" in plan) {
    tally.skipped++;
    it(name, { skip: plan.skip }, () => {});
    return;
  }
  it(name, () => {
    try {
      plan.run();
      tally.passed++;
    } catch (e) {
      tally.failed++;
      throw e;
    }
  });
}

/** `spec <preset>/<runner>/<handler>: N passed` (plus failures and skips when there are any). */
export function summaryLines(): string[] {
  const lines: string[] = [];
  let total = 0;
  for (const [group, t] of [...tallies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    total += t.passed;
    let line = `spec ${group}: ${t.passed} passed`;
    if (t.failed > 0) line += `, ${t.failed} failed`;
    if (t.skipped > 0) line += `, ${t.skipped} skipped`;
    lines.push(line);
  }
  lines.push(`spec total: ${total} passed`);
  return lines;
}
