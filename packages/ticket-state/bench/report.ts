import type { Stats } from "./measure.ts";

/** A DESIGN.md §10 budget: the figure's p50 must not exceed `max`. */
export interface Target {
  max: number;
  label?: string;
}

export interface FigureResult {
  name: string;
  p50: number;
  unit: string;
  met: boolean | null;
}

const results: FigureResult[] = [];

function fmt(value: number): string {
  if (value >= 100) return value.toFixed(1);
  if (value >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Print a human line and a JSON line (`{"name","value","unit"}`, value = p50) for one figure. */
export function reportFigure(name: string, stats: Stats, unit: string, target?: Target): FigureResult {
  const met = target === undefined ? null : stats.p50 <= target.max;
  const verdict =
    target === undefined ? "" : `  [target ≤ ${target.label ?? `${target.max} ${unit}`}: ${met ? "MET" : "MISSED"}]`;
  console.log(
    `${name}: p50 ${fmt(stats.p50)} ${unit}, min ${fmt(stats.min)} ${unit}, max ${fmt(stats.max)} ${unit} (n=${stats.runs})${verdict}`,
  );
  console.log(JSON.stringify({ name, value: round(stats.p50), unit }));
  const result = { name, p50: stats.p50, unit, met };
  results.push(result);
  return result;
}

/** A single derived value (a ratio, a count): human line plus JSON line, checked against `target` if given. */
export function reportValue(name: string, value: number, unit: string, note = "", target?: Target): FigureResult {
  const met = target === undefined ? null : value <= target.max;
  const verdict =
    target === undefined ? "" : `  [target ≤ ${target.label ?? `${target.max} ${unit}`}: ${met ? "MET" : "MISSED"}]`;
  console.log(`${name}: ${fmt(value)} ${unit}${note ? `  ${note}` : ""}${verdict}`);
  console.log(JSON.stringify({ name, value: round(value), unit }));
  const result = { name, p50: value, unit, met };
  results.push(result);
  return result;
}

/** Setup and progress lines: human only, so that every JSON line on stdout is a figure. */
export function note(message: string): void {
  console.log(`# ${message}`);
}

export function setupTime(what: string, ms: number): void {
  note(`setup: ${what} in ${(ms / 1000).toFixed(2)} s`);
}

export function reportedFigures(): readonly FigureResult[] {
  return results;
}

/**
 * The summary every bench runner ends with: one MET/MISSED line per figure that has a target,
 * and a non-zero exit code when any target is missed (`npm run bench` fails on a regression).
 */
export function summarizeTargets(): void {
  note("--- summary ---");
  const missed: FigureResult[] = [];
  for (const f of results) {
    if (f.met === null) continue;
    note(`${f.met ? "MET   " : "MISSED"} ${f.name}: ${f.p50.toFixed(3)} ${f.unit}`);
    if (!f.met) missed.push(f);
  }
  if (missed.length > 0) {
    console.error(`MISSED ${missed.length} benchmark target(s): ${missed.map((f) => f.name).join("; ")}`);
    process.exitCode = 1;
  }
}
