/**
 * Range sync throughput: node A builds a chain on a stepped clock (no real time), then node B, empty,
 * connects to it over real libp2p on 127.0.0.1 and range-syncs every block and payload envelope
 * (B verifies every signature). Measured from B dialling A until B's head is A's head.
 *
 * A's validators attest at just under 2/3 participation so that the chain does not finalize:
 * attachNetwork serves blocks_by_range only from the blocks its Chain still holds, and Chain.pruneStates
 * drops every block below the finalized slot, so a peer that has finalized cannot serve a sync from genesis.
 */
import { createChainContext, minimalChainConfig, toHex } from "@turnstile/ticket-state";
import { interopNode, network, note, percentile, report, sum, timeImports, waitFor } from "./common.ts";

const BLOCKS = 320;

export async function rangeSync(): Promise<void> {
  const ctx = createChainContext(minimalChainConfig);
  const seconds = ctx.config.SECONDS_PER_SLOT;
  let time = 0;
  let r = 7;
  const a = interopNode(ctx, {
    genesisTime: 0,
    keys: true,
    now: () => time,
    random: () => {
      r = (r * 1103515245 + 12345) % 2 ** 31;
      return r / 2 ** 31;
    },
  });
  const attest = a.importAttestation.bind(a);
  a.importAttestation = (attestation, verify) => attestation.attester_index % 3 !== 0 && attest(attestation, verify);

  const t0 = performance.now();
  for (let slot = 1; slot <= BLOCKS; slot++) {
    for (let interval = 0; interval < 4; interval++) {
      time = slot * seconds + (interval * seconds) / 4;
      a.onInterval(slot, interval);
    }
  }
  const head = a.chain.forkChoice.getHead();
  let blocks = 0;
  let envelopes = 0;
  for (
    let e = a.chain.getEntry(head.root);
    e && e.block.message.slot > 0;
    e = a.chain.getEntry(toHex(e.block.message.parent_root))
  ) {
    blocks++;
    if (e.envelope) envelopes++;
  }
  note(
    `range sync: A built ${blocks} blocks and ${envelopes} payloads in ${((performance.now() - t0) / 1000).toFixed(1)} s (head ${head.slot}, finalized epoch ${a.chain.forkChoice.finalized.epoch})`,
  );

  const b = interopNode(ctx, { genesisTime: 0, keys: false, now: () => (BLOCKS + 1) * seconds });
  const blockImports = timeImports(b, "importBlock");
  const envelopeImports = timeImports(b, "importEnvelope");
  const netA = await network(a);
  const netB = await network(b);
  try {
    const start = performance.now();
    await netB.connect(netA.multiaddrs[0]);
    await waitFor(() => b.chain.forkChoice.getHead().root === head.root, 120_000, "B to sync");
    const elapsed = (performance.now() - start) / 1000;
    const importMs = sum(blockImports.ms) + sum(envelopeImports.ms);
    note(
      `B synced ${blockImports.ms.length} blocks + ${envelopeImports.ms.length} envelopes in ${elapsed.toFixed(2)} s; ` +
        `${((importMs / 1000 / elapsed) * 100).toFixed(0)}% of it in B's imports, the rest in requests and waiting`,
    );
    report("range_sync_throughput", blocks / elapsed, "blocks/s", { min: 300 });
    report("range_sync_block_import_p50", percentile(blockImports.ms, 50), "ms");
    report("range_sync_envelope_import_p50", percentile(envelopeImports.ms, 50), "ms");
  } finally {
    await netB.stop();
    await netA.stop();
  }
}
