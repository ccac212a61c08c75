import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { PeerAction } from "@turnstile/p2p";
import {
  type BeaconBlock,
  CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_BEACON_PROPOSER,
  interopSecretKey,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  signObject,
  toHex,
} from "@turnstile/ticket-state";
import pino from "pino";
import { ChainErrorCode } from "../../src/chain/errors.ts";
import { NodeMetrics } from "../../src/metrics/metrics.ts";
import { attachNetwork } from "../../src/network/nodeNetwork.ts";
import { gossipValidator, peerPenaltyOf, type Verdict } from "../../src/network/verdict.ts";
import { BeaconNode } from "../../src/node/beaconNode.ts";
import { BUYERS, genesisState, steppedNode, VALIDATORS } from "./helpers.ts";

/**
 * Gossip rules for `beacon_block`, `execution_payload` and our commitments: each refuses its case
 * before any state transition. "No state transition" is observed as no state being cloned (every
 * state transition, envelope transition and slot processing starts with a clone).
 */

const SLOTS = 6;
const producer = steppedNode();
producer.run(1, SLOTS);
const blocks: SignedBeaconBlock[] = [];
const envelopes: SignedExecutionPayloadEnvelope[] = [];
for (
  let e = producer.node.chain.getEntry(producer.node.chain.head().root);
  e && e.slot > 0;
  e = producer.node.chain.getEntry(toHex(e.block.message.parent_root))
) {
  blocks.unshift(e.block);
  envelopes.unshift(e.envelope!);
}
const ctx = producer.ctx;
const last = blocks[SLOTS - 1];

/** A node at the start of slot SLOTS holding slots 1..SLOTS-1: the last block is its next one. */
function victim() {
  const v = steppedNode({ startSlot: SLOTS });
  const { error } = v.node.chain.importSegment(blocks.slice(0, SLOTS - 1), envelopes.slice(0, SLOTS - 1));
  assert.equal(error, null);
  return v;
}

/** `message` signed by validator `signer` (its own proposer or not). */
function signed(message: BeaconBlock, signer: number): SignedBeaconBlock {
  const epoch = computeEpochAtSlot(ctx, message.slot);
  const signature = signObject(
    producer.node.chain.anchor,
    interopSecretKey(signer),
    ctx.ssz.BeaconBlock,
    message,
    DOMAIN_BEACON_PROPOSER,
    epoch,
  );
  return { message, signature };
}

/** Count state clones (state transitions) while `fn` runs. */
async function clonesDuring(fn: () => Promise<unknown>): Promise<number> {
  const clone = mock.method(CachedBeaconState.prototype, "clone");
  try {
    await fn();
  } catch {
    // the caller asserts the error separately
  }
  const count = clone.mock.callCount();
  clone.mock.restore();
  return count;
}

async function refusal(fn: () => Promise<unknown> | unknown): Promise<{ action?: string; code?: string }> {
  try {
    await fn();
  } catch (e) {
    return e as { action?: string; code?: string };
  }
  assert.fail("expected a refusal");
}

