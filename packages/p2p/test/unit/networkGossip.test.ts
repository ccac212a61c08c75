import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PeerId } from "@libp2p/interface";
import { GOSSIP_TOPIC_NAMES, type GossipTopicName, type Network } from "../../src/index.ts";
import { sampleMessage, sampleTag, sleep, startNetwork, stopAll, waitFor } from "../utils/network.ts";

const HOSTS = 8;
/** Messages tagged at or above this are invalid: honest validators REJECT them. */
const BAD_TAG = 1_000_000;

/** True if the graph whose edges are each host's mesh peers on `topic` is connected. */
function meshConnected(nets: Network[], topic: GossipTopicName): boolean {
  const index = new Map(nets.map((n, i) => [n.peerId.toString(), i]));
  const seen = new Set([0]);
  const queue = [0];
  while (queue.length > 0) {
    const i = queue.shift()!;
    for (const p of nets[i].getMeshPeers(topic)) {
      const j = index.get(p);
      if (j !== undefined && !seen.has(j)) {
        seen.add(j);
        queue.push(j);
      }
    }
  }
  return seen.size === nets.length;
}

describe("gossip between 8 hosts on 127.0.0.1", { timeout: 60_000 }, () => {
  const nets: Network[] = [];
  /** received[host] = list of `${topic}:${tag}` in arrival order (duplicates would show). */
  const received: string[][] = [];
  /** bad messages an honest host got from anyone but the attacker (should never happen). */
  let forwardedBad = 0;
  let attacker: Network | undefined;

  before(async () => {
    for (let i = 0; i < HOSTS; i++) {
      // each host bootstraps from up to three earlier hosts; the peer manager tops up from there
      const bootnodes = nets.slice(Math.max(0, i - 3)).map((n) => n.multiaddrs[0]);
      const net = await startNetwork({ bootnodes, peers: { targetPeers: 10 } });
      const log: string[] = [];
      received.push(log);
      for (const topic of GOSSIP_TOPIC_NAMES) {
        net.subscribe(
          topic,
          (msg, from: PeerId) => {
            if (sampleTag(topic, msg) < BAD_TAG) return "ACCEPT";
            if (attacker && !from.equals(attacker.peerId)) forwardedBad++;
            return "REJECT";
          },
          (msg) => {
            log.push(`${topic}:${sampleTag(topic, msg)}`);
          },
        );
      }
      nets.push(net);
    }
    await waitFor(
      () =>
        GOSSIP_TOPIC_NAMES.every((t) => meshConnected(nets, t)) && nets.every((n) => n.getConnectedPeers().length >= 3),
      20_000,
      "connected meshes on every topic",
    );
  });

  after(async () => {
    await stopAll([attacker, ...nets]);
  });

  it("every message on every topic arrives exactly once at every other host", async () => {
    for (let i = 0; i < HOSTS; i++) {
      for (const topic of GOSSIP_TOPIC_NAMES) {
        const recipients = await nets[i].publish(topic, sampleMessage(topic, i));
        assert.ok(recipients > 0, `host ${i} published ${topic} to nobody`);
      }
    }
    const expected = (HOSTS - 1) * GOSSIP_TOPIC_NAMES.length;
    await waitFor(() => received.every((r) => r.length >= expected), 15_000, "all messages delivered");
    await sleep(500); // room for duplicates to show up
    for (let i = 0; i < HOSTS; i++) {
      assert.equal(received[i].length, expected, `host ${i} got ${received[i].length} deliveries`);
      assert.equal(new Set(received[i]).size, expected, `host ${i} got a duplicate`);
      for (const topic of GOSSIP_TOPIC_NAMES) {
        for (let j = 0; j < HOSTS; j++) {
          if (j !== i) assert.ok(received[i].includes(`${topic}:${j}`), `host ${i} missed ${topic} from ${j}`);
        }
      }
      const c = nets[i].counters();
      assert.equal(c["gossip.accepted.beacon_block"], HOSTS - 1);
      assert.equal(c["gossip.published.beacon_block"], 1);
    }
  });

  it("a peer sending invalid messages is scored down, dropped and not re-admitted; the others keep receiving", async () => {
    const victims = [nets[0], nets[1]];
    attacker = await startNetwork({ bootnodes: victims.map((n) => n.multiaddrs[0]), peers: { targetPeers: 10 } });
    for (const topic of GOSSIP_TOPIC_NAMES)
      attacker.subscribe(
        topic,
        () => "ACCEPT",
        () => {},
      );
    const attackerId = attacker.peerId.toString();
    await waitFor(
      () => victims.every((v) => v.getMeshPeers("beacon_block").includes(attackerId)),
      10_000,
      "attacker in the victims' meshes",
    );

    for (let k = 0; k < 20; k++) await attacker.publish("beacon_block", sampleMessage("beacon_block", BAD_TAG + k));

    await waitFor(() => victims.every((v) => v.isBanned(attackerId)), 10_000, "victims ban the attacker");
    await waitFor(() => attacker!.getConnectedPeers().length === 0, 5_000, "attacker disconnected");
    for (const v of victims) {
      const c = v.counters();
      assert.ok((c["gossip.rejected.beacon_block"] ?? 0) >= 1);
      assert.ok((c["gossip.reject_reason.beacon_block.VALIDATOR"] ?? 0) >= 1);
      assert.equal(c["peers.ban_reason.gossip_score"], 1);
      assert.ok(v.getPeerScore(attackerId).gossip < -4000);
    }
    // honest hosts never forwarded what they rejected
    assert.equal(forwardedBad, 0);
    for (const log of received) assert.ok(!log.some((e) => Number(e.split(":")[1]) >= BAD_TAG));

    // the attacker keeps re-dialling its bootnodes; whatever its own view shows for a moment, the
    // victims drop it at once (checked from their side, which is what the ban guarantees)
    await sleep(1000);
    await waitFor(
      () => victims.every((v) => !v.getConnectedPeers().some((p) => p.toString() === attackerId)),
      3_000,
      "victims hold no connection to the banned attacker",
    );
    // an explicit dial may complete its side of the handshake, but the victim drops it at once
    await attacker.connect(victims[0].multiaddrs[0]).catch(() => {});
    await waitFor(
      () => victims.every((v) => !v.getConnectedPeers().some((p) => p.toString() === attackerId)),
      3_000,
      "victims refuse the banned attacker",
    );

    // honest traffic still flows to everyone, victims included
    const before = received.map((r) => r.length);
    await nets[HOSTS - 1].publish("beacon_block", sampleMessage("beacon_block", 500));
    await nets[0].publish("voluntary_exit", sampleMessage("voluntary_exit", 501));
    await waitFor(
      () => received.every((r, i) => r.length >= before[i] + (i === HOSTS - 1 || i === 0 ? 1 : 2)),
      10_000,
      "honest messages after the ban",
    );
  });
});
