import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { multiaddr } from "@multiformats/multiaddr";
import { GoodbyeReason, type Network, PeerAction } from "../../src/index.ts";
import { FORK_DIGEST, sleep, startNetwork, stopAll, waitFor } from "../utils/network.ts";

describe("peer management", { timeout: 60_000 }, () => {
  const nets: Network[] = [];

  after(async () => {
    await stopAll(nets);
  });

  it("dials bootnodes, then peers it knows addresses of, up to the target", async () => {
    const others = [await startNetwork({}), await startNetwork({}), await startNetwork({})];
    nets.push(...others);
    const a = await startNetwork({ bootnodes: [others[0].multiaddrs[0]], peers: { targetPeers: 3 } });
    nets.push(a);
    await waitFor(() => a.getConnectedPeers().length === 1, 5000, "bootnode connection");
    // addresses learnt some other way (the node's own records, a future discovery protocol)
    for (const o of others.slice(1)) {
      await a.libp2p.peerStore.merge(o.peerId, { multiaddrs: [multiaddr(o.multiaddrs[0])] });
    }
    await waitFor(() => a.getConnectedPeers().length === 3, 5000, "dialled known peers");
    assert.ok(a.counters()["peers.dial_success"] >= 3);
  });

  it("prunes peers above the target with goodbye(TOO_MANY_PEERS), and the pruned do not rush back", async () => {
    const hub = await startNetwork({ peers: { targetPeers: 2 } });
    nets.push(hub);
    const goodbyes: number[] = [];
    const spokes: Network[] = [];
    for (let i = 0; i < 5; i++) {
      const spoke = await startNetwork({ bootnodes: [hub.multiaddrs[0]], peers: { targetPeers: 2 } });
      spoke.on("peer:goodbye", (_p, reason) => goodbyes.push(reason));
      spokes.push(spoke);
      nets.push(spoke);
    }
    await waitFor(() => (hub.counters()["peers.pruned"] ?? 0) >= 3, 5000, "hub prunes");
    await waitFor(() => hub.getConnectedPeers().length <= 2, 5000, "hub at target");
    assert.ok(goodbyes.includes(GoodbyeReason.TOO_MANY_PEERS));
    // spokes keep trying their only bootnode, but only after their goodbye backoff (6 × 500 ms here)
    await sleep(1000);
    assert.ok(hub.getConnectedPeers().length <= Math.ceil(2 * 1.1), `hub has ${hub.getConnectedPeers().length}`);
  });

  it("bans a peer the node reports for a fatal fault, and refuses it while banned", async () => {
    const a = await startNetwork({ peers: { banDurationMs: 1500 } });
    nets.push(a);
    const b = await startNetwork({ bootnodes: [a.multiaddrs[0]], peers: { redialBackoffMs: 200 } });
    nets.push(b);
    const banned: string[] = [];
    a.on("peer:banned", (peer, reason) => banned.push(`${peer}:${reason}`));
    await waitFor(() => a.getConnectedPeers().length === 1, 5000, "connected");
    a.reportPeer(b.peerId, PeerAction.FATAL, "invalid_block_over_reqresp");
    await waitFor(() => a.getConnectedPeers().length === 0, 5000, "disconnected");
    assert.deepEqual(banned, [`${b.peerId}:reqresp_score`]);
    assert.equal(a.counters()["peers.penalty_reason.invalid_block_over_reqresp"], 1);
    await sleep(600);
    assert.equal(a.getConnectedPeers().length, 0, "b could not come back while banned");
    // the ban expires; b's peer manager dials its bootnode again (after its goodbye backoff)
    await waitFor(() => a.getConnectedPeers().length === 1, 8000, "reconnect after the ban");
    assert.equal(a.isBanned(b.peerId), false);
  });

  it("emits connect/disconnect events and says goodbye on stop", async () => {
    const a = await startNetwork({});
    nets.push(a);
    const b = await startNetwork({ bootnodes: [a.multiaddrs[0]] });
    const events: string[] = [];
    a.on("peer:connected", (_p, direction) => events.push(`connected:${direction}`));
    a.on("peer:disconnected", () => events.push("disconnected"));
    a.on("peer:goodbye", (_p, reason) => events.push(`goodbye:${reason}`));
    await waitFor(() => events.includes("connected:inbound"), 5000, "connect event");
    await b.stop();
    await waitFor(() => events.includes("disconnected"), 5000, "disconnect event");
    assert.ok(events.includes(`goodbye:${GoodbyeReason.CLIENT_SHUTDOWN}`));
  });

  it("asks connected peers for their Status again and pings them, fetching metadata once known", async () => {
    // Intervals of a fraction of a second, and limits that allow them (the defaults are 60 s and 15 s)
    const often = {
      peers: { heartbeatMs: 100, statusIntervalMs: 300, pingIntervalMs: 200 },
      reqResp: { rateLimits: { total: { quota: 1000, periodMs: 1000 } } },
    };
    let headSlot = 5;
    const a = await startNetwork({
      ...often,
      handlers: {
        getStatus: () => ({
          fork_digest: FORK_DIGEST,
          finalized_root: new Uint8Array(32),
          finalized_epoch: 0,
          head_root: new Uint8Array(32),
          head_slot: headSlot,
        }),
      },
    });
    nets.push(a);
    const b = await startNetwork({ ...often, bootnodes: [a.multiaddrs[0]] });
    nets.push(b);
    const heads: number[] = [];
    b.on("peer:status", (_p, status) => heads.push(status.head_slot));
    await waitFor(() => heads.includes(5), 5000, "the handshake");
    headSlot = 9;
    await waitFor(() => heads.includes(9), 5000, "a later Status");
    await waitFor(() => b.getPeerMetadata(a.peerId) !== undefined, 5000, "metadata after a ping");
    assert.ok(b.counters()["peers.ping_ok"] >= 1);
    assert.equal(b.getConnectedPeers().length, 1, "still connected");
  });
});
