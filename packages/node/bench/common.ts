import type { Network } from "@turnstile/p2p";
import { type ChainContext, interopBuyerSecretKey, interopSecretKey } from "@turnstile/ticket-state";
import { interopGenesisState } from "../src/cli/writeGenesis.ts";
import { createLogger } from "../src/logger.ts";
import { attachNetwork } from "../src/network/nodeNetwork.ts";
import { BeaconNode } from "../src/node/beaconNode.ts";

export const VALIDATORS = 64;
export const BUYERS = 4;

/** Print one figure as a human line and as one JSON line `{"name","value","unit"}`. */
export function report(name: string, value: number, unit: string, target?: { max?: number; min?: number }): void {
  const rounded = Math.round(value * 100) / 100;
  let verdict = "";
  if (target?.max !== undefined)
    verdict = `  [target ≤ ${target.max} ${unit}: ${value <= target.max ? "MET" : "MISSED"}]`;
  if (target?.min !== undefined)
    verdict = `  [target ≥ ${target.min} ${unit}: ${value >= target.min ? "MET" : "MISSED"}]`;
  console.log(`${name}: ${rounded} ${unit}${verdict}`);
  console.log(JSON.stringify({ name, value: rounded, unit }));
  // A missed target fails `npm run bench`
  if (verdict.includes("MISSED")) {
    console.error(`MISSED: ${name} ${rounded} ${unit}`);
    process.exitCode = 1;
  }
}

/** Setup and context lines: human only, so that every JSON line on stdout is a figure. */
export function note(message: string): void {
  console.log(`# ${message}`);
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await sleep(5);
  }
}

/** A node over an interop genesis; `keys` true runs every validator and ticket holder, false none. */
export function interopNode(
  ctx: ChainContext,
  opts: { genesisTime: number; keys: boolean; now?: () => number; random?: () => number },
): BeaconNode {
  const range = (n: number) => (opts.keys ? Array.from({ length: n }, (_, i) => i) : []);
  return new BeaconNode({
    ctx,
    anchor: interopGenesisState(ctx, { genesisTime: opts.genesisTime, validators: VALIDATORS, buyers: BUYERS }),
    validatorKeys: new Map(range(VALIDATORS).map((i) => [i, interopSecretKey(i)] as const)),
    buyerKeys: new Map(range(BUYERS).map((i) => [i, interopBuyerSecretKey(i)] as const)),
    buyerCount: BUYERS,
    misbehaviour: { withholdCommitment: 0, withholdPayload: 0 },
    now: opts.now,
    random: opts.random,
  });
}

const silent = createLogger({ level: "silent", pretty: false });

/** The node's real libp2p network on a free loopback port, wired as `turnstile beacon` wires it. */
export function network(node: BeaconNode, bootnodes: string[] = []): Promise<Network> {
  return attachNetwork(node, { listenAddresses: ["/ip4/127.0.0.1/tcp/0"], bootnodes }, silent);
}

/**
 * Record the wall time of each call of `target[method]` (the node calls it through the instance);
 * for a method that returns a promise, until it settles.
 */
export function timeCalls<T extends object>(target: T, method: keyof T & string): { ms: number[] } {
  const samples = { ms: [] as number[] };
  const original = (target[method] as (...args: unknown[]) => unknown).bind(target);
  (target as Record<string, unknown>)[method] = (...args: unknown[]) => {
    const t0 = performance.now();
    const done = () => samples.ms.push(performance.now() - t0);
    const result = original(...args);
    if (result instanceof Promise) return result.finally(done);
    done();
    return result;
  };
  return samples;
}

export function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
