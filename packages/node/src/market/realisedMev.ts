import { readFileSync } from "node:fs";
import { MarketError, MarketErrorCode } from "./errors.ts";

/**
 * The MEV a devnet's holders realised, slot by slot (`turnstile devnet --traffic` writes it as
 * `realised-mev.json`: `[{slot, gwei}]`, one entry per slot whose holder payload was revealed), as
 * the values the market lab's `realised` MEV process replays: in slot order, cycled over the run.
 */
export function loadRealisedMevSeries(file: string): number[] {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new MarketError(MarketErrorCode.INVALID_VALUE, `mev.seriesFile: ${(e as Error).message}`, { file });
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new MarketError(MarketErrorCode.INVALID_VALUE, "mev.seriesFile: expected a non-empty list of {slot, gwei}", {
      file,
    });
  }
  const values: { slot: number; gwei: number }[] = [];
  for (const [i, e] of entries.entries()) {
    const { slot, gwei } = (e ?? {}) as { slot?: unknown; gwei?: unknown };
    if (typeof slot !== "number" || typeof gwei !== "number" || !Number.isFinite(gwei)) {
      throw new MarketError(MarketErrorCode.INVALID_VALUE, `mev.seriesFile[${i}]: expected {slot, gwei} numbers`, {
        file,
        value: e,
      });
    }
    // A payload's realised MEV is its arbitrage's profit: never below zero as an available MEV
    values.push({ slot, gwei: Math.max(0, gwei) });
  }
  return values.sort((a, b) => a.slot - b.slot).map((v) => v.gwei);
}

const loaded = new Map<string, number[]>();

/** `loadRealisedMevSeries`, read once per file per process (a sweep replays it in every run). */
export function realisedMevSeries(file: string): number[] {
  let series = loaded.get(file);
  if (!series) {
    series = loadRealisedMevSeries(file);
    loaded.set(file, series);
  }
  return series;
}
