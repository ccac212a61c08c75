import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PeerId } from "@libp2p/interface";
import {
  encodeSszSnappy,
  GoodbyeReason,
  getProtocols,
  MAX_REQUEST_BLOCKS,
  type Network,
  p2pSszTypes,
  protocolId,
  ReqRespError,
  ReqRespErrorCode,
} from "../../src/index.ts";
import {
  FORK_DIGEST,
  makeChain,
  OTHER_FORK_DIGEST,
  rawRequest,
  sleep,
  ssz,
  startNetwork,
  stopAll,
  waitFor,
} from "../utils/network.ts";

const CHAIN_LENGTH = 300;
const skipped = (slot: number) => slot % 7 === 3;

async function rejectsWith(p: Promise<unknown>, code: ReqRespErrorCode, resultCode?: number): Promise<ReqRespError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ReqRespError, `not a ReqRespError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (resultCode !== undefined) assert.equal(e.data.resultCode, resultCode);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe("req/resp between real hosts", { timeout: 60_000 }, () => {
  const chain = makeChain(CHAIN_LENGTH, skipped);
  let server: Network;
  let client: Network;
  let serverId: PeerId;
  const statuses: string[] = [];

  before(async () => {
    server = await startNetwork({
      handlers: {
        ...chain.handlers,
        getStatus: () => ({
          fork_digest: FORK_DIGEST,
          finalized_root: new Uint8Array(32),
          finalized_epoch: 3,
          head_root: chain.roots.at(-1)!,
          head_slot: CHAIN_LENGTH - 1,
        }),
      },
      reqResp: { rateLimits: { beacon_blocks_by_range: { quota: 100_000, periodMs: 1000 } } },
    });
    serverId = server.peerId;
    client = await startNetwork({ bootnodes: [server.multiaddrs[0]] });
    client.on("peer:status", (peer, status) => statuses.push(`${peer}:${status.head_slot}`));
    await waitFor(() => client.getPeerStatus(serverId) !== undefined, 10_000, "status handshake");
  });

  after(async () => {
    await stopAll([client, server]);
  });

  it("exchanges Status on connect (the dialer asks first)", () => {
    assert.equal(client.getPeerStatus(serverId)?.head_slot, CHAIN_LENGTH - 1);
    assert.deepEqual(statuses, [`${serverId}:${CHAIN_LENGTH - 1}`]);
    assert.ok(server.getPeerStatus(client.peerId), "server saw the client's status too");
  });

  it("ping and metadata", async () => {
    assert.equal(await client.request.ping(serverId), 0);
    server.setAttnets(p2pSszTypes.Metadata.fields.attnets.defaultValue());
    assert.equal(await client.request.ping(serverId), 1);
    assert.equal((await client.request.metadata(serverId)).seq_number, 1);
  });

  it("blocks by range return the blocks of the range, skipping empty slots", async () => {
    const blocks = await client.request.blocksByRange(serverId, 0, 64);
    const expected = Array.from({ length: 64 }, (_, s) => s).filter((s) => !skipped(s));
    assert.deepEqual(
      blocks.map((b) => b.message.slot),
      expected,
    );
    assert.deepEqual(ssz.SignedBeaconBlock.serialize(blocks[5]), chain.bySlot.get(expected[5]));
    // past the head: only what exists
    const tail = await client.request.blocksByRange(serverId, 280, 100);
    assert.deepEqual(
      tail.map((b) => b.message.slot),
      Array.from({ length: 20 }, (_, i) => 280 + i).filter((s) => !skipped(s)),
    );
    assert.deepEqual(await client.request.blocksByRange(serverId, 10_000, 10), []);
    // the whole chain in range-sync batches
    let total = 0;
    for (let start = 0; start < CHAIN_LENGTH; start += 64)
      total += (await client.request.blocksByRange(serverId, start, 64)).length;
    assert.equal(total, chain.bySlot.size);
  });

  it("blocks by root return the known blocks only", async () => {
    const wanted = [chain.roots[3], new Uint8Array(32).fill(0xee), chain.roots[100]];
    const blocks = await client.request.blocksByRoot(serverId, wanted);
    assert.deepEqual(
      blocks.map((b) => ssz.BeaconBlock.hashTreeRoot(b.message)),
      [chain.roots[3], chain.roots[100]],
    );
  });

  it("envelopes by range and by root", async () => {
    const byRange = await client.request.envelopesByRange(serverId, 7, 10);
    assert.deepEqual(
      byRange.map((e) => e.message.slot),
      [7, 8, 9, 11, 12, 13, 14, 15, 16],
    );
    const byRoot = await client.request.envelopesByRoot(serverId, [chain.roots[0], chain.roots[1]]);
    assert.deepEqual(
      byRoot.map((e) => e.message.beacon_block_root),
      [chain.roots[0], chain.roots[1]],
    );
  });

  it("refuses requests beyond the limits, locally and remotely", async () => {
    await rejectsWith(
      client.request.blocksByRange(serverId, 0, MAX_REQUEST_BLOCKS + 1),
      ReqRespErrorCode.INVALID_REQUEST,
    );
    await rejectsWith(client.request.blocksByRange(serverId, 0, 0), ReqRespErrorCode.INVALID_REQUEST);
    await rejectsWith(client.request.envelopesByRange(serverId, 0, 129), ReqRespErrorCode.INVALID_REQUEST);
    // a peer that does not check: the server answers InvalidRequest (1)
    const protocols = getProtocols(ssz);
    const tooMany = p2pSszTypes.BeaconBlocksByRangeRequest.serialize({ start_slot: 0, count: 5000, step: 1 });
    const response = await rawRequest(
      client.libp2p,
      serverId,
      protocolId(protocols.blocksByRange),
      encodeSszSnappy(tooMany),
    );
    assert.equal(response?.[0], 1);
    const stepZero = p2pSszTypes.BeaconBlocksByRangeRequest.serialize({ start_slot: 0, count: 5, step: 0 });
    assert.equal(
      (await rawRequest(client.libp2p, serverId, protocolId(protocols.blocksByRange), encodeSszSnappy(stepZero)))?.[0],
      1,
    );
    // 1025 roots do not fit List[Root, 1024]: the length prefix is out of bounds
    const roots = new Uint8Array(32 * (MAX_REQUEST_BLOCKS + 1));
    assert.equal(
      (await rawRequest(client.libp2p, serverId, protocolId(protocols.blocksByRoot), encodeSszSnappy(roots)))?.[0],
      1,
    );
    const c = server.counters();
    assert.equal(c["reqresp.inbound.error.beacon_blocks_by_range.INVALID_REQUEST.COUNT_TOO_LARGE"], 1);
    assert.equal(c["reqresp.inbound.error.beacon_blocks_by_range.INVALID_REQUEST.BAD_STEP"], 1);
    assert.equal(c["reqresp.inbound.error.beacon_blocks_by_root.INVALID_REQUEST.SSZ_SNAPPY_LENGTH_OUT_OF_BOUNDS"], 1);
  });

  it("answers ResourceUnavailable when the node serves no such data", async () => {
    const bare = await startNetwork({ bootnodes: [server.multiaddrs[0]] });
    try {
      await waitFor(() => server.getConnectedPeers().some((p) => p.equals(bare.peerId)), 5000, "connect");
      await rejectsWith(server.request.blocksByRange(bare.peerId, 0, 10), ReqRespErrorCode.ERROR_RESPONSE, 3);
    } finally {
      await bare.stop();
    }
  });
});

describe("req/resp timeouts, rate limits and handshake failures", { timeout: 60_000 }, () => {
  const nets: Network[] = [];

  after(async () => {
    await stopAll(nets);
  });

  it("times out cleanly when the first byte is late (TTFB) and when a later chunk is late (RESP)", async () => {
    const chain = makeChain(50, () => false);
    const timers = new Set<NodeJS.Timeout>();
    const delay = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      });
    const slow = await startNetwork({
      handlers: {
        // first byte only after 1.5 s
        getBlocksByRange: async (start, count) => {
          await delay(1500);
          return chain.handlers.getBlocksByRange(start, count);
        },
        // one block at once, the next after 1.5 s
        getBlocksByRoot: async function* (roots) {
          const blocks = chain.handlers.getBlocksByRoot(roots);
          yield blocks[0];
          await delay(1500);
          yield* blocks.slice(1);
        },
      },
    });
    nets.push(slow);
    const client = await startNetwork({
      bootnodes: [slow.multiaddrs[0]],
      reqResp: { ttfbTimeoutMs: 300, respTimeoutMs: 300 },
    });
    nets.push(client);
    await waitFor(() => client.getPeerStatus(slow.peerId) !== undefined, 5000, "handshake");

    let t0 = Date.now();
    await rejectsWith(client.request.blocksByRange(slow.peerId, 0, 10), ReqRespErrorCode.TTFB_TIMEOUT);
    assert.ok(Date.now() - t0 < 1200, `TTFB timeout took ${Date.now() - t0} ms`);

    t0 = Date.now();
    await rejectsWith(client.request.blocksByRoot(slow.peerId, chain.roots.slice(0, 3)), ReqRespErrorCode.RESP_TIMEOUT);
    assert.ok(Date.now() - t0 < 1200, `RESP timeout took ${Date.now() - t0} ms`);

    // both peers are fine afterwards: the connection is still there and serves other requests
    assert.equal(await client.request.ping(slow.peerId), 0);
    const c = client.counters();
    assert.equal(c["reqresp.outbound.error.beacon_blocks_by_range.TTFB_TIMEOUT"], 1);
    assert.equal(c["reqresp.outbound.error.beacon_blocks_by_root.RESP_TIMEOUT"], 1);
    // let the slow handlers finish writing into the reset streams: counted, not thrown
    await sleep(1700);
    for (const t of timers) clearTimeout(t);
    assert.ok((slow.counters()["reqresp.inbound.requests.beacon_blocks_by_range"] ?? 0) >= 1);
  });

  it("rate-limits a flood of requests with code 139 and bans the flooder", async () => {
    const server = await startNetwork({});
    nets.push(server);
    const flooder = await startNetwork({ bootnodes: [server.multiaddrs[0]] });
    nets.push(flooder);
    const honest = await startNetwork({ bootnodes: [server.multiaddrs[0]] });
    nets.push(honest);
    await waitFor(() => server.getConnectedPeers().length === 2, 5000, "two peers");

    let limited = 0;
    let refused = 0;
    for (let i = 0; i < 120; i++) {
      try {
        await flooder.request.ping(server.peerId);
      } catch (e) {
        const err = e as ReqRespError;
        if (err.code === ReqRespErrorCode.ERROR_RESPONSE && err.data.resultCode === 139) limited++;
        else refused++;
      }
    }
    assert.ok(limited >= 40, `rate limited ${limited}`);
    assert.ok(refused > 0, "later requests are refused outright");
    await waitFor(() => server.isBanned(flooder.peerId), 3000, "flooder banned");
    const c = server.counters();
    assert.ok(c["reqresp.inbound.error.ping.RATE_LIMITED.ping"] >= 40);
    assert.equal(c["peers.ban_reason.reqresp_score"], 1);
    // the honest peer is served all along
    assert.equal(await honest.request.ping(server.peerId), 0);
    assert.equal((await honest.request.status(server.peerId)).fork_digest.length, 4);
  });

  it("bans a peer after a handful of malformed requests", async () => {
    const server = await startNetwork({});
    nets.push(server);
    const bad = await startNetwork({ bootnodes: [server.multiaddrs[0]] });
    nets.push(bad);
    await waitFor(() => server.getConnectedPeers().length === 1, 5000, "connected");
    const statusId = protocolId(getProtocols(ssz).status);
    for (let i = 0; i < 8 && !server.isBanned(bad.peerId); i++) {
      await rawRequest(bad.libp2p, server.peerId, statusId, Uint8Array.from([0x54, 0, 5, 0, 0, 1, 2, 3, 4, 5])).catch(
        () => null,
      );
    }
    await waitFor(() => server.isBanned(bad.peerId), 3000, "banned");
    const c = server.counters();
    assert.ok(c["reqresp.inbound.error.status.INVALID_REQUEST.SSZ_SNAPPY_MISSING_STREAM_IDENTIFIER"] >= 5);
    assert.equal(c["peers.ban_reason.reqresp_score"], 1);
  });

  it("says goodbye and bans a peer of another network after the Status handshake", async () => {
    const ours = await startNetwork({});
    nets.push(ours);
    const theirs = await startNetwork({ forkDigest: OTHER_FORK_DIGEST, bootnodes: [ours.multiaddrs[0]] });
    nets.push(theirs);
    await waitFor(() => ours.isBanned(theirs.peerId) && theirs.isBanned(ours.peerId), 5000, "mutual ban");
    await waitFor(() => ours.getConnectedPeers().length === 0, 5000, "disconnected");
    for (const net of [ours, theirs]) {
      const c = net.counters();
      assert.equal(c["peers.irrelevant_network"], 1);
      assert.equal(c[`peers.goodbye_sent.${GoodbyeReason.IRRELEVANT_NETWORK}`], 1);
      assert.equal(c["peers.ban_reason.irrelevant_network"], 1);
    }
    // and the dialer does not come back
    await sleep(600);
    assert.equal(ours.getConnectedPeers().length, 0);
  });
});
