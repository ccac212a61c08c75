/**
 * Range sync throughput: a peer in a worker thread (its own event loop, as a real peer has its own
 * process) builds a chain, then node B, empty, connects to it over real libp2p on 127.0.0.1 and
 * range-syncs every block and payload envelope, verifying every signature (one batch per segment).
 * Measured from B dialling the peer until B's head is the peer's head. Both share the machine's cores.
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { createChainContext, minimalChainConfig } from "@turnstile/ticket-state";
import { interopNode, network, note, report, sum, timeCalls, waitFor } from "./common.ts";
import type { PeerReady } from "./rangeSyncPeer.ts";

/** Long enough that connecting and filling the pipeline (about 0.15 s) do not dominate the figure. */
const SLOTS = 1024;

export async function rangeSync(): Promise<void> {
  const ctx = createChainContext(minimalChainConfig);
  const peer = new Worker(new URL("./rangeSyncPeer.ts", import.meta.url), { workerData: { slots: SLOTS } });
  const [ready] = (await once(peer, "message")) as [PeerReady];
  note(
    `range sync: the peer built ${ready.blocks} blocks and ${ready.envelopes} payloads in ${ready.buildSeconds.toFixed(1)} s (head ${ready.headSlot}, finalized epoch ${ready.finalizedEpoch})`,
  );

  const b = interopNode(ctx, { genesisTime: 0, keys: false, now: () => (SLOTS + 1) * ctx.config.SECONDS_PER_SLOT });
  const checks = timeCalls(b.chain, "checkSegment");
  const commits = timeCalls(b.chain, "commitSegment");
  const netB = await network(b);
  try {
    const start = performance.now();
    await netB.connect(ready.multiaddr);
    await waitFor(() => b.chain.forkChoice.getHead().root === ready.headRoot, 120_000, "B to sync");
    const elapsed = (performance.now() - start) / 1000;
    note(
      `B synced ${ready.blocks} blocks + ${ready.envelopes} envelopes in ${checks.ms.length} segments in ${elapsed.toFixed(2)} s`,
    );
    report("range_sync_throughput", ready.blocks / elapsed, "blocks/s", { min: 300 });
    // Main-thread work per block; signatures are verified on the BLS thread meanwhile
    report("range_sync_check_per_block", sum(checks.ms) / ready.blocks, "ms");
    report("range_sync_commit_per_block", sum(commits.ms) / ready.blocks, "ms");
  } finally {
    await netB.stop();
    await b.bls.close();
    peer.postMessage("stop");
    await once(peer, "message");
    await peer.terminate();
  }
}