describe("gossip beacon_block: the spec's rules before any state transition", () => {
  it("a valid block from gossip is imported (the rules refuse nothing honest)", async () => {
    const { node } = victim();
    const entry = await node.importGossipBlock(last);
    assert.equal(node.chain.head().root, entry.root);
  });

  it("a far-future block (unsigned) is IGNOREd without a state transition", async () => {
    const { node } = victim();
    const message = structuredClone(last.message);
    message.slot = SLOTS + 1000;
    const block = { message, signature: new Uint8Array(96) };
    const clones = await clonesDuring(() => node.importGossipBlock(block));
    const e = await refusal(() => node.importGossipBlock(block));
    assert.equal(e.action, "IGNORE");
    assert.equal(e.code, ChainErrorCode.FUTURE_SLOT);
    assert.equal(clones, 0, "no state transition ran");
    assert.equal(node.pending.size, 0, "nothing queued");
  });

  it("a far-future block by another path (fetched by root, range sync) is refused before the state transition too", async () => {
    const { node } = victim();
    const message = structuredClone(last.message);
    message.slot = SLOTS + 1000;
    const block = signed(message, message.proposer_index);
    const clones = await clonesDuring(async () => node.importBlock(block));
    assert.equal((await refusal(() => node.importBlock(block))).code, ChainErrorCode.FUTURE_SLOT);
    assert.equal(node.chain.importSegment([block], []).error !== null, true);
    assert.equal(clones, 0, "no state transition ran");
  });

  it("slot 2^64-1 (Infinity once decoded) is refused at once, by gossip and by range sync", {
    timeout: 20_000,
  }, async () => {
    const { node } = victim();
    const bytes = ctx.ssz.SignedBeaconBlock.serialize(last);
    // SignedBeaconBlock: a 4-byte offset to the message, the 96-byte signature, then the message, slot first
    const messageOffset = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    bytes.fill(0xff, messageOffset, messageOffset + 8);
    const block = ctx.ssz.SignedBeaconBlock.deserialize(bytes);
    assert.equal(block.message.slot, Number.POSITIVE_INFINITY);
    const clones = await clonesDuring(async () => {
      await node.importGossipBlock(block).catch(() => {});
      assert.throws(() => node.importBlock(block));
      node.chain.importSegment([block], []);
    });
    const gossip = await refusal(() => node.importGossipBlock(block));
    assert.equal(gossip.action, "IGNORE");
    assert.equal(gossip.code, ChainErrorCode.FUTURE_SLOT);
    assert.equal((node.chain.importSegment([block], []).error as { code?: string }).code, ChainErrorCode.FUTURE_SLOT);
    assert.equal(clones, 0, "no slot was processed");
  });

  it("a block at or below the finalized slot is IGNOREd", async () => {
    const finalizing = steppedNode();
    const first: SignedBeaconBlock[] = [];
    finalizing.node.chain.on("block", (entry) => {
      if (entry.slot === 1) first.push(entry.block);
    });
    finalizing.run(1, 4 * ctx.preset.SLOTS_PER_EPOCH);
    assert.ok(finalizing.node.chain.forkChoice.finalized.epoch >= 1, "finalized");
    const e = await refusal(() => finalizing.node.importGossipBlock(first[0]));
    assert.equal(e.action, "IGNORE");
    assert.equal(e.code, ChainErrorCode.NOT_AFTER_FINALIZED);
  });

  it("a second block of the same proposer for the same slot is IGNOREd (before its state transition)", async () => {
    const { node } = victim();
    await node.importGossipBlock(last);
    const message = structuredClone(last.message);
    message.body.graffiti = new Uint8Array(32).fill(7);
    const second = signed(message, message.proposer_index);
    // The equivocation watch may look at the pair (a slashing check): count the chain's imports instead
    const imports = mock.method(node.chain, "importBlock");
    const e = await refusal(() => node.importGossipBlock(second));
    assert.equal(e.action, "IGNORE");
    assert.equal(e.code, ChainErrorCode.REPEAT_PROPOSAL);
    assert.equal(imports.mock.callCount(), 0, "no state transition ran");
  });

  it("a block signed by a validator that is not the slot's proposer is REJECTed before its state transition", async () => {
    const { node } = victim();
    const message = structuredClone(last.message);
    message.proposer_index = (message.proposer_index + 1) % VALIDATORS;
    const impostor = signed(message, message.proposer_index);
    const clones = await clonesDuring(() => node.importGossipBlock(impostor));
    // A fresh node: the first attempt recorded the impostor as seen for the slot
    const e = await refusal(() => victim().node.importGossipBlock(impostor));
    assert.equal(e.action, "REJECT");
    assert.equal(e.code, ChainErrorCode.WRONG_PROPOSER);
    assert.equal(clones, 0);
  });

  it("a block with a bad proposer signature is REJECTed before its state transition, and does not wait for a parent", async () => {
    const { node } = victim();
    const forged = signed(structuredClone(last.message), (last.message.proposer_index + 1) % VALIDATORS);
    const clones = await clonesDuring(() => node.importGossipBlock(forged));
    const e = await refusal(() => node.importGossipBlock(forged));
    assert.equal(e.action, "REJECT");
    assert.equal(e.code, ChainErrorCode.BAD_PROPOSER_SIGNATURE);
    assert.equal(clones, 0);
    // An orphan with a forged signature never enters the pending queue
    const fresh = steppedNode({ startSlot: SLOTS }).node;
    assert.equal((await refusal(() => fresh.importGossipBlock(forged))).code, ChainErrorCode.BAD_PROPOSER_SIGNATURE);
    assert.equal(fresh.pending.size, 0);
  });

  it("at an epoch's first slot the proposer comes from the branch's remembered proposers (no epoch transition)", async () => {
    const epochStart = ctx.preset.SLOTS_PER_EPOCH;
    const longer = steppedNode();
    longer.run(1, epochStart);
    const chain: SignedBeaconBlock[] = [];
    const payloads: SignedExecutionPayloadEnvelope[] = [];
    for (
      let e = longer.node.chain.getEntry(longer.node.chain.head().root);
      e && e.slot > 0;
      e = longer.node.chain.getEntry(toHex(e.block.message.parent_root))
    ) {
      chain.unshift(e.block);
      payloads.unshift(e.envelope!);
    }
    const first = chain[chain.length - 1];
    assert.equal(first.message.slot, epochStart, "the first block of epoch 1");
    const { node } = steppedNode({ startSlot: epochStart });
    assert.equal(node.chain.importSegment(chain, payloads).error, null);
    // Another child of the same parent at the same slot, from a validator that is not its proposer
    const message = structuredClone(first.message);
    message.proposer_index = (message.proposer_index + 1) % VALIDATORS;
    message.body.graffiti = new Uint8Array(32).fill(3);
    const impostor = signed(message, message.proposer_index);
    const clone = mock.method(CachedBeaconState.prototype, "clone");
    const e = await refusal(() => node.importGossipBlock(impostor));
    const clones = clone.mock.callCount();
    clone.mock.restore();
    assert.equal(e.action, "REJECT");
    assert.equal(e.code, ChainErrorCode.WRONG_PROPOSER);
    assert.equal(clones, 0, "the epoch's proposers were remembered when its first block was imported");
  });

  it("a block whose parent is unknown is IGNOREd and waits in the pending queue", async () => {
    const fresh = steppedNode({ startSlot: SLOTS }).node;
    const e = await refusal(() => fresh.importGossipBlock(last));
    assert.equal(e.action, "IGNORE");
    assert.equal(e.code, ChainErrorCode.UNKNOWN_PARENT);
    assert.equal(fresh.pending.size, 1);
  });
});

