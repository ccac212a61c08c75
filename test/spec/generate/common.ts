/** Helpers shared by the generators: case writing, expected failures, chains with interop keys. */
import {
  CachedBeaconState,
  type ChainConfig,
  type ChainContext,
  chainConfigToYaml,
  TicketStateError,
} from "@turnstile/ticket-state";
import { DevChain, type DevChainOptions } from "@turnstile/ticket-state/dev";
import { configWith, contextFor, isDefaultConfig } from "../lib/context.ts";
import type { CaseFiles } from "../lib/files.ts";
import type { PresetName } from "../lib/paths.ts";

/** The suite directory of every generated case (suites are cosmetic in the format). */
export const SUITE = "turnstile_tests";

export const ETH = 1_000_000_000;

export function chainConfigYaml(config: ChainConfig): Uint8Array {
  return new TextEncoder().encode(chainConfigToYaml(config));
}

/** Add `config.yaml` when the case does not run with the preset's default config. */
export function addConfig(files: CaseFiles, preset: PresetName, config: ChainConfig): void {
  if (!isDefaultConfig(preset, config)) files.files.set("config.yaml", chainConfigYaml(config));
}

/** Run `fn`, which must throw a typed error with `code`; anything else is a generator bug. */
export function expectError(label: string, code: string, fn: () => void): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`${label}: expected ${code}, but it succeeded`);
  if (!(error instanceof TicketStateError) || error.code !== code) {
    throw new Error(`${label}: expected ${code}, got ${String(error)}`, { cause: error });
  }
}

/** A state as a runner sees it: serialized and loaded back, with caches rebuilt from the bytes. */
export function reload(cs: CachedBeaconState): CachedBeaconState {
  cs.state.commit();
  return CachedBeaconState.fromBytes(cs.ctx, cs.serialize());
}

export function serializeState(cs: CachedBeaconState): Uint8Array {
  cs.state.commit();
  return cs.serialize();
}

/** An in-process chain with interop keys on the preset's config (with `overrides`). */
export function newChain(
  preset: PresetName,
  opts: Partial<DevChainOptions> = {},
  overrides: Partial<ChainConfig> = {},
): DevChain {
  const ctx: ChainContext = contextFor(configWith(preset, overrides));
  return new DevChain(ctx, {
    validatorCount: 64,
    buyerCount: 4,
    buyerBalance: 100 * ETH,
    initialTicketsPerBuyer: 2,
    ...opts,
  });
}

/** Run `fn` on a clone (generators never change the fixture they read from). */
export function mutated(cs: CachedBeaconState, fn: (copy: CachedBeaconState) => void): CachedBeaconState {
  const copy = cs.clone();
  fn(copy);
  return reload(copy);
}
