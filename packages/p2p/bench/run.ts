/**
 * Network benchmark on loopback (bounded to well under 2 minutes):
 * - gossip latency p50/p99 for a ~100 KB beacon block, publish → handler at every other host (snappy, message-id,
 *   SSZ decoding, validation queue included): over one loopback link (2 hosts), and across 8 hosts in this one
 *   process, paced (10/s) and loaded (40/s) — the 8 hosts share one event loop, so their work queues up;
 * - req/resp throughput of beacon_blocks_by_range (64-block requests, decoded and checked by the requester),
 *   for ~100 KB and small blocks.
 * Prints each figure as a line and as one JSON line `{"name", "value", "unit"}`.
 */
import { randomBytes } from "node:crypto";
import {
  BitArray,
  computeForkDigest,
  getSszTypes,
  presets,
  type SignedBeaconBlock,
  useFastHasher,
} from "@turnstile/ticket-state";
import { createNetwork, type Network, type NetworkOptions } from "../src/index.ts";

await useFastHasher();

const ssz = getSszTypes(presets.minimal);
const preset = presets.minimal;
const forkDigest = computeForkDigest(Uint8Array.from([0, 0, 0, 1]), new Uint8Array(32).fill(1));
const HOSTS = 8;
const GOSSIP_WARMUP = 20;
const GOSSIP_MESSAGES = 200;
const RANGE_SECONDS = 5;

