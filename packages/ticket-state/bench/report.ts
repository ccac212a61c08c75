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

/** A single derived value (a ratio, a count): human line plus JSON line. */
export function reportValue(name: string, value: number, unit: string, note = ""): void {
  console.log(`${name}: ${fmt(value)} ${unit}${note ? `  ${note}` : ""}`);
  console.log(JSON.stringify({ name, value: round(value), unit }));
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
