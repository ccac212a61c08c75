import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { createPeerScoreParams, validatePeerScoreParams, validatePeerScoreThresholds } from "@libp2p/gossipsub/score";
import { computeMessageId } from "../../src/gossip/messageId.ts";
import {
  computePeerScoreParams,
  computeTopicScoreParams,
  GOSSIP_SCORE_THRESHOLDS,
  MAX_POSITIVE_SCORE,
  scoreDecay,
  TOPIC_WEIGHTS,
} from "../../src/gossip/scoringParams.ts";
import { GOSSIP_TOPIC_NAMES, getGossipTypes, gossipTopicString, parseGossipTopic } from "../../src/gossip/topics.ts";
import { ValidationQueue } from "../../src/gossip/validationQueue.ts";
import { FORK_DIGEST, ssz } from "../utils/network.ts";

describe("gossip topics", () => {
  it("have the consensus shape /eth2/<fork digest hex>/<name>/ssz_snappy", () => {
    const topic = gossipTopicString(Uint8Array.from([0x44, 0x6a, 0x72, 0x32]), "beacon_block");
    assert.equal(topic, "/eth2/446a7232/beacon_block/ssz_snappy");
  });

  it("parse back to their name, and only for our fork digest", () => {
    for (const name of GOSSIP_TOPIC_NAMES) {
      assert.equal(parseGossipTopic(FORK_DIGEST, gossipTopicString(FORK_DIGEST, name)), name);
    }
    assert.equal(parseGossipTopic(Uint8Array.from([1, 2, 3, 4]), gossipTopicString(FORK_DIGEST, "beacon_block")), null);
    assert.equal(
      parseGossipTopic(FORK_DIGEST, `/eth2/${Buffer.from(FORK_DIGEST).toString("hex")}/nope/ssz_snappy`),
      null,
    );
  });

  it("cover the ten topics of DESIGN.md §7 (and later additions) with their payload types", () => {
    const types = getGossipTypes(ssz);
    // DESIGN.md §7's ten, then topics added since (inclusion lists, ...): every name has a type
    assert.ok(GOSSIP_TOPIC_NAMES.length >= 11);
    for (const name of GOSSIP_TOPIC_NAMES) assert.ok(types[name] !== undefined, name);
    assert.equal(types.inclusion_list, ssz.SignedInclusionList);
    assert.equal(types.beacon_block, ssz.SignedBeaconBlock);
    assert.equal(types.beacon_attestation, ssz.SingleAttestation);
    assert.equal(types.execution_payload, ssz.SignedExecutionPayloadEnvelope);
    assert.equal(types.voluntary_exit, ssz.SignedVoluntaryExit);
  });
});

describe("gossip message-id", () => {
  const topic = "/eth2/446a7232/beacon_block/ssz_snappy";
  const data = Buffer.from("decompressed ssz");
  const raw = Buffer.from("raw snappy bytes");

  function reference(domain: number[], payload: Uint8Array): Uint8Array {
    // SHA256(domain + uint_to_bytes(uint64(len(topic))) + topic + payload)[:20], written out independently
    const len = Buffer.alloc(8);
    len.writeUInt32LE(Buffer.byteLength(topic), 0);
    const h = createHash("sha256").update(Buffer.concat([Buffer.from(domain), len, Buffer.from(topic), payload]));
    return new Uint8Array(h.digest().subarray(0, 20));
  }

  it("uses MESSAGE_DOMAIN_VALID_SNAPPY and the decompressed data", () => {
    assert.deepEqual(computeMessageId(topic, raw, data), reference([1, 0, 0, 0], data));
  });

  it("uses MESSAGE_DOMAIN_INVALID_SNAPPY and the raw data when decompression fails", () => {
    assert.deepEqual(computeMessageId(topic, raw, null), reference([0, 0, 0, 0], raw));
  });

  it("is 20 bytes and depends on the topic", () => {
    const id = computeMessageId(topic, raw, data);
    assert.equal(id.length, 20);
    assert.notDeepEqual(computeMessageId(topic.replace("beacon_block", "voluntary_exit"), raw, data), id);
  });
});

describe("gossip peer scoring parameters", () => {
  const options = {
    forkDigest: FORK_DIGEST,
    topics: GOSSIP_TOPIC_NAMES,
    slotDurationMs: 6000,
    slotsPerEpoch: 8,
    ipColocationWhitelist: ["127.0.0.1"],
  };

  it("pass gossipsub's own validation", () => {
    validatePeerScoreParams(createPeerScoreParams(computePeerScoreParams(options)));
    validatePeerScoreThresholds(GOSSIP_SCORE_THRESHOLDS);
  });

  it("score every topic", () => {
    const params = computePeerScoreParams(options);
    for (const name of GOSSIP_TOPIC_NAMES) assert.ok(params.topics?.[gossipTopicString(FORK_DIGEST, name)]);
  });

  it("make one invalid message cost MAX_POSITIVE_SCORE on every topic, so 7 cross the gossip threshold", () => {
    for (const name of GOSSIP_TOPIC_NAMES) {
      const p = computeTopicScoreParams(name, options);
      const perInvalid = p.topicWeight * p.invalidMessageDeliveriesWeight;
      assert.equal(perInvalid, -MAX_POSITIVE_SCORE);
      const positiveMax = MAX_POSITIVE_SCORE; // topicScoreCap
      assert.ok(positiveMax + 7 ** 2 * perInvalid < GOSSIP_SCORE_THRESHOLDS.gossipThreshold);
      assert.ok(positiveMax + 6 ** 2 * perInvalid > GOSSIP_SCORE_THRESHOLDS.gossipThreshold);
      assert.equal(TOPIC_WEIGHTS[name], p.topicWeight);
    }
  });

  it("keep each topic's positive score (P1 + P2) within the cap", () => {
    for (const name of GOSSIP_TOPIC_NAMES) {
      const p = computeTopicScoreParams(name, options);
      const p1 = p.timeInMeshCap * p.timeInMeshWeight;
      const p2 = p.firstMessageDeliveriesCap * p.firstMessageDeliveriesWeight;
      assert.ok(p1 + p2 <= MAX_POSITIVE_SCORE + 1e-9);
    }
  });

  it("decay counters to 1% over the given number of intervals", () => {
    assert.ok(Math.abs(scoreDecay(400) ** 400 - 0.01) < 1e-9);
  });
});

describe("validation queue", () => {
  it("bounds queued jobs and runs at most `concurrency` at once", async () => {
    const q = new ValidationQueue(2, 3, (e) => assert.fail(e as Error));
    let running = 0;
    let maxRunning = 0;
    const release: Array<() => void> = [];
    const job = () =>
      new Promise<void>((resolve) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        release.push(() => {
          running--;
          resolve();
        });
      });
    const accepted = Array.from({ length: 8 }, () => q.push(job));
    // 2 start at once, 3 wait, 3 are refused
    assert.deepEqual(accepted, [true, true, true, true, true, false, false, false]);
    while (release.length > 0 || q.length > 0 || q.active > 0) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await q.onIdle();
    assert.equal(maxRunning, 2);
  });

  it("survives jobs that throw, and reports what they threw", async () => {
    const thrown: unknown[] = [];
    const q = new ValidationQueue(1, 10, (e) => thrown.push(e));
    let ran = 0;
    q.push(async () => {
      throw new Error("boom");
    });
    q.push(async () => {
      ran++;
    });
    await q.onIdle();
    assert.equal(ran, 1);
    assert.deepEqual(
      thrown.map((e) => (e as Error).message),
      ["boom"],
    );
  });
});