function report(name: string, value: number, unit: string): void {
  const rounded = Math.round(value * 100) / 100;
  console.log(`${name}: ${rounded} ${unit}`);
  console.log(JSON.stringify({ name, value: rounded, unit }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await sleep(50);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A block of about `targetBytes` serialized, made of attestations with random (incompressible) bits. */
function makeBlock(slot: number, targetBytes: number): SignedBeaconBlock {
  const block = ssz.SignedBeaconBlock.defaultValue();
  block.message.slot = slot;
  block.signature = randomBytes(96);
  const bitsPerAttestation = preset.MAX_VALIDATORS_PER_COMMITTEE * preset.MAX_COMMITTEES_PER_SLOT;
  const attestationSize = ssz.Attestation.serialize(ssz.Attestation.defaultValue()).length + bitsPerAttestation / 8 + 4;
  const emptySize = ssz.SignedBeaconBlock.serialize(block).length;
  const n = Math.min(preset.MAX_ATTESTATIONS, Math.max(0, Math.ceil((targetBytes - emptySize) / attestationSize)));
  for (let i = 0; i < n; i++) {
    const att = ssz.Attestation.defaultValue();
    att.aggregation_bits = new BitArray(randomBytes(bitsPerAttestation / 8), bitsPerAttestation);
    att.signature = randomBytes(96);
    att.data.slot = slot;
    block.message.body.attestations.push(att);
  }
  return block;
}

function options(extra: Partial<NetworkOptions> = {}): NetworkOptions {
  return {
    ssz,
    forkDigest,
    listenAddresses: ["/ip4/127.0.0.1/tcp/0"],
    peers: { targetPeers: 10, heartbeatMs: 500 },
    gossip: { heartbeatIntervalMs: 200 },
    ...extra,
  };
}

async function gossipLatency(hosts: number): Promise<void> {
  const nets: Network[] = [];
  try {
    const publishedAt = new Map<number, number>();
    let latencies: number[] = [];
    for (let i = 0; i < hosts; i++) {
      const bootnodes = nets.slice(Math.max(0, i - 3)).map((n) => n.multiaddrs[0]);
      const net = await createNetwork(options({ bootnodes }));
      net.subscribe(
        "beacon_block",
        () => "ACCEPT",
        (block) => {
          const t0 = publishedAt.get(block.message.slot);
          if (t0 !== undefined) latencies.push(performance.now() - t0);
        },
      );
      await net.start();
      nets.push(net);
    }
    const meshSize = Math.min(3, hosts - 1);
    await waitFor(() => nets.every((n) => n.getMeshPeers("beacon_block").length >= meshSize), 30_000, "gossip mesh");
    // pre-built blocks: their construction is not part of the latency
    const blocks = Array.from({ length: GOSSIP_WARMUP + (hosts === 2 ? 1 : 2) * GOSSIP_MESSAGES }, (_, slot) =>
      ssz.SignedBeaconBlock.serialize(makeBlock(slot, 100_000)),
    );
    const size = blocks[0].length;
    let next = 0;
    const phase = async (count: number, intervalMs: number): Promise<number[]> => {
      latencies = [];
      for (let i = 0; i < count; i++, next++) {
        publishedAt.set(next, performance.now());
        // with 2 hosts, host 0 always publishes: one link, one direction
        await nets[hosts === 2 ? 0 : next % hosts].publishSerialized("beacon_block", blocks[next]);
        await sleep(intervalMs);
      }
      const expected = count * (hosts - 1);
      await waitFor(() => latencies.length >= expected, 20_000, "all deliveries").catch(() => {});
      console.log(
        `gossip: ${latencies.length}/${expected} deliveries of ${size}-byte blocks, one every ${intervalMs} ms`,
      );
      return latencies.sort((a, b) => a - b);
    };
    await phase(GOSSIP_WARMUP, 50);
    if (hosts === 2) {
      const single = await phase(GOSSIP_MESSAGES, 50);
      report("gossip_block_100kb_latency_p50_2_hosts", percentile(single, 50), "ms");
      report("gossip_block_100kb_latency_p99_2_hosts", percentile(single, 99), "ms");
      return;
    }
    // paced: one block every 100 ms (already 20 times a 2-second-slot devnet's block rate)
    const paced = await phase(GOSSIP_MESSAGES, 100);
    report("gossip_block_100kb_latency_p50_8_hosts", percentile(paced, 50), "ms");
    report("gossip_block_100kb_latency_p99_8_hosts", percentile(paced, 99), "ms");
    // loaded: one every 25 ms; the 8 hosts share one event loop on this machine, so this measures contention too
    const loaded = await phase(GOSSIP_MESSAGES, 25);
    report("gossip_block_100kb_latency_p50_8_hosts_40_per_s", percentile(loaded, 50), "ms");
    report("gossip_block_100kb_latency_p99_8_hosts_40_per_s", percentile(loaded, 99), "ms");
  } finally {
    await Promise.all(nets.map((n) => n.stop()));
  }
}

async function rangeThroughput(label: string, blockBytes: number): Promise<void> {
  const COUNT = 1024;
  const blocks = Array.from({ length: COUNT }, (_, slot) =>
    ssz.SignedBeaconBlock.serialize(makeBlock(slot, blockBytes)),
  );
  const unlimited = { quota: 1e12, periodMs: 1000 };
  const server = await createNetwork(
    options({
      handlers: { getBlocksByRange: (start, count) => blocks.slice(start, Math.min(start + count, COUNT)) },
      reqResp: { rateLimits: { total: unlimited, beacon_blocks_by_range: unlimited } },
    }),
  );
  await server.start();
  const client = await createNetwork(options({ bootnodes: [server.multiaddrs[0]] }));
  await client.start();
  try {
    await waitFor(() => client.getPeerStatus(server.peerId) !== undefined, 10_000, "handshake");
    console.log(`req/resp: blocks of ${blocks[0].length} bytes, 64 per request, ${RANGE_SECONDS} s`);
    let received = 0;
    const t0 = performance.now();
    let start = 0;
    while (performance.now() - t0 < RANGE_SECONDS * 1000) {
      const got = await client.request.blocksByRange(server.peerId, start, 64);
      received += got.length;
      start = (start + 64) % COUNT;
    }
    const seconds = (performance.now() - t0) / 1000;
    report(`reqresp_blocks_by_range_throughput_${label}`, received / seconds, "blocks/s");
  } finally {
    await client.stop();
    await server.stop();
  }
}

const started = performance.now();
await gossipLatency(2);
await gossipLatency(HOSTS);
await rangeThroughput("100kb", 100_000);
await rangeThroughput("small", 0);
console.log(`bench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
