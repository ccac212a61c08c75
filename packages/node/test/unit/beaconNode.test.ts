import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PayloadStatus } from "@turnstile/fork-choice";
import {
  createChainContext,
  isEmptyCommitment,
  minimalChainConfig,
  TicketStateError,
  toHex,
} from "@turnstile/ticket-state";
import { DevChain } from "@turnstile/ticket-state/dev";
import { ChainErrorCode } from "../../src/chain/errors.ts";
import type { DroppedCommitment } from "../../src/node/beaconNode.ts";
import { BUYERS, steppedNode, VALIDATORS } from "./helpers.ts";

describe("BeaconNode in one process", () => {
  it("proposes, attests, sells and uses tickets, reveals payloads and finalizes", () => {
    const { node, run, rejected, ctx } = steppedNode();
    run(1, 5 * ctx.preset.SLOTS_PER_EPOCH);
    const head = node.chain.head();
    assert.equal(head.slot, 5 * ctx.preset.SLOTS_PER_EPOCH);
    assert.equal(head.payloadStatus, PayloadStatus.FULL);
    assert.ok(node.chain.forkChoice.finalized.epoch >= 3, `finalized ${node.chain.forkChoice.finalized.epoch}`);
    assert.ok(head.state.state.next_ticket_id > 10, "tickets were sold");
    assert.deepEqual(rejected, []);
  });

  it("survives holders that withhold commitments and payloads: EMPTY slots, still finalizing", () => {
    const { node, run, ctx } = steppedNode({ withhold: 0.3 });
    run(1, 5 * ctx.preset.SLOTS_PER_EPOCH);
    let empty = 0;
    for (let entry = node.chain.getEntry(node.chain.head().root); entry && entry.block.message.slot > 0; ) {
      if (!entry.payloadKnown) empty++;
      entry = node.chain.getEntry(toHex(entry.block.message.parent_root));
    }
    assert.ok(empty > 0, "some slots had no payload");
    assert.ok(node.chain.forkChoice.finalized.epoch >= 3);
  });

  it("rejects garbage with a typed error and keeps going", () => {
    const { node, run } = steppedNode();
    run(1, 3);
    const entry = node.chain.getEntry(node.chain.head().root)!;
    const tampered = structuredClone(entry.block);
    tampered.message.slot += 1;
    assert.throws(() => node.importBlock(tampered), TicketStateError);
    assert.throws(
      () => node.importBlock(entry.block),
      { code: ChainErrorCode.ALREADY_KNOWN },
      "a known block is not imported twice",
    );
    run(4, 6);
    assert.equal(node.chain.head().slot, 6);
  });
});

describe("bounded state cache", () => {
  it("keeps few states and regenerates evicted ones from blocks, identical to the originals", () => {
    const { node, run } = steppedNode({ maxStates: 4 });
    const roots: { root: string; stateRoot: string }[] = [];
    node.chain.on("block", (entry) =>
      roots.push({
        root: entry.root,
        stateRoot: toHex(node.chain.regen.getPostState(entry.root, false).hashTreeRoot()),
      }),
    );
    run(1, 30);
    const chain = node.chain;
    assert.ok(chain.states.size <= chain.states.maxStates + 4, "only pinned states beyond the bound");
    for (const { root, stateRoot } of roots.slice(-20)) {
      const entry = chain.getEntry(root);
      if (!entry) continue; // pruned by finality
      assert.equal(toHex(chain.regen.getPostState(root, false).hashTreeRoot()), stateRoot, `state of ${root}`);
    }
  });

  it("a chain with room for only 4 states still imports, reorgs and answers for old blocks", () => {
    const { node, run } = steppedNode({ maxStates: 4 });
    run(1, 20);
    assert.ok(node.chain.states.size <= 4 + 4, `${node.chain.states.size} states cached`);
    assert.equal(node.chain.head().slot, 20);
    // The block of slot 3 is far out of the cache: its state comes back by replay
    let entry = node.chain.getEntry(node.chain.head().root);
    while (entry && entry.slot > 3) entry = node.chain.getEntry(toHex(entry.block.message.parent_root));
    assert.ok(entry);
    assert.equal(node.chain.regen.getPostState(entry.root, false).state.slot, 3);
  });
});

