/**
 * Gossip-to-head import latency: node A (every validator and ticket holder) produces blocks on a real
 * 1-second-slot clock; node B (no keys) receives them over real libp2p on 127.0.0.1. Measured from A's
 * publish of a block to B's chain emitting "head" for that block's slot, so it includes snappy and SSZ,
 * gossipsub, B's gossip checks and full import (state transition, batched BLS verify, state root) and fork choice.
 * Both nodes share this process's event loop, as they would not in a deployment: A's own duties
 * (attestations, PTC votes, payload reveals) compete with B's imports.
 */
import { createChainContext, minimalChainConfig, type SignedBeaconBlock } from "@turnstile/ticket-state";
import { interopNode, network, note, percentile, report, waitFor } from "./common.ts";

const SECONDS_PER_SLOT = 1;
const WARMUP_BLOCKS = 3;
const MEASURED_BLOCKS = 50;

export async function gossipToHead(): Promise<void> {
  const ctx = createChainContext({ ...minimalChainConfig, SECONDS_PER_SLOT });
  const genesisTime = Math.ceil(Date.now() / 1000) + 4;
  const a = interopNode(ctx, { genesisTime, keys: true });
  const b = interopNode(ctx, { genesisTime, keys: false });
  const netA = await network(a);
  const netB = await network(b, [netA.multiaddrs[0]]);
  try {
    await waitFor(
      () => netA.getMeshPeers("beacon_block").length > 0 && netB.getMeshPeers("beacon_block").length > 0,
      15_000,
      "gossip mesh",
    );

    const publishedAt = new Map<number, number>();
    const arrivedAt = new Map<number, number>();
    const latency = new Map<number, number>();
    const send = a.publisher!;
    a.publisher = (topic, value) => {
      if (topic === "beacon_block") publishedAt.set((value as SignedBeaconBlock).message.slot, performance.now());
      send(topic, value);
    };
    const importGossipBlock = b.importGossipBlock.bind(b);
    b.importGossipBlock = (block) => {
      if (!arrivedAt.has(block.message.slot)) arrivedAt.set(block.message.slot, performance.now());
      return importGossipBlock(block);
    };
    b.chain.on("head", (head) => {
      const t0 = publishedAt.get(head.slot);
      if (t0 !== undefined && !latency.has(head.slot)) latency.set(head.slot, performance.now() - t0);
    });

    note(
      `gossip-to-head: ${SECONDS_PER_SLOT}s slots, ${WARMUP_BLOCKS} warm-up + ${MEASURED_BLOCKS} measured blocks (~${WARMUP_BLOCKS + MEASURED_BLOCKS + 4} s)`,
    );
    a.start();
    b.start();
    const lastSlot = WARMUP_BLOCKS + MEASURED_BLOCKS;
    await waitFor(() => publishedAt.has(lastSlot), (lastSlot + 10) * SECONDS_PER_SLOT * 1000, "blocks");
    await waitFor(() => latency.has(lastSlot), 2000, "the last block's head").catch(() => {});
    a.stop();
    b.stop();

    const measured = [...publishedAt.keys()].filter((slot) => slot > WARMUP_BLOCKS && slot <= lastSlot);
    const total = measured.flatMap((s) => latency.get(s) ?? []);
    const transport = measured.flatMap((s) =>
      arrivedAt.has(s) && publishedAt.has(s) ? [arrivedAt.get(s)! - publishedAt.get(s)!] : [],
    );
    const importToHead = measured.flatMap((s) =>
      latency.has(s) && arrivedAt.has(s) ? [latency.get(s)! + publishedAt.get(s)! - arrivedAt.get(s)!] : [],
    );
    if (total.length < measured.length) note(`${measured.length - total.length} blocks never became B's head`);
    note(
      `${total.length} blocks; B head = A head: ${b.chain.forkChoice.getHead().root === a.chain.forkChoice.getHead().root}`,
    );
    report("gossip_to_head_latency_p50", percentile(total, 50), "ms");
    report("gossip_to_head_latency_p99", percentile(total, 99), "ms", { max: 150 });
    // where the time goes: publish → B's import starts (network), then B's import until its head moves
    report("gossip_block_transport_p50", percentile(transport, 50), "ms");
    report("gossip_block_transport_p99", percentile(transport, 99), "ms");
    report("gossip_block_import_to_head_p50", percentile(importToHead, 50), "ms");
    report("gossip_block_import_to_head_p99", percentile(importToHead, 99), "ms");
  } finally {
    a.stop();
    b.stop();
    await netB.stop();
    await netA.stop();
  }
}