describe("a block up to MAXIMUM_GOSSIP_CLOCK_DISPARITY early", () => {
  it("passes the gossip checks and is imported once its slot starts", async () => {
    const secondsPerSlot = ctx.config.SECONDS_PER_SLOT;
    let time = SLOTS * secondsPerSlot - 0.2;
    const node = new BeaconNode({
      ctx,
      anchor: genesisState(ctx),
      validatorKeys: new Map(),
      buyerKeys: new Map(),
      buyerCount: BUYERS,
      now: () => time,
    });
    assert.equal(node.chain.importSegment(blocks.slice(0, SLOTS - 1), envelopes.slice(0, SLOTS - 1)).error, null);
    // Our clock is 200 ms behind the proposer's: its block arrives before our slot starts
    const imported = node.importGossipBlock(last);
    time = SLOTS * secondsPerSlot;
    const entry = await imported;
    assert.equal(node.chain.head().root, entry.root);
  });
});

describe("gossip execution_payload: the block's commitment and the holder's signature before execution", () => {
  it("a valid envelope is imported", async () => {
    const { node } = victim();
    await node.importGossipBlock(last);
    node.importGossipEnvelope(envelopes[SLOTS - 1]);
    assert.equal(node.chain.getEntry(toHex(envelopes[SLOTS - 1].message.beacon_block_root))?.payloadKnown, true);
  });

  it("an envelope with a bad signature is REJECTed without executing it", async () => {
    const { node } = victim();
    await node.importGossipBlock(last);
    const forged = { ...envelopes[SLOTS - 1], signature: envelopes[0].signature };
    const clones = await clonesDuring(async () => node.importGossipEnvelope(forged));
    const e = await refusal(() => node.importGossipEnvelope(forged));
    assert.equal(e.action, "REJECT");
    assert.equal(e.code, ChainErrorCode.ENVELOPE_BAD_SIGNATURE);
    assert.equal(clones, 0);
  });

  it("an envelope whose payload is not the committed one is REJECTed", async () => {
    const { node } = victim();
    await node.importGossipBlock(last);
    const other = structuredClone(envelopes[SLOTS - 1]);
    other.message.payload.block_hash = new Uint8Array(32).fill(9);
    const e = await refusal(() => node.importGossipEnvelope(other));
    assert.equal(e.action, "REJECT");
    assert.equal(e.code, ChainErrorCode.ENVELOPE_BLOCK_HASH_MISMATCH);
  });
});

