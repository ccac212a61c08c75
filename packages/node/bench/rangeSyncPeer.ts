/**
 * The serving side of the range-sync benchmark, in its own thread as a real peer is in its own
 * process: builds a chain on a stepped clock (no real time), serves it over libp2p, and tells the
 * parent its address and head; stops when the parent says so.
 *
 * Validators attest at just under 2/3 participation so that the chain does not finalize (range
 * sync from genesis then exercises the in-memory history, not only the database).
 */
import { parentPort, workerData } from "node:worker_threads";
import { createChainContext, minimalChainConfig, toHex, useFastHasher } from "@turnstile/ticket-state";
import { interopNode, network } from "./common.ts";

export interface PeerReady {
  multiaddr: string;
  headRoot: string;
  headSlot: number;
  blocks: number;
  envelopes: number;
  finalizedEpoch: number;
  buildSeconds: number;
}

await useFastHasher();
const slots = (workerData as { slots: number }).slots;
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
for (let slot = 1; slot <= slots; slot++) {
  for (let interval = 0; interval < 4; interval++) {
    time = slot * seconds + (interval * seconds) / 4;
    a.onInterval(slot, interval);
  }
}
const head = a.chain.forkChoice.getHead();
let blocks = 0;
let envelopes = 0;
for (let e = a.chain.getEntry(head.root); e && e.slot > 0; e = a.chain.getEntry(toHex(e.block.message.parent_root))) {
  blocks++;
  if (e.envelope) envelopes++;
}
const net = await network(a);
const ready: PeerReady = {
  multiaddr: net.multiaddrs[0].toString(),
  headRoot: head.root,
  headSlot: head.slot,
  blocks,
  envelopes,
  finalizedEpoch: a.chain.forkChoice.finalized.epoch,
  buildSeconds: (performance.now() - t0) / 1000,
};
parentPort?.postMessage(ready);
parentPort?.once("message", async () => {
  await net.stop();
  parentPort?.postMessage("stopped");
});
