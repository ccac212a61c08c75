import type { Libp2p, PeerId } from "@libp2p/interface";
import { computeForkDigest, getSszTypes, presets, type SszTypes } from "@turnstile/ticket-state";
import {
  createNetwork,
  type GossipMessageTypes,
  type GossipTopicName,
  type Network,
  type NetworkOptions,
} from "../../src/index.ts";

export const ssz: SszTypes = getSszTypes(presets.minimal);
export const FORK_DIGEST = computeForkDigest(Uint8Array.from([0, 0, 0, 1]), new Uint8Array(32).fill(7));
export const OTHER_FORK_DIGEST = computeForkDigest(Uint8Array.from([0, 0, 0, 2]), new Uint8Array(32).fill(7));

/** Options for fast, loopback test networks; `overrides` are merged one level deep. */
export function testNetworkOptions(overrides: Partial<NetworkOptions> = {}): NetworkOptions {
  return {
    ssz,
    forkDigest: FORK_DIGEST,
    listenAddresses: ["/ip4/127.0.0.1/tcp/0"],
    ...overrides,
    gossip: { heartbeatIntervalMs: 100, slotDurationMs: 1000, ...overrides.gossip },
    peers: { heartbeatMs: 150, targetPeers: 10, redialBackoffMs: 500, ...overrides.peers },
    reqResp: { ttfbTimeoutMs: 2000, respTimeoutMs: 2000, dialTimeoutMs: 3000, ...overrides.reqResp },
  };
}

export async function startNetwork(overrides: Partial<NetworkOptions> = {}): Promise<Network> {
  const net = await createNetwork(testNetworkOptions(overrides));
  await net.start();
  return net;
}

export async function stopAll(nets: Array<Network | undefined>): Promise<void> {
  await Promise.all(nets.map((n) => n?.stop().catch(() => {})));
}

/** Poll `cond` every `intervalMs` until it holds; reject after `timeoutMs` with `what`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A distinct, valid value for each topic, tagged by `n` in a numeric field. */
export function sampleMessage<K extends GossipTopicName>(topic: K, n: number): GossipMessageTypes[K] {
  const v = sampleUntyped(topic, n);
  return v as GossipMessageTypes[K];
}

function sampleUntyped(topic: GossipTopicName, n: number): unknown {
  switch (topic) {
    case "beacon_block": {
      const v = ssz.SignedBeaconBlock.defaultValue();
      v.message.slot = n;
      return v;
    }
    case "beacon_attestation": {
      const v = ssz.SingleAttestation.defaultValue();
      v.attester_index = n;
      return v;
    }
    case "execution_payload_commitment": {
      const v = ssz.SignedExecutionPayloadCommitment.defaultValue();
      v.message.slot = n;
      return v;
    }
    case "execution_payload": {
      const v = ssz.SignedExecutionPayloadEnvelope.defaultValue();
      v.message.slot = n;
      return v;
    }
    case "payload_attestation_message": {
      const v = ssz.PayloadAttestationMessage.defaultValue();
      v.validator_index = n;
      return v;
    }
    case "ticket_purchase": {
      const v = ssz.SignedTicketPurchase.defaultValue();
      v.message.nonce = n;
      return v;
    }
    case "ticket_transfer": {
      const v = ssz.SignedTicketTransfer.defaultValue();
      v.message.nonce = n;
      return v;
    }
    case "proposer_slashing": {
      const v = ssz.ProposerSlashing.defaultValue();
      v.signed_header_1.message.slot = n;
      return v;
    }
    case "attester_slashing": {
      const v = ssz.AttesterSlashing.defaultValue();
      v.attestation_1.data.slot = n;
      return v;
    }
    case "voluntary_exit": {
      const v = ssz.SignedVoluntaryExit.defaultValue();
      v.message.validator_index = n;
      return v;
    }
    case "inclusion_list": {
      const v = ssz.SignedInclusionList.defaultValue();
      v.message.slot = n;
      return v;
    }
    case "ticket_bid": {
      const v = ssz.SignedTicketBid.defaultValue();
      v.message.nonce = n;
      return v;
    }
    case "ticket_sell_back": {
      const v = ssz.SignedTicketSellBack.defaultValue();
      v.message.nonce = n;
      return v;
    }
    case "ticket_offer": {
      const v = ssz.SignedTicketOffer.defaultValue();
      v.message.ticket_nonce = n;
      return v;
    }
    case "ticket_fill": {
      const v = ssz.SignedTicketFill.defaultValue();
      v.message.offer.message.ticket_nonce = n;
      return v;
    }
    case "holder_slashing": {
      const v = ssz.HolderSlashing.defaultValue();
      v.signed_commitment_1.message.slot = n;
      return v;
    }
    case "transaction":
      // An opaque byte string to p2p: the tag is its first four bytes
      return Uint8Array.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff]);
  }
}