describe("votes for a payload not seen yet", () => {
  it("wait, and count once the payload arrives", () => {
    const producer = steppedNode();
    producer.run(1, 4);
    const entries = [];
    for (let e = producer.node.chain.getEntry(producer.node.chain.head().root); e && e.slot > 0; ) {
      entries.unshift(e);
      e = producer.node.chain.getEntry(toHex(e.block.message.parent_root));
    }
    assert.equal(entries.length, 4);
    assert.ok(entries.every((e) => e.envelope !== null));
    const { node } = steppedNode({ startSlot: 6 });
    for (const e of entries.slice(0, 3)) {
      assert.ok(node.importBlock(e.block));
      assert.ok(node.importEnvelope(e.envelope!));
    }
    const last = entries[3];
    assert.ok(node.importBlock(last.block));
    const fc = node.chain.forkChoice;
    node.chain.votes.add({
      attestingIndices: [0, 1, 2, 3, 4, 5, 6, 7],
      slot: 5,
      index: 1,
      beaconBlockRoot: last.root,
      target: { epoch: 0, root: node.chain.anchorRoot },
    });
    assert.ok(!(fc.getWeight(last.root, PayloadStatus.FULL) ?? 0), "no weight while the payload is unknown");
    assert.ok(node.importEnvelope(last.envelope!));
    assert.ok((fc.getWeight(last.root, PayloadStatus.FULL) ?? 0) > 0, "the waiting vote counted");
  });
});

describe("a proposer that leaves out a holder's commitment", () => {
  const ctx = createChainContext(minimalChainConfig);
  const dev = new DevChain(ctx, { validatorCount: VALIDATORS, buyerCount: BUYERS, initialTicketsPerBuyer: 3 });
  const genesis = dev.head.clone();
  const before = [dev.advance(), dev.advance()];
  const slot = 3;
  const honest = dev.produceBlock(slot);
  const offered = honest.message.body.signed_payload_commitment;
  const dropping = dev.advance({ withholdCommitment: true }).block!;
  const slotStart = genesis.state.genesis_time + slot * ctx.config.SECONDS_PER_SLOT;

  /** A node with slots 1-2, that saw the holder's commitment at `receivedAt`, importing `block`. */
  function observe(block: typeof honest, receivedAt: number): DroppedCommitment[] {
    const { node } = steppedNode({ ctx, anchor: genesis.clone(), startSlot: slot + 1 });
    for (const r of before) {
      node.importBlock(r.block!);
      node.importEnvelope(r.envelope!);
    }
    node.pools.commitments.add(offered, receivedAt);
    const dropped: DroppedCommitment[] = [];
    node.on("commitmentDropped", (d) => dropped.push(d));
    assert.ok(node.importBlock(block));
    return dropped;
  }

  it("is reported when the commitment reached us before the slot", () => {
    assert.ok(!isEmptyCommitment(offered.message), "the holder committed");
    assert.ok(isEmptyCommitment(dropping.message.body.signed_payload_commitment.message));
    const dropped = observe(dropping, slotStart - 1.5);
    assert.equal(dropped.length, 1);
    assert.deepEqual(
      { ...dropped[0], blockRoot: undefined },
      {
        slot,
        proposerIndex: dropping.message.proposer_index,
        ticketId: offered.message.ticket_id,
        blockRoot: undefined,
        secondsBeforeSlot: 1.5,
      },
    );
  });

  it("is not reported when the commitment came after the slot began, or when the block carries it", () => {
    assert.deepEqual(observe(dropping, slotStart + 0.5), []);
    assert.deepEqual(observe(honest, slotStart - 1.5), []);
  });
});
