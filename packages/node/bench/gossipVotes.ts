/**
 * Cost of admitting one vote from gossip (chain/votes): a SingleAttestation (the beacon_attestation
 * rules, fork choice's own checks, the pool) and a PayloadAttestationMessage, signature verified.
 * Node A (every validator) produces SLOTS slots on a stepped clock; node B (no keys) replays them
 * slot by slot, importing each block and payload, then A's votes of the slot at the times A cast
 * them. One process, 64 validators, minimal preset. Standalone:
 * `node --conditions=source --import ./test/setup/fastHasher.ts packages/node/bench/gossipVotes.ts`.
 */
import {
  createChainContext,
  minimalChainConfig,
  type PayloadAttestationMessage,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  type SingleAttestation,
  toHex,
} from "@turnstile/ticket-state";
import { interopNode, note, percentile, report } from "./common.ts";

const SLOTS = 24;
const INTERVALS_PER_SLOT = 4;

interface SlotTraffic {
  block?: SignedBeaconBlock;
  envelope?: SignedExecutionPayloadEnvelope;
  attestations: { at: number; value: SingleAttestation }[];
  ptc: { at: number; value: PayloadAttestationMessage }[];
}

export async function gossipVotes(): Promise<void> {
  const ctx = createChainContext(minimalChainConfig);
  const seconds = ctx.config.SECONDS_PER_SLOT;
  let timeA = 0;
  const a = interopNode(ctx, { genesisTime: 0, keys: true, now: () => timeA, random: seeded(7) });
  const traffic = new Map<number, SlotTraffic>();
  const slotOf = (slot: number) => {
    if (!traffic.has(slot)) traffic.set(slot, { attestations: [], ptc: [] });
    return traffic.get(slot)!;
  };
  a.publisher = (topic, value) => {
    if (topic === "beacon_block") slotOf((value as SignedBeaconBlock).message.slot).block = value as SignedBeaconBlock;
    if (topic === "execution_payload") {
      const e = value as SignedExecutionPayloadEnvelope;
      slotOf(a.chain.getEntry(toHex(e.message.beacon_block_root))?.slot ?? -1).envelope = e;
    }
    if (topic === "beacon_attestation") {
      const v = value as SingleAttestation;
      slotOf(v.data.slot).attestations.push({ at: timeA, value: v });
    }
    if (topic === "payload_attestation_message") {
      const v = value as PayloadAttestationMessage;
      slotOf(v.data.slot).ptc.push({ at: timeA, value: v });
    }
  };
  for (let slot = 1; slot <= SLOTS; slot++) {
    for (let interval = 0; interval < INTERVALS_PER_SLOT; interval++) {
      timeA = slot * seconds + (interval * seconds) / INTERVALS_PER_SLOT;
      a.onInterval(slot, interval);
    }
  }

  let timeB = 0;
  const b = interopNode(ctx, { genesisTime: 0, keys: false, now: () => timeB });
  const attestationMs: number[] = [];
  const ptcMs: number[] = [];
  let refused = 0;
  const timed = (samples: number[], admit: () => void) => {
    const t0 = performance.now();
    try {
      admit();
    } catch {
      refused++;
    }
    samples.push(performance.now() - t0);
  };
  for (let slot = 1; slot <= SLOTS; slot++) {
    const t = slotOf(slot);
    timeB = slot * seconds;
    b.chain.onTick(timeB);
    if (t.block) b.chain.importBlock(t.block);
    if (t.envelope) b.chain.importEnvelope(t.envelope);
    for (const { at, value } of t.attestations) {
      timeB = at;
      timed(attestationMs, () => b.votes.importAttestation(value, true));
    }
    for (const { at, value } of t.ptc) {
      timeB = at;
      timed(ptcMs, () => b.votes.importPayloadAttestationMessage(value, true));
    }
  }
  note(
    `gossip votes: ${attestationMs.length} attestations and ${ptcMs.length} PTC messages over ${SLOTS} slots, ${refused} refused; B's head = A's: ${b.chain.forkChoice.getHead().root === a.chain.forkChoice.getHead().root}`,
  );
  report("gossip_attestation_admit_p50", percentile(attestationMs, 50), "ms");
  report("gossip_attestation_admit_p99", percentile(attestationMs, 99), "ms");
  report("gossip_ptc_message_admit_p50", percentile(ptcMs, 50), "ms");
  report("gossip_ptc_message_admit_p99", percentile(ptcMs, 99), "ms");
}

function seeded(seed: number): () => number {
  let r = seed;
  return () => {
    r = (r * 1103515245 + 12345) % 2 ** 31;
    return r / 2 ** 31;
  };
}

if (import.meta.main) await gossipVotes();
