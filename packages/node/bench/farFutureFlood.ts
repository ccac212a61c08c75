/**
 * Far-future flood: node A (every validator and ticket holder) produces blocks on a real 1-second-slot
 * clock; node B (no keys) follows it over real libp2p and serves its REST API; an attacker C, a
 * third libp2p peer of B, publishes 100 unsigned beacon blocks whose slots lie far in the future.
 * While the flood is handled, a client hits B's API in a loop (/eth/v1/node/syncing and
 * /eth/v1/beacon/headers/head, one request at a time). Figures: the API's p99 latency during the
 * flood (target ≤ 50 ms) and how many slots B's head advanced meanwhile (it must keep following A).
 * All three nodes share this process's event loop, so A's own duties weigh on B's API latency too.
 */
import { type BeaconBlock, createChainContext, minimalChainConfig } from "@turnstile/ticket-state";
import { startApi } from "../src/api/server.ts";
import { NodeMetrics } from "../src/metrics/metrics.ts";
import { interopNode, network, note, percentile, report, sleep, waitFor } from "./common.ts";

const SECONDS_PER_SLOT = 1;
const FLOOD_BLOCKS = 100;
/** How far ahead of the clock the forged slots start. */
const FUTURE_SLOTS = 1_000_000;
const WARMUP_SLOTS = 3;
/** Slots the API is measured (and B's head watched) after the flood starts. */
const MEASURED_SLOTS = 6;
const API_PATHS = ["/eth/v1/node/syncing", "/eth/v1/beacon/headers/head"];

export async function farFutureFlood(): Promise<void> {
  const ctx = createChainContext({ ...minimalChainConfig, SECONDS_PER_SLOT });
  const genesisTime = Math.ceil(Date.now() / 1000) + 4;
  const a = interopNode(ctx, { genesisTime, keys: true });
  const b = interopNode(ctx, { genesisTime, keys: false });
  const c = interopNode(ctx, { genesisTime, keys: false });
  const netA = await network(a);
  const netB = await network(b, [netA.multiaddrs[0]]);
  const netC = await network(c, [netB.multiaddrs[0]]);
  const metrics = new NodeMetrics();
  const api = await startApi({ host: "127.0.0.1", port: 0, node: b, metrics });
  const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  try {
    await waitFor(
      () =>
        netA.getMeshPeers("beacon_block").length > 0 &&
        netB.getMeshPeers("beacon_block").length > 1 &&
        netC.getMeshPeers("beacon_block").length > 0,
      15_000,
      "gossip mesh",
    );
    note(
      `far-future flood: ${SECONDS_PER_SLOT}s slots, ${FLOOD_BLOCKS} unsigned blocks ~${FUTURE_SLOTS} slots ahead from one peer, API measured for ${MEASURED_SLOTS} slots`,
    );
    a.start();
    b.start();
    await waitFor(() => b.chain.forkChoice.getHead().slot >= WARMUP_SLOTS, (WARMUP_SLOTS + 10) * 1000, "B following A");

    // The forged blocks: a default block body, no signature, each at its own far-future slot
    const forged = Array.from({ length: FLOOD_BLOCKS }, (_, i) => {
      const message: BeaconBlock = {
        ...ctx.ssz.BeaconBlock.defaultValue(),
        slot: b.clock.currentSlot + FUTURE_SLOTS + i,
      };
      return { message, signature: new Uint8Array(96) };
    });
    // The same load without the flood first, for comparison: A's duties and B's imports cost latency too
    const quiet = apiClient(base);
    await sleep(MEASURED_SLOTS * SECONDS_PER_SLOT * 1000);
    const quietLatencies = await quiet.stop();

    const before = netB.counters();
    const headBefore = b.chain.forkChoice.getHead().slot;
    const client = apiClient(base);
    const floodStart = performance.now();
    await Promise.all(forged.map((block) => netC.publish("beacon_block", block).catch(() => 0)));
    const floodSent = performance.now() - floodStart;
    await sleep(MEASURED_SLOTS * SECONDS_PER_SLOT * 1000);
    const latencies = await client.stop();
    const headAfter = b.chain.forkChoice.getHead().slot;
    const after = netB.counters();
    const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    note(
      `flood sent in ${floodSent.toFixed(0)} ms; B received ${delta("gossip.received.beacon_block")} beacon_block messages, ignored ${delta("gossip.ignored.beacon_block")}; attacker score at B: ${JSON.stringify(netB.getPeerScore(netC.peerId))}`,
    );
    note(
      `${latencies.length} API requests; B head ${headBefore} → ${headAfter}; A head ${a.chain.forkChoice.getHead().slot}`,
    );
    report("no_flood_api_latency_p99", percentile(quietLatencies, 99), "ms");
    report("far_future_flood_api_latency_p50", percentile(latencies, 50), "ms");
    report("far_future_flood_api_latency_p99", percentile(latencies, 99), "ms", { max: 50 });
    report("far_future_flood_head_advanced", headAfter - headBefore, "slots", { min: MEASURED_SLOTS - 2 });
  } finally {
    a.stop();
    b.stop();
    await api.close();
    await netC.stop();
    await netB.stop();
    await netA.stop();
  }
}

/** Requests B's API one at a time until stopped; `stop` resolves to each request's latency in ms. */
function apiClient(base: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}${API_PATHS[i % API_PATHS.length]}`);
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}
