import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PayloadStatus, REORG_HEAD_WEIGHT_THRESHOLD } from "@turnstile/fork-choice";
import fc from "fast-check";
import { BALANCE, block, newForkChoice, PTC_SIZE, root, tickTo, VALIDATORS } from "./helpers.ts";
import { type NaiveBlock, type NaiveMessage, naiveGetHead } from "./naiveGetHead.ts";

interface Scenario {
  blocks: { parent: number; gap: number; onFull: boolean; payload: boolean; ptcYes: number }[];
  votes: { validator: number; block: number; delay: number; full: boolean }[];
  extraSlots: number;
  boostLast: boolean;
}

const scenario = fc.record({
  blocks: fc.array(
    fc.record({
      parent: fc.nat(),
      gap: fc.integer({ min: 1, max: 3 }),
      onFull: fc.boolean(),
      payload: fc.boolean(),
      ptcYes: fc.integer({ min: 0, max: PTC_SIZE }),
    }),
    { minLength: 1, maxLength: 14 },
  ),
  votes: fc.array(
    fc.record({
      validator: fc.nat({ max: VALIDATORS - 1 }),
      block: fc.nat(),
      delay: fc.nat({ max: 3 }),
      full: fc.boolean(),
    }),
    { maxLength: 60 },
  ),
  extraSlots: fc.integer({ min: 0, max: 2 }),
  boostLast: fc.boolean(),
});

function run(s: Scenario): void {
  const store = newForkChoice();
  const naive = new Map<string, NaiveBlock>();
  naive.set(root(0), { root: root(0), parentRoot: null, slot: 0, parentFull: false, payloadKnown: true });
  const slots = [0];
  const known = [true];
  const timely = new Set<string>();
  // Build the tree, each block after its parent, at a slot after the parent's
  for (const [i, b] of s.blocks.entries()) {
    const n = i + 1;
    const parent = b.parent % n;
    const slot = slots[parent] + b.gap;
    const onFull = b.onFull && known[parent];
    tickTo(store, slot);
    store.onBlock(block(n, slot, parent, onFull));
    if (b.payload) store.onExecutionPayload(root(n));
    const ptc = Array.from({ length: b.ptcYes }, (_, k) => k);
    store.onPayloadAttestation({ beaconBlockRoot: root(n), slot, payloadPresent: true, ptcIndices: ptc }, true);
    if (b.payload && b.ptcYes > PTC_SIZE / 2) timely.add(root(n));
    slots.push(slot);
    known.push(b.payload);
    naive.set(root(n), { root: root(n), parentRoot: root(parent), slot, parentFull: onFull, payloadKnown: b.payload });
  }
  const lastSlot = Math.max(...slots);
  const currentSlot = lastSlot + s.extraSlots + 1;
  tickTo(store, currentSlot);
  const messages = new Map<number, NaiveMessage>();
  // Heads computed along the way exercise the incremental deltas, not just one batch
  store.getHead();
  for (const [k, v] of s.votes.entries()) {
    if (k === Math.floor(s.votes.length / 2)) store.getHead();
    const target = v.block % slots.length;
    const slot = Math.min(slots[target] + v.delay, currentSlot - 1);
    const full = v.full && slot > slots[target] && known[target];
    const epoch = Math.floor(slot / 8);
    const targetRoot = store.checkpointBlockRoot(root(target), epoch)!;
    store.onAttestation(
      {
        attestingIndices: [v.validator],
        slot,
        index: full ? 1 : 0,
        beaconBlockRoot: root(target),
        target: { epoch, root: targetRoot },
      },
      true,
    );
    const old = messages.get(v.validator);
    if (old === undefined || slot > old.slot)
      messages.set(v.validator, { slot, root: root(target), payloadPresent: full });
  }
  // Optionally boost the newest block (as if it arrived on time in the current slot)
  const boostRoot = s.boostLast ? root(s.blocks.length) : null;
  store.proposerBoostRoot = boostRoot;
  const head = store.getHead();
  const expected = naiveGetHead({
    blocks: naive,
    messages,
    balances: new Array(VALIDATORS).fill(BALANCE),
    currentSlot,
    anchorRoot: root(0),
    boostRoot,
    boostScore: store.proposerScore(),
    weakThreshold: Math.floor((Math.floor((VALIDATORS * BALANCE) / 8) * REORG_HEAD_WEIGHT_THRESHOLD) / 100),
    timely,
  });
  assert.deepEqual(
    { root: head.root, status: head.payloadStatus },
    { root: expected.root, status: expected.status },
    `head differs at current slot ${currentSlot}`,
  );
  assert.ok(head.payloadStatus !== PayloadStatus.PENDING);
}

describe("proto-array vs the naive recursive get_head", () => {
  it("agree on random trees, votes, payloads, PTC votes and boosts", () => {
    fc.assert(fc.property(scenario, run), { numRuns: 1000 });
  });
});