describe("gossip execution_payload_commitment: judged from the head state, no slots processed", () => {
  it("a commitment our head is too far behind to judge is IGNOREd without processing slots", () => {
    // A node whose head is genesis while the clock is far on (back from downtime, or syncing)
    const { node } = steppedNode({ startSlot: 10 * ctx.preset.SLOTS_PER_EPOCH });
    const commitment = ctx.ssz.SignedExecutionPayloadCommitment.defaultValue();
    commitment.message.slot = node.clock.currentSlot + 1;
    const clone = mock.method(CachedBeaconState.prototype, "clone");
    let error: { action?: string; code?: string } = {};
    try {
      node.importCommitment(commitment);
    } catch (e) {
      error = e as typeof error;
    }
    const clones = clone.mock.callCount();
    clone.mock.restore();
    assert.equal(error.action, "IGNORE");
    assert.equal(error.code, ChainErrorCode.COMMITMENT_HEAD_BEHIND);
    assert.equal(clones, 0, "no slots were processed to judge it");
  });

  it("a commitment naming another ticket than our view's is IGNOREd, not REJECTed (our view may be a fork)", () => {
    const { node } = victim();
    const commitment = ctx.ssz.SignedExecutionPayloadCommitment.defaultValue();
    commitment.message.slot = SLOTS;
    commitment.message.ticket_id = 12345;
    let error: { action?: string; code?: string } = {};
    try {
      node.importCommitment(commitment);
    } catch (e) {
      error = e as typeof error;
    }
    assert.equal(error.code, ChainErrorCode.COMMITMENT_WRONG_TICKET);
    assert.equal(error.action, "IGNORE");
  });
});

describe("gossip verdicts", () => {
  it("an untyped error thrown while handling a peer's message is a REJECT (it counts against the peer)", async () => {
    const seen: Verdict[] = [];
    const validate = gossipValidator(
      "beacon_block",
      () => {
        throw new TypeError("cannot read properties of undefined");
      },
      (_topic, verdict) => seen.push(verdict),
    );
    await assert.rejects(validate(last, { toString: () => "peer" }), { action: "REJECT", code: "UNEXPECTED" });
    assert.deepEqual(seen, [{ action: "REJECT", code: "UNEXPECTED" }]);
  });

  it("typed refusals keep their verdict; an import that returns is an ACCEPT", async () => {
    const { node } = victim();
    const validate = gossipValidator(
      "beacon_block",
      (b: SignedBeaconBlock) => node.importGossipBlock(b),
      () => {},
    );
    const message = structuredClone(last.message);
    message.slot = SLOTS + 1000;
    await assert.rejects(validate({ message, signature: last.signature }, { toString: () => "peer" }), {
      action: "IGNORE",
      code: ChainErrorCode.FUTURE_SLOT,
    });
    assert.equal(await validate(last, { toString: () => "peer" }), "ACCEPT");
  });
});

describe("peer penalties beyond the verdict", () => {
  it("a block more than an epoch ahead of our clock costs its sender score (the verdict stays IGNORE)", async () => {
    const { node } = victim();
    const far = structuredClone(last.message);
    far.slot = SLOTS + 2 * ctx.preset.SLOTS_PER_EPOCH;
    const near = structuredClone(last.message);
    near.slot = SLOTS + 1;
    const farError = await refusal(() => node.importGossipBlock({ message: far, signature: last.signature }));
    const nearError = await refusal(() => node.importGossipBlock({ message: near, signature: last.signature }));
    assert.equal(peerPenaltyOf(farError, ctx.preset.SLOTS_PER_EPOCH), PeerAction.MID_TOLERANCE);
    assert.equal(peerPenaltyOf(nearError, ctx.preset.SLOTS_PER_EPOCH), null, "a slot just ahead may be clock skew");
  });
});

describe("over libp2p: an untyped error while handling a peer's block counts against that peer", () => {
  it("the sender's gossip score drops, and the verdict is counted as a REJECT (UNEXPECTED)", async () => {
    const silent = pino({ level: "silent" });
    const loopback = { listenAddresses: ["/ip4/127.0.0.1/tcp/0"], bootnodes: [] };
    const sender = steppedNode({ startSlot: SLOTS });
    const receiver = steppedNode({ startSlot: SLOTS });
    // A bug on our side that a peer's message triggers: it must not be free to repeat
    receiver.node.importGossipBlock = async () => {
      throw new TypeError("cannot read properties of undefined");
    };
    const metrics = new NodeMetrics();
    const netR = await attachNetwork(receiver.node, { ...loopback, metrics }, silent);
    const netS = await attachNetwork(sender.node, { ...loopback, bootnodes: [netR.multiaddrs[0]] }, silent);
    try {
      await waitUntil(() => netS.getMeshPeers("beacon_block").length > 0, "gossip mesh");
      await netS.publish("beacon_block", last);
      await waitUntil(() => (netR.counters()["gossip.reject_reason.beacon_block.UNEXPECTED"] ?? 0) > 0, "the REJECT");
      await waitUntil(() => netR.getPeerScore(netS.peerId).gossip < 0, "the sender's score to drop");
      const counted = await metrics.gossipUnexpectedErrors.get();
      assert.equal(counted.values.find((v) => v.labels.topic === "beacon_block")?.value, 1);
    } finally {
      await netS.stop();
      await netR.stop();
    }
  });
});

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