/** The tag `sampleMessage` put into a value. */
export function sampleTag(topic: GossipTopicName, value: unknown): number {
  // biome-ignore lint/suspicious/noExplicitAny: test helper reading the tagged field of each topic's type
  const v = value as any;
  switch (topic) {
    case "beacon_block":
    case "execution_payload_commitment":
    case "execution_payload":
      return v.message.slot;
    case "beacon_attestation":
      return v.attester_index;
    case "payload_attestation_message":
      return v.validator_index;
    case "ticket_purchase":
    case "ticket_transfer":
      return v.message.nonce;
    case "proposer_slashing":
      return v.signed_header_1.message.slot;
    case "attester_slashing":
      return v.attestation_1.data.slot;
    case "voluntary_exit":
      return v.message.validator_index;
    case "inclusion_list":
      return v.message.slot;
    case "ticket_bid":
    case "ticket_sell_back":
      return v.message.nonce;
    case "ticket_offer":
      return v.message.ticket_nonce;
    case "ticket_fill":
      return v.message.offer.message.ticket_nonce;
    case "holder_slashing":
      return v.signed_commitment_1.message.slot;
    case "transaction":
      return (v[0] | (v[1] << 8) | (v[2] << 16) | (v[3] << 24)) >>> 0;
  }
}

/** A chain of blocks for req/resp tests: slots 0..n-1 except those `skip` drops; block bytes by slot. */
export function makeChain(n: number, skip: (slot: number) => boolean) {
  const bySlot = new Map<number, Uint8Array>();
  const byRoot = new Map<string, Uint8Array>();
  const envelopesBySlot = new Map<number, Uint8Array>();
  const envelopesByBlockRoot = new Map<string, Uint8Array>();
  const roots: Uint8Array[] = [];
  for (let slot = 0; slot < n; slot++) {
    if (skip(slot)) continue;
    const block = ssz.SignedBeaconBlock.defaultValue();
    block.message.slot = slot;
    block.message.proposer_index = slot % 64;
    const bytes = ssz.SignedBeaconBlock.serialize(block);
    const root = ssz.BeaconBlock.hashTreeRoot(block.message);
    bySlot.set(slot, bytes);
    byRoot.set(hex(root), bytes);
    roots.push(root);
    const envelope = ssz.SignedExecutionPayloadEnvelope.defaultValue();
    envelope.message.slot = slot;
    envelope.message.beacon_block_root = root;
    const envBytes = ssz.SignedExecutionPayloadEnvelope.serialize(envelope);
    envelopesBySlot.set(slot, envBytes);
    envelopesByBlockRoot.set(hex(root), envBytes);
  }
  const range = (map: Map<number, Uint8Array>, start: number, count: number) => {
    const out: Uint8Array[] = [];
    for (let s = start; s < start + count && s < n; s++) {
      const b = map.get(s);
      if (b) out.push(b);
    }
    return out;
  };
  return {
    roots,
    bySlot,
    handlers: {
      getBlocksByRange: (start: number, count: number) => range(bySlot, start, count),
      getBlocksByRoot: (rs: Uint8Array[]) => rs.map((r) => byRoot.get(hex(r))).filter((b): b is Uint8Array => !!b),
      getEnvelopesByRange: (start: number, count: number) => range(envelopesBySlot, start, count),
      getEnvelopesByRoot: (rs: Uint8Array[]) =>
        rs.map((r) => envelopesByBlockRoot.get(hex(r))).filter((b): b is Uint8Array => !!b),
    },
  };
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/**
 * Open a stream on `protocol`, write `bytes` as they are, half-close, and collect everything the peer
 * sends back until it closes (or `timeoutMs`). Returns null if the stream was reset or timed out.
 */
export async function rawRequest(
  libp2p: Libp2p,
  peer: PeerId,
  protocol: string,
  bytes: Uint8Array,
  timeoutMs = 3000,
): Promise<Uint8Array | null> {
  const stream = await libp2p.dialProtocol(peer, protocol, { signal: AbortSignal.timeout(timeoutMs) });
  const timer = setTimeout(() => stream.abort(new Error("test timeout")), timeoutMs);
  try {
    if (bytes.length > 0) {
      if (!stream.send(bytes)) await stream.onDrain({ signal: AbortSignal.timeout(timeoutMs) });
    }
    await stream.close({ signal: AbortSignal.timeout(timeoutMs) });
    const parts: Uint8Array[] = [];
    for await (const chunk of stream) parts.push(chunk instanceof Uint8Array ? chunk : chunk.subarray());
    return Buffer.concat(parts);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
