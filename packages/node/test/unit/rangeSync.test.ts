import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { createNetwork, type Network } from "@turnstile/p2p";
import { BlockErrorCode, computeForkDigest, fromHex, toHex } from "@turnstile/ticket-state";
import pino from "pino";
import { BlockHistory } from "../../src/network/blockHistory.ts";
import { attachNetwork } from "../../src/network/nodeNetwork.ts";
import { SYNC_BATCH_SLOTS } from "../../src/network/rangeSync.ts";
import type { SyncProgress } from "../../src/node/beaconNode.ts";
import { steppedNode } from "./helpers.ts";

const SLOTS = 100;
const LOOPBACK = { listenAddresses: ["/ip4/127.0.0.1/tcp/0"], bootnodes: [] };

/** A logger whose records the test reads. */
function recordingLogger() {
  const records: { msg: string; [key: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      records.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), records };
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// A producer whose validators attest just under 2/3, so that it never finalizes and serves every
// range from memory (a finalized peer serves old ranges from its database, tested in e2e)
const producer = steppedNode();
const attest = producer.node.importAttestation.bind(producer.node);
producer.node.importAttestation = (a, verify) => a.attester_index % 3 !== 0 && attest(a, verify);
producer.run(1, SLOTS);
const silent = pino({ level: "silent" });

const networks: Network[] = [];
after(async () => {
  await Promise.all(networks.map((n) => n.stop()));
});

describe("range sync over libp2p", () => {
  it("a node that starts late syncs every range from a peer, shows its progress, and takes the peer's head", async () => {
    assert.equal(producer.node.chain.forkChoice.finalized.epoch, 0);
    const netA = await attachNetwork(producer.node, LOOPBACK, silent);
    networks.push(netA);
    const late = steppedNode({ startSlot: SLOTS + 1 });
    const { log, records } = recordingLogger();
    const netB = await attachNetwork(late.node, LOOPBACK, log);
    networks.push(netB);
    const seen: SyncProgress[] = [];
    const poll = setInterval(() => {
      const progress = late.node.syncProgress();
      if (progress) seen.push(progress);
    }, 1);
    try {
      await netB.connect(netA.multiaddrs[0]);
      const head = producer.node.chain.head();
      await waitFor(() => late.node.chain.head().root === head.root, "the late node to reach the head");
    } finally {
      clearInterval(poll);
    }
    assert.equal(late.node.chain.head().payloadStatus, producer.node.chain.head().payloadStatus);
    assert.deepEqual(late.rejected, []);
    await waitFor(() => !late.node.isSyncing(), "the sync to end");
    assert.equal(late.node.syncProgress(), null);

    assert.ok(seen.length > 0, "progress was visible while syncing");
    assert.ok(seen.every((p) => p.startSlot === 1 && p.targetSlot === SLOTS));
    const done = records.find((r) => r.msg === "range sync done");
    assert.ok(done, "a summary line at the end");
    assert.equal(done.imported, SLOTS);
    assert.equal(done.from, 1);
    assert.ok(SLOTS > SYNC_BATCH_SLOTS, "more than one range, so the pipeline ran");
  });

  it("a peer serving a forged block: the ranges before it are stored, nothing from it on, and the peer is penalized", async () => {
    const { ctx } = producer;
    const history = new BlockHistory(producer.node.chain, undefined);
    const forgedSlot = 70;
    const anchor = producer.node.chain.anchor.state;
    const forkDigest = computeForkDigest(ctx.config.GENESIS_FORK_VERSION, anchor.genesis_validators_root);
    const head = producer.node.chain.head();
    const otherSignature = (await history.range(forgedSlot + 1, 1))[0].block.signature;
    // A peer with the producer's chain that swaps one block's signature for another's
    const liar = await createNetwork({
      ssz: ctx.ssz,
      forkDigest,
      ...LOOPBACK,
      handlers: {
        getStatus: () => ({
          fork_digest: forkDigest,
          finalized_root: new Uint8Array(32),
          finalized_epoch: 0,
          head_root: fromHex(head.root),
          head_slot: head.slot,
        }),
        getBlocksByRange: async (start, count) =>
          (await history.range(start, count)).map(({ block }) =>
            ctx.ssz.SignedBeaconBlock.serialize(
              block.message.slot === forgedSlot ? { ...block, signature: otherSignature } : block,
            ),
          ),
        getEnvelopesByRange: async (start, count) =>
          (await history.range(start, count)).flatMap((b) =>
            b.envelope ? [ctx.ssz.SignedExecutionPayloadEnvelope.serialize(b.envelope)] : [],
          ),
      },
    });
    networks.push(liar);
    await liar.start();
    const victim = steppedNode({ startSlot: SLOTS + 1 });
    const netV = await attachNetwork(victim.node, LOOPBACK, silent);
    networks.push(netV);
    await netV.connect(liar.multiaddrs[0]);
    await waitFor(() => victim.rejected.length > 0 && !victim.node.isSyncing(), "the sync to stop");
    assert.deepEqual(victim.rejected, [`block:${BlockErrorCode.INVALID_SIGNATURE}`]);
    const victimHead = victim.node.chain.head();
    assert.ok(victimHead.slot < forgedSlot && victimHead.slot >= SYNC_BATCH_SLOTS, `head at ${victimHead.slot}`);
    const forged = (await history.range(forgedSlot, 1))[0].block;
    assert.ok(!victim.node.chain.hasBlock(toHex(ctx.ssz.BeaconBlock.hashTreeRoot(forged.message))));
    assert.ok(netV.getPeerScore(liar.peerId).reqResp < 0, "the liar lost score");
  });

  it("a peer claiming a head it never serves does not keep a node from its duties, and pays for it", async () => {
    const { ctx } = producer;
    const anchor = producer.node.chain.anchor.state;
    const forkDigest = computeForkDigest(ctx.config.GENESIS_FORK_VERSION, anchor.genesis_validators_root);
    // Claims slot 2^40 (clamped to our clock) and serves no block
    const boaster = await createNetwork({
      ssz: ctx.ssz,
      forkDigest,
      ...LOOPBACK,
      handlers: {
        getStatus: () => ({
          fork_digest: forkDigest,
          finalized_root: new Uint8Array(32),
          finalized_epoch: 0,
          head_root: new Uint8Array(32).fill(9),
          head_slot: 2 ** 40,
        }),
        getBlocksByRange: async () => [],
        getEnvelopesByRange: async () => [],
      },
    });
    networks.push(boaster);
    await boaster.start();
    const victim = steppedNode();
    victim.run(1, 8);
    // Slot 9 was missed: the claim (clamped to slot 10) is more than a slot ahead of our head at 8
    victim.setSlot(10);
    const netV = await attachNetwork(victim.node, LOOPBACK, silent);
    networks.push(netV);
    await netV.connect(boaster.multiaddrs[0]);
    await waitFor(() => netV.getPeerScore(boaster.peerId).reqResp < 0, "the boaster to be penalized");
    assert.equal(victim.node.isSyncing(), false, "the unfulfilled claim no longer counts");
    victim.run(10, 11);
    assert.equal(victim.node.chain.head().slot, 11, "the node went on proposing");
  });
});
