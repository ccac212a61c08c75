import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import type { Libp2p } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { compressSync } from "snappy";
import { encode as encodeVarint } from "uint8-varint";
import { STREAM_IDENTIFIER } from "../../src/encoding/snappyFrames.ts";
import type { GossipRouter } from "../../src/gossip/gossip.ts";
import {
  encodeSszSnappy,
  GOSSIP_TOPIC_NAMES,
  getProtocols,
  type Network,
  type ProtocolDefinition,
  p2pSszTypes,
  protocolId,
} from "../../src/index.ts";
import { makeChain, rawRequest, sampleMessage, sleep, ssz, startNetwork, stopAll, waitFor } from "../utils/network.ts";

const REQUESTS = 2400;
const GOSSIP_MESSAGES = 1000;
const GOSSIP_GARBAGE_FRAMES = 300;

/** Deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  };
}

type Rng = ReturnType<typeof prng>;

/** A valid request body for `def` (what the malformed inputs are derived from). */
function validRequest(def: ProtocolDefinition): Uint8Array {
  switch (def.method) {
    case "status":
      return new Uint8Array(84);
    case "ping":
      return new Uint8Array(8);
    case "beacon_blocks_by_range":
      return p2pSszTypes.BeaconBlocksByRangeRequest.serialize({ start_slot: 0, count: 4, step: 1 });
    case "execution_payload_envelopes_by_range":
      return p2pSszTypes.ExecutionPayloadEnvelopesByRangeRequest.serialize({ start_slot: 0, count: 4 });
    default:
      return new Uint8Array(32 * 3);
  }
}

/** One malformed request for `def`, of category `kind`; never a valid one. */
function malformed(kind: number, def: ProtocolDefinition, rng: Rng): Uint8Array {
  const body = validRequest(def);
  const valid = encodeSszSnappy(body);
  switch (kind) {
    case 0: // random garbage
      return rng.bytes(1 + rng.int(300));
    case 1: // varint longer than 10 bytes
      return new Uint8Array(11 + rng.int(5)).fill(0xff);
    case 2: // length prefix beyond the type's bounds (or 11 MiB)
      return Buffer.concat([encodeVarint(rng.int(2) ? 11 * 2 ** 20 : 40_000), STREAM_IDENTIFIER]);
    case 3: // truncated valid encoding
      return valid.subarray(0, 1 + rng.int(valid.length - 1));
    case 4: // wrong stream identifier
      return Buffer.concat([
        encodeVarint(body.length),
        Buffer.from([0xff, 6, 0, 0, 0x73, 0x6e, 0x61, 0x70, 0x70, 0x79]),
      ]);
    case 5: {
      // checksum flipped
      const bad = Uint8Array.from(valid);
      bad[1 + STREAM_IDENTIFIER.length + 4] ^= 0xff;
      return bad;
    }
    case 6: // reserved unskippable chunk
      return Buffer.concat([
        encodeVarint(body.length),
        STREAM_IDENTIFIER,
        Uint8Array.from([2 + rng.int(0x7e), 4, 0, 0]),
        rng.bytes(4),
      ]);
    case 7: {
      // compressed chunk with garbage snappy
      const junk = rng.bytes(10 + rng.int(40));
      junk[0] = body.length; // a plausible preamble, then garbage
      const len = 4 + junk.length;
      return Buffer.concat([
        encodeVarint(body.length),
        STREAM_IDENTIFIER,
        Uint8Array.from([0, len, 0, 0]),
        rng.bytes(4),
        junk,
      ]);
    }
    case 8: // trailing bytes after a valid request
      return Buffer.concat([valid, rng.bytes(1 + rng.int(20))]);
    default: {
      // valid framing around bytes that are not the type: a root list whose length is not a multiple of 32,
      // or a by_range request with count 0 step 0 / count above the maximum
      if (def.method === "beacon_blocks_by_range") {
        return encodeSszSnappy(
          p2pSszTypes.BeaconBlocksByRangeRequest.serialize({ start_slot: 1, count: rng.int(2) ? 5000 : 3, step: 0 }),
        );
      }
      if (def.method === "execution_payload_envelopes_by_range") {
        return encodeSszSnappy(
          p2pSszTypes.ExecutionPayloadEnvelopesByRangeRequest.serialize({ start_slot: 1, count: 129 }),
        );
      }
      if (def.method === "beacon_blocks_by_root" || def.method === "execution_payload_envelopes_by_root") {
        return encodeSszSnappy(rng.bytes(32 * (1 + rng.int(3)) + 1 + rng.int(31)));
      }
      return encodeSszSnappy(rng.bytes(body.length + 1)); // one byte too many for a fixed-size type
    }
  }
}
const KINDS = 10;

async function rawHost(withGossip: boolean): Promise<Libp2p<{ identify: unknown; pubsub?: GossipRouter }>> {
  const node = await createLibp2p({
    addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ...(withGossip
        ? {
            pubsub: gossipsub({
              globalSignaturePolicy: "StrictNoSign",
              allowPublishToZeroTopicPeers: true,
              ignoreDuplicatePublishError: true,
              emitSelf: false,
            }),
          }
        : {}),
    },
  });
  return node as unknown as Libp2p<{ identify: unknown; pubsub?: GossipRouter }>;
}

describe("adversarial input", { timeout: 80_000 }, () => {
  const chain = makeChain(200, (s) => s % 5 === 0);
  let victim: Network;
  let honest: Network;
  let attacker: Libp2p<{ identify: unknown; pubsub?: GossipRouter }>;
  let honestReceived = 0;

  before(async () => {
    victim = await startNetwork({
      handlers: chain.handlers,
      // let every malformed input reach the decoders: no rate limit, no ban on score
      reqResp: { rateLimits: {}, maxConcurrentRequests: 8 },
      peers: { reqRespScoreThreshold: Number.NEGATIVE_INFINITY, gossipScoreThreshold: Number.NEGATIVE_INFINITY },
    });
    for (const topic of GOSSIP_TOPIC_NAMES) {
      victim.subscribe(
        topic,
        () => "ACCEPT",
        () => {
          honestReceived++;
        },
      );
    }
    honest = await startNetwork({ bootnodes: [victim.multiaddrs[0]] });
    attacker = await rawHost(true);
    await attacker.dial(multiaddr(victim.multiaddrs[0]));
    await waitFor(() => victim.getConnectedPeers().length === 2, 5000, "both peers connected");
  });

  after(async () => {
    await stopAll([honest, victim]);
    await attacker?.stop();
  });

  it(`survives ${REQUESTS} malformed req/resp requests, answering each InvalidRequest with a counted reason`, async () => {
    const protocols = getProtocols(ssz);
    const targets = [
      protocols.status,
      protocols.ping,
      protocols.metadata,
      protocols.blocksByRange,
      protocols.blocksByRoot,
      protocols.envelopesByRange,
      protocols.envelopesByRoot,
    ] as ProtocolDefinition[];
    const rng = prng(1234);
    const inputs = Array.from({ length: REQUESTS }, (_, i) => {
      const def = targets[i % targets.length];
      const kind = Math.floor(i / targets.length) % KINDS;
      // metadata takes an empty request: any byte is invalid
      return { def, bytes: def.method === "metadata" ? rng.bytes(1 + rng.int(50)) : malformed(kind, def, rng) };
    });

    // an honest peer syncs all the while
    let honestOk = 0;
    let flooding = true;
    const honestLoop = (async () => {
      while (flooding) {
        const blocks = await honest.request.blocksByRange(victim.peerId, 0, 64);
        assert.equal(blocks.length, chain.bySlot.size > 64 ? 51 : chain.bySlot.size);
        honestOk++;
      }
    })();

    const codes = new Map<number | null, number>();
    const lanes = 6;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let i = lane; i < inputs.length; i += lanes) {
          const { def, bytes } = inputs[i];
          const response = await rawRequest(attacker, victim.peerId, protocolId(def), bytes, 5000).catch(() => null);
          const code = response && response.length > 0 ? response[0] : null;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }),
    );
    flooding = false;
    await honestLoop;

    // every malformed request was answered InvalidRequest (1), none was served
    assert.deepEqual([...codes.entries()], [[1, REQUESTS]]);
    const c = victim.counters();
    let errors = 0;
    const reasons = new Set<string>();
    for (const [name, value] of Object.entries(c)) {
      if (name.startsWith("reqresp.inbound.error.")) {
        errors += value;
        reasons.add(name.split(".").slice(4).join("."));
      }
    }
    assert.equal(errors, REQUESTS);
    for (const reason of [
      "SSZ_SNAPPY_INVALID_VARINT",
      "SSZ_SNAPPY_LENGTH_OUT_OF_BOUNDS",
      "SSZ_SNAPPY_UNEXPECTED_EOF",
      "SSZ_SNAPPY_MISSING_STREAM_IDENTIFIER",
      "SSZ_SNAPPY_INVALID_CHECKSUM",
      "SSZ_SNAPPY_RESERVED_FRAME_TYPE",
      "SSZ_SNAPPY_INVALID_SNAPPY",
      "SSZ_SNAPPY_TRAILING_BYTES",
      "SSZ_INVALID",
      "COUNT_TOO_LARGE",
      "BAD_STEP",
      "NOT_EMPTY",
    ]) {
      assert.ok(reasons.has(`INVALID_REQUEST.${reason}`), `no ${reason} in ${[...reasons].join(", ")}`);
    }
    assert.ok(honestOk >= 3, `honest peer served ${honestOk} times during the flood`);
    // still serving afterwards
    assert.equal((await honest.request.blocksByRange(victim.peerId, 100, 10)).length, 8);
  });

  it(`drops ${GOSSIP_MESSAGES} malformed gossip messages and ${GOSSIP_GARBAGE_FRAMES} garbage frames; honest gossip still arrives`, async () => {
    const pubsub = attacker.services.pubsub!;
    const topics = GOSSIP_TOPIC_NAMES.map((t) => victim.topic(t));
    await waitFor(
      () => topics.every((t) => pubsub.getSubscribers(t).some((p) => p.equals(victim.peerId))),
      5000,
      "attacker sees the victim's subscriptions",
    );
    const rng = prng(99);
    const bad = (i: number): [string, Uint8Array] => {
      switch (i % 4) {
        case 0: // not snappy
          return [victim.topic("beacon_block"), rng.bytes(20 + rng.int(200))];
        case 1: // snappy, but the wrong size for a fixed-size type
          return [victim.topic("beacon_attestation"), compressSync(rng.bytes(241 + rng.int(1000)))];
        case 2: // snappy of bytes that are not a SignedBeaconBlock (bad offsets)
          return [victim.topic("beacon_block"), compressSync(new Uint8Array(700).fill(0xff))];
        default: // oversize: far beyond the type's maximum
          return [victim.topic("voluntary_exit"), compressSync(new Uint8Array(200_000))];
      }
    };
    for (let i = 0; i < GOSSIP_MESSAGES; i++) {
      const [topic, data] = bad(i);
      // distinct data per message, so that none is a duplicate of another
      if (i % 4 === 2) data[data.length - 1] ^= i & 0xff;
      await pubsub.publish(topic, data).catch(() => {});
      if (i % 50 === 0) await sleep(1);
    }
    // garbage on the gossipsub stream itself
    for (let i = 0; i < GOSSIP_GARBAGE_FRAMES; i++) {
      const stream = await attacker.dialProtocol(victim.peerId, "/meshsub/1.1.0").catch(() => null);
      if (!stream) continue;
      stream.send(Buffer.concat([encodeVarint(200), rng.bytes(200)]));
      stream.abort(new Error("bye"));
    }
    await sleep(500);

    const c = victim.counters();
    for (const reason of [
      "gossip.reject_reason.beacon_block.SSZ_SNAPPY_INVALID_SNAPPY",
      "gossip.reject_reason.beacon_attestation.SSZ_SNAPPY_LENGTH_OUT_OF_BOUNDS",
      "gossip.reject_reason.beacon_block.SSZ_INVALID",
      "gossip.reject_reason.voluntary_exit.SSZ_SNAPPY_LENGTH_OUT_OF_BOUNDS",
    ]) {
      assert.ok((c[reason] ?? 0) >= 1, `${reason}: ${c[reason]}`);
    }
    // the attacker is far below the graylist threshold: gossipsub now ignores it. Breaking its gossip
    // stream with garbage and opening a new one did not reset that score (retainScoresOnReAdd).
    assert.ok(victim.getPeerScore(attacker.peerId).gossip < -16_000);
    assert.equal(honestReceived, 0);

    // honest gossip still arrives
    await waitFor(
      () => honest.getTopicPeers("beacon_block").some((p) => p.equals(victim.peerId)),
      5000,
      "honest peer knows the victim's subscription",
    );
    for (let i = 0; i < 5; i++) await honest.publish("beacon_block", sampleMessage("beacon_block", i));
    await waitFor(() => honestReceived === 5, 5000, "honest messages");
    assert.equal(victim.isRunning, true);
  });
});
