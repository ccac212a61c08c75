import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AttestationVote,
  type ForkChoice,
  ForkChoiceError,
  ForkChoiceErrorCode,
  type PayloadVote,
} from "@turnstile/fork-choice";
import { BeaconNode, NodeMetrics } from "@turnstile/node";
import {
  computeEpochAtSlot,
  computeSigningRoot,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_PTC_ATTESTER,
  fromHex,
  getDomain,
  interopSecretKey,
  type PayloadAttestationMessage,
  processSlotsCopy,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  type SingleAttestation,
  signObject,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { VoteErrorCode } from "../../src/chain/votes/errors.ts";
import { observeVotes } from "../../src/chain/votes/observeVotes.ts";
import { EVICTED_FROM_PAYLOAD_QUEUE, MAX_VOTES_AWAITING_PAYLOAD, VoteQueue } from "../../src/chain/votes/voteQueue.ts";
import { VotesAwaitingBlock } from "../../src/chain/votes/votesAwaitingBlock.ts";
import type { Logger } from "../../src/logger.ts";
import { verdictOf } from "../../src/network/verdict.ts";
import { BUYERS, genesisState, steppedNode } from "./helpers.ts";

/** The producer's chain: a block (with its payload) in every slot up to here; epoch 1 starts at slot 8. */
const HEAD_SLOT = 10;
const producer = steppedNode();
producer.run(1, HEAD_SLOT);
const { ctx } = producer;
const SECONDS = ctx.config.SECONDS_PER_SLOT;
const bySlot = new Map<number, { root: string; block: SignedBeaconBlock; envelope: SignedExecutionPayloadEnvelope }>();
for (let e = producer.node.chain.getEntry(producer.node.chain.head().root); e && e.slot > 0; ) {
  bySlot.set(e.slot, { root: e.root, block: e.block, envelope: e.envelope! });
  e = producer.node.chain.getEntry(toHex(e.block.message.parent_root));
}
const rootAt = (slot: number) => bySlot.get(slot)!.root;
const UNKNOWN_ROOT = toHex(new Uint8Array(32).fill(0xab));

/**
 * A node with no validators of its own (its seen-vote caches start empty) that imported the
 * producer's blocks up to `upTo` (and their payloads, but `withoutPayloadOf`), its clock at `time`.
 */
function observer(time: number, opts: { upTo?: number; withoutPayloadOf?: number } = {}) {
  let now = time;
  const node = new BeaconNode({
    ctx,
    anchor: genesisState(ctx),
    validatorKeys: new Map(),
    buyerKeys: new Map(),
    buyerCount: BUYERS,
    now: () => now,
  });
  for (let slot = 1; slot <= (opts.upTo ?? HEAD_SLOT); slot++) {
    const { block, envelope } = bySlot.get(slot)!;
    node.chain.importBlock(block);
    if (slot !== opts.withoutPayloadOf) node.chain.importEnvelope(envelope);
  }
  return {
    node,
    setTime: (t: number) => {
      now = t;
    },
  };
}

/** What the network would answer for this import: ACCEPT, or the refusal's "action code". */
function verdict(admit: () => void): string {
  try {
    admit();
    return "ACCEPT";
  } catch (e) {
    const { action, code } = verdictOf(e);
    return `${action} ${code}`;
  }
}

interface VoteSpec {
  slot: number;
  blockRoot?: string;
  targetRoot?: string;
  targetEpoch?: number;
  index?: number;
  committeeIndex?: number;
  attester?: number;
  /** Who signs (default: the attester). */
  signer?: number;
}

/** A SingleAttestation, valid unless `spec` says otherwise: committees from the producer's checkpoint state. */
function attestation(spec: VoteSpec): SingleAttestation {
  const { chain } = producer.node;
  const { slot } = spec;
  const epoch = computeEpochAtSlot(ctx, slot);
  const blockRoot = spec.blockRoot ?? rootAt(Math.min(slot, HEAD_SLOT));
  const canonicalTarget = chain.forkChoice.checkpointBlockRoot(rootAt(Math.min(slot, HEAD_SLOT)), epoch)!;
  const base = chain.regen.getPostState(canonicalTarget, false);
  const epochStart = epoch * ctx.preset.SLOTS_PER_EPOCH;
  const state = base.state.slot < epochStart ? processSlotsCopy(base, epochStart) : base;
  const committee = state.epochCtx.getBeaconCommittee(slot, 0);
  const attester = spec.attester ?? committee[0];
  const targetEpoch = spec.targetEpoch ?? epoch;
  const data = {
    slot,
    index: spec.index ?? 0,
    beacon_block_root: fromHex(blockRoot),
    source: state.state.current_justified_checkpoint.toValue(),
    target: { epoch: targetEpoch, root: fromHex(spec.targetRoot ?? canonicalTarget) },
  };
  const domain = getDomain(state, DOMAIN_BEACON_ATTESTER, targetEpoch);
  const signature = interopSecretKey(spec.signer ?? attester)
    .sign(computeSigningRoot(sszTypes.AttestationData, data, domain))
    .toBytes();
  return { committee_index: spec.committeeIndex ?? 0, attester_index: attester, data, signature };
}

/** A validator of `slot`'s committee 1: not in committee 0. */
function otherCommitteeMember(slot: number): number {
  const { chain } = producer.node;
  const epoch = computeEpochAtSlot(ctx, slot);
  const target = chain.forkChoice.checkpointBlockRoot(rootAt(slot), epoch)!;
  return chain.regen.getPostState(target, false).epochCtx.getBeaconCommittee(slot, 1)[0];
}

const attest = (node: BeaconNode, spec: VoteSpec) => () => node.votes.importAttestation(attestation(spec), true);

/** Slot 11 has begun: votes of slot 10 are applied at once. */
const SLOT_11 = (HEAD_SLOT + 1) * SECONDS;

describe("beacon_attestation gossip", () => {
  it("admits a valid vote: fork choice applies it and the pool holds it", () => {
    const { node } = observer(SLOT_11);
    const applied = node.chain.votes.stats.applied;
    assert.equal(verdict(attest(node, { slot: HEAD_SLOT })), "ACCEPT");
    assert.equal(node.chain.votes.stats.applied, applied + 1);
    assert.equal(node.pools.attestations.getForBlock(HEAD_SLOT + 1, 1).length, 1, "packable into the next block");
  });

  it("REJECTs a target that is not the LMD block's checkpoint (a known block, but not the ancestor at the epoch start)", () => {
    const { node } = observer(SLOT_11);
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT, targetRoot: rootAt(HEAD_SLOT - 1) })),
      `REJECT ${VoteErrorCode.WRONG_TARGET}`,
    );
  });

  it("IGNOREs a target the store does not know", () => {
    const { node } = observer(SLOT_11);
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT, targetRoot: UNKNOWN_ROOT })),
      `IGNORE ${VoteErrorCode.UNKNOWN_TARGET}`,
    );
  });

  it("IGNOREs a vote for an unknown block", () => {
    const { node } = observer(SLOT_11);
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT, blockRoot: UNKNOWN_ROOT })),
      `IGNORE ${VoteErrorCode.UNKNOWN_BLOCK}`,
    );
  });

  it("keeps a vote for a block not seen yet (IGNOREd, so not forwarded) and counts it once the block arrives", async () => {
    const { node } = observer(SLOT_11, { upTo: HEAD_SLOT - 1 });
    const gossipApplied: string[] = [];
    node.chain.votes.on("vote", (source, outcome) => source === "gossip" && gossipApplied.push(outcome));
    const vote = attestation({ slot: HEAD_SLOT });
    assert.equal(
      verdict(() => node.votes.importAttestation(vote, true)),
      `IGNORE ${VoteErrorCode.UNKNOWN_BLOCK}`,
    );
    assert.equal(node.votes.waitingForBlock, 1);
    node.chain.importBlock(bySlot.get(HEAD_SLOT)!.block);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(node.votes.waitingForBlock, 0);
    assert.deepEqual(gossipApplied, ["applied"]);
    assert.equal(node.pools.attestations.getForBlock(HEAD_SLOT + 1, 1).length, 1);
  });

  it("IGNOREs a vote from a future slot, but admits one within the clock disparity (it waits for its slot to pass)", () => {
    const { node, setTime } = observer(SLOT_11);
    // Slot 12 starts in 6 s: far beyond the 0.5 s allowance
    assert.equal(verdict(attest(node, { slot: HEAD_SLOT + 2 })), `IGNORE ${VoteErrorCode.FUTURE_SLOT}`);
    // 0.3 s before slot 12: a peer whose clock is ahead is still honest
    setTime((HEAD_SLOT + 2) * SECONDS - 0.3);
    const queued = node.chain.votes.stats.queued;
    assert.equal(verdict(attest(node, { slot: HEAD_SLOT + 2 })), "ACCEPT");
    assert.equal(node.chain.votes.stats.queued, queued + 1, "held until its slot has passed");
  });

  it("IGNOREs a vote from before the previous epoch", () => {
    const { node, setTime } = observer(SLOT_11);
    const attestationOfSlot7 = attestation({ slot: 7 });
    setTime(3 * ctx.preset.SLOTS_PER_EPOCH * SECONDS); // epoch 3: slot 7 is in epoch 0
    assert.equal(
      verdict(() => node.votes.importAttestation(attestationOfSlot7, true)),
      `IGNORE ${VoteErrorCode.TOO_OLD}`,
    );
  });

  it("REJECTs a target epoch other than the slot's", () => {
    const { node } = observer(SLOT_11);
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT, targetEpoch: 0 })),
      `REJECT ${VoteErrorCode.TARGET_EPOCH_MISMATCH}`,
    );
  });

  it("REJECTs a payload index other than 0 or 1, and a same-slot vote that says FULL", () => {
    const { node } = observer(SLOT_11);
    assert.equal(verdict(attest(node, { slot: HEAD_SLOT, index: 2 })), `REJECT ${VoteErrorCode.BAD_PAYLOAD_INDEX}`);
    assert.equal(verdict(attest(node, { slot: HEAD_SLOT, index: 1 })), `REJECT ${VoteErrorCode.SAME_SLOT_FULL}`);
  });

  it("REJECTs a vote for a block newer than the vote", () => {
    const { node } = observer(SLOT_11);
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT - 1, blockRoot: rootAt(HEAD_SLOT) })),
      `REJECT ${VoteErrorCode.BLOCK_AFTER_VOTE}`,
    );
  });

  it("REJECTs an attester that is not in the committee, and a committee index out of range", () => {
    const { node } = observer(SLOT_11);
    const outsider = otherCommitteeMember(HEAD_SLOT);
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT, attester: outsider })),
      `REJECT ${VoteErrorCode.NOT_IN_COMMITTEE}`,
    );
    const count = node.chain.regen.getPostState(rootAt(8), false).epochCtx.getCommitteeCountPerSlot(1);
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT, committeeIndex: count })),
      `REJECT ${VoteErrorCode.BAD_COMMITTEE_INDEX}`,
    );
  });

  it("REJECTs a bad signature", () => {
    const { node } = observer(SLOT_11);
    const attester = attestation({ slot: HEAD_SLOT }).attester_index;
    assert.equal(
      verdict(attest(node, { slot: HEAD_SLOT, signer: attester + 1 })),
      `REJECT ${VoteErrorCode.BAD_SIGNATURE}`,
    );
  });

  it("IGNOREs a second vote of the same attester for the same target epoch (a copy, or another vote)", () => {
    const { node } = observer(SLOT_11);
    const first = attestation({ slot: HEAD_SLOT });
    assert.equal(
      verdict(() => node.votes.importAttestation(first, true)),
      "ACCEPT",
    );
    assert.equal(
      verdict(() => node.votes.importAttestation(first, true)),
      `IGNORE ${VoteErrorCode.ALREADY_SEEN}`,
    );
    const other = attestation({ slot: HEAD_SLOT, blockRoot: rootAt(HEAD_SLOT - 1), index: 1 });
    assert.equal(
      verdict(() => node.votes.importAttestation(other, true)),
      `IGNORE ${VoteErrorCode.ALREADY_SEEN}`,
    );
  });

  it("IGNOREs a FULL vote whose payload is not seen yet, keeps it, and counts it once the payload arrives", () => {
    const { node } = observer((HEAD_SLOT + 2) * SECONDS, { withoutPayloadOf: HEAD_SLOT });
    const vote = attestation({ slot: HEAD_SLOT + 1, blockRoot: rootAt(HEAD_SLOT), index: 1 });
    const { stats } = node.chain.votes;
    assert.equal(
      verdict(() => node.votes.importAttestation(vote, true)),
      `IGNORE ${VoteErrorCode.PAYLOAD_UNKNOWN}`,
    );
    assert.equal(stats.awaiting_payload, 1);
    assert.equal(node.chain.votes.waiting.awaitingPayload, 1);
    const applied = stats.applied;
    node.chain.importEnvelope(bySlot.get(HEAD_SLOT)!.envelope);
    assert.equal(stats.applied, applied + 1, "the kept vote counted");
    assert.equal(node.chain.votes.waiting.awaitingPayload, 0);
  });

  it("a vote fork choice refuses is not forwarded, the refusal is a fault, and the attester may still vote", () => {
    const { node } = observer(SLOT_11);
    const faults: unknown[] = [];
    node.chain.votes.on("fault", (e) => faults.push(e));
    const fc = node.chain.forkChoice;
    const onAttestation = fc.onAttestation;
    fc.onAttestation = () => {
      throw new ForkChoiceError(ForkChoiceErrorCode.WRONG_TARGET, "disagrees with the gossip checks");
    };
    const vote = attestation({ slot: HEAD_SLOT });
    assert.equal(
      verdict(() => node.votes.importAttestation(vote, true)),
      `IGNORE ${VoteErrorCode.FORK_CHOICE_REFUSED}`,
    );
    assert.equal(faults.length, 1);
    assert.equal(node.chain.votes.stats.fault, 1);
    assert.equal(node.pools.attestations.getForBlock(HEAD_SLOT + 1, 1).length, 0, "not in the pool either");
    // Through the node: the import fails, so the gossip handler does not ACCEPT (forward) it
    assert.notEqual(
      verdict(() => node.importAttestation(vote)),
      "ACCEPT",
    );
    fc.onAttestation = onAttestation;
    assert.equal(
      verdict(() => node.votes.importAttestation(vote, true)),
      "ACCEPT",
      "nothing was marked seen",
    );
  });
});

describe("payload_attestation_message gossip", () => {
  /** Slot 10, after its block: the PTC votes now. */
  const PTC_TIME = HEAD_SLOT * SECONDS + (3 * SECONDS) / 4;

  function ptcOf(slot: number): number[] {
    return Array.from(producer.node.chain.regen.getPostState(rootAt(slot), false).epochCtx.getPtc(slot));
  }

  function message(spec: {
    member: number;
    slot?: number;
    blockRoot?: string;
    present?: boolean;
    blob?: boolean;
    signer?: number;
  }): PayloadAttestationMessage {
    const slot = spec.slot ?? HEAD_SLOT;
    const present = spec.present ?? true;
    const data = {
      beacon_block_root: fromHex(spec.blockRoot ?? rootAt(slot)),
      slot,
      payload_present: present,
      blob_data_available: spec.blob ?? present,
    };
    const state = producer.node.chain.regen.getPostState(rootAt(Math.min(slot, HEAD_SLOT)), false);
    const key = interopSecretKey(spec.signer ?? spec.member);
    const epoch = computeEpochAtSlot(ctx, slot);
    const signature = signObject(state, key, sszTypes.PayloadAttestationData, data, DOMAIN_PTC_ATTESTER, epoch);
    return { validator_index: spec.member, data, signature };
  }

  const ptcVote = (node: BeaconNode, m: PayloadAttestationMessage) => () =>
    node.votes.importPayloadAttestationMessage(m, true);

  it("admits a PTC member's vote about the current slot's block: fork choice records it", () => {
    const { node } = observer(PTC_TIME);
    const [member] = ptcOf(HEAD_SLOT);
    assert.equal(verdict(ptcVote(node, message({ member }))), "ACCEPT");
    assert.equal(node.chain.forkChoice.getPtcVotes(rootAt(HEAD_SLOT))![0], true);
  });

  it("REJECTs a validator outside the slot's PTC", () => {
    const { node } = observer(PTC_TIME);
    const ptc = ptcOf(HEAD_SLOT);
    const outsider = [...Array(64).keys()].find((i) => !ptc.includes(i))!;
    assert.equal(verdict(ptcVote(node, message({ member: outsider }))), `REJECT ${VoteErrorCode.PTC_NOT_MEMBER}`);
  });

  it("IGNOREs a second message of the same member in the slot", () => {
    const { node } = observer(PTC_TIME);
    const [member] = ptcOf(HEAD_SLOT);
    assert.equal(verdict(ptcVote(node, message({ member }))), "ACCEPT");
    assert.equal(
      verdict(ptcVote(node, message({ member, present: false }))),
      `IGNORE ${VoteErrorCode.PTC_ALREADY_SEEN}`,
    );
    assert.equal(node.chain.forkChoice.getPtcVotes(rootAt(HEAD_SLOT))![0], true, "the first vote stands");
  });

  it("keeps a vote for a block not seen yet and records it once the block arrives in the slot", async () => {
    const { node } = observer(PTC_TIME, { upTo: HEAD_SLOT - 1 });
    const [member] = ptcOf(HEAD_SLOT);
    assert.equal(verdict(ptcVote(node, message({ member }))), `IGNORE ${VoteErrorCode.PTC_UNKNOWN_BLOCK}`);
    node.chain.importBlock(bySlot.get(HEAD_SLOT)!.block);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(node.chain.forkChoice.getPtcVotes(rootAt(HEAD_SLOT))![0], true);
  });

  it("REJECTs a bad signature", () => {
    const { node } = observer(PTC_TIME);
    const [member] = ptcOf(HEAD_SLOT);
    assert.equal(
      verdict(ptcVote(node, message({ member, signer: member + 1 }))),
      `REJECT ${VoteErrorCode.PTC_BAD_SIGNATURE}`,
    );
  });

  it("IGNOREs a vote for an unknown block", () => {
    const { node } = observer(PTC_TIME);
    const [member] = ptcOf(HEAD_SLOT);
    const m = message({ member });
    m.data.beacon_block_root = fromHex(UNKNOWN_ROOT);
    assert.equal(verdict(ptcVote(node, m)), `IGNORE ${VoteErrorCode.PTC_UNKNOWN_BLOCK}`);
  });

  it("REJECTs a vote about another slot's block, and blob availability that differs from presence", () => {
    const { node } = observer(PTC_TIME);
    const [member] = ptcOf(HEAD_SLOT);
    assert.equal(
      verdict(ptcVote(node, message({ member, blockRoot: rootAt(HEAD_SLOT - 1) }))),
      `REJECT ${VoteErrorCode.PTC_BLOCK_SLOT_MISMATCH}`,
    );
    assert.equal(
      verdict(ptcVote(node, message({ member, blob: false }))),
      `REJECT ${VoteErrorCode.PTC_INCONSISTENT_DATA}`,
    );
  });

  it("IGNOREs a vote not for the current slot; within the disparity it is still not taken, as fork choice would refuse it", () => {
    const { node, setTime } = observer(PTC_TIME);
    const [member] = ptcOf(HEAD_SLOT);
    setTime((HEAD_SLOT + 1) * SECONDS + 1);
    assert.equal(verdict(ptcVote(node, message({ member }))), `IGNORE ${VoteErrorCode.PTC_NOT_CURRENT_SLOT}`);
    // 0.3 s into the next slot: inside the spec's allowance, but on_payload_attestation_message
    // takes wire votes of the store's current slot only
    setTime((HEAD_SLOT + 1) * SECONDS + 0.3);
    assert.equal(verdict(ptcVote(node, message({ member }))), `IGNORE ${VoteErrorCode.FORK_CHOICE_REFUSED}`);
  });
});

describe("VoteQueue", () => {
  const vote = (slot: number): AttestationVote => ({
    attestingIndices: [1],
    slot,
    index: 1,
    beaconBlockRoot: `0x${slot}`,
    target: { epoch: 0, root: "0x0" },
  });
  /** A fork-choice stand-in whose refusals the test chooses. */
  function stubForkChoice(refuse: (vote: AttestationVote) => unknown) {
    const applied: AttestationVote[] = [];
    const fc = {
      currentSlot: 5,
      onAttestation(v: AttestationVote) {
        const error = refuse(v);
        if (error) throw error;
        applied.push(v);
      },
      onPayloadAttestation(_v: PayloadVote) {
        throw new TypeError("a programming error");
      },
    };
    return { fc, queue: new VoteQueue(fc as unknown as ForkChoice), applied };
  }

  it("holds a current-slot vote until its slot has passed", () => {
    const { fc, queue, applied } = stubForkChoice(() => null);
    assert.equal(queue.add(vote(5)).outcome, "queued");
    queue.onTick();
    assert.equal(applied.length, 0);
    fc.currentSlot = 6;
    queue.onTick();
    assert.equal(applied.length, 1);
    assert.deepEqual(queue.stats, { applied: 1, queued: 1, awaiting_payload: 0, dropped: 0, fault: 0 });
  });

  it("drops a block's vote fork choice cannot use, but reports the same refusal of a checked gossip vote as a fault", () => {
    const wrongTarget = new ForkChoiceError(ForkChoiceErrorCode.WRONG_TARGET, "inconsistent");
    const { queue } = stubForkChoice(() => wrongTarget);
    const faults: unknown[] = [];
    queue.on("fault", (e) => faults.push(e));
    assert.deepEqual(queue.addFromBlock(vote(3)), { outcome: "dropped", code: ForkChoiceErrorCode.WRONG_TARGET });
    assert.equal(faults.length, 0);
    assert.deepEqual(queue.add(vote(3)), { outcome: "fault", code: ForkChoiceErrorCode.WRONG_TARGET });
    assert.deepEqual(faults, [wrongTarget]);
  });

  it("drops a gossip vote that went stale (its block pruned), without a fault", () => {
    const { queue } = stubForkChoice(() => new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_BLOCK, "pruned"));
    let faults = 0;
    queue.on("fault", () => faults++);
    assert.equal(queue.add(vote(3)).outcome, "dropped");
    assert.equal(faults, 0);
  });

  it("reports an error that is not fork choice's as a fault, whatever the source", () => {
    const { queue } = stubForkChoice(() => new TypeError("bug"));
    let faults = 0;
    queue.on("fault", () => faults++);
    assert.equal(queue.addFromBlock(vote(3)).outcome, "fault");
    assert.equal(
      queue.addPayloadVote({ beaconBlockRoot: "0x1", slot: 5, payloadPresent: true, ptcIndices: [0] }, "block").outcome,
      "fault",
    );
    assert.equal(faults, 2);
  });

  it("keeps at most MAX_VOTES_AWAITING_PAYLOAD votes for unseen payloads, dropping the oldest with a code", () => {
    const { queue } = stubForkChoice(() => new ForkChoiceError(ForkChoiceErrorCode.PAYLOAD_UNKNOWN, "no payload"));
    const dropped: (string | null)[] = [];
    queue.on("vote", (_source, outcome, code) => outcome === "dropped" && dropped.push(code));
    for (let i = 0; i <= MAX_VOTES_AWAITING_PAYLOAD; i++) queue.add(vote(1 + (i % 3)));
    assert.ok(queue.waiting.awaitingPayload <= MAX_VOTES_AWAITING_PAYLOAD);
    assert.ok(dropped.length > 0);
    assert.ok(dropped.every((c) => c === EVICTED_FROM_PAYLOAD_QUEUE));
  });
});

describe("VotesAwaitingBlock", () => {
  it("is bounded: the votes of the root that waits longest make room", () => {
    const queue = new VotesAwaitingBlock<number>(3);
    assert.equal(queue.add("a", 1), 0);
    assert.equal(queue.add("a", 2), 0);
    assert.equal(queue.add("b", 3), 0);
    assert.equal(queue.add("c", 4), 2, "both votes for a dropped");
    assert.equal(queue.size, 2);
    assert.deepEqual(queue.take("a"), []);
    assert.deepEqual(queue.take("b"), [3]);
    assert.deepEqual(queue.take("c"), [4]);
    assert.equal(queue.size, 0);
  });
});

describe("vote metrics and logs", () => {
  it("counts each refusal by topic and code with a debug line, and logs a fault at error level", async () => {
    const { node } = observer(SLOT_11);
    const metrics = new NodeMetrics();
    const lines: { level: string; msg: string }[] = [];
    const log = {
      debug: (_o: unknown, msg: string) => lines.push({ level: "debug", msg }),
      error: (_o: unknown, msg: string) => lines.push({ level: "error", msg }),
    } as unknown as Logger;
    observeVotes(node.votes, node.chain.votes, metrics, log);
    const unknownTarget = attestation({ slot: HEAD_SLOT, targetRoot: UNKNOWN_ROOT });
    assert.equal(
      verdict(() => node.importAttestation(unknownTarget)),
      `IGNORE ${VoteErrorCode.UNKNOWN_TARGET}`,
    );
    const refused = await metrics.voteRefused.get();
    assert.deepEqual(
      refused.values.map((v) => [v.labels, v.value]),
      [[{ topic: "beacon_attestation", code: VoteErrorCode.UNKNOWN_TARGET }, 1]],
    );
    assert.ok(lines.some((l) => l.level === "debug"));
    const fc = node.chain.forkChoice;
    fc.onAttestation = () => {
      throw new ForkChoiceError(ForkChoiceErrorCode.SAME_SLOT_FULL_VOTE, "disagrees");
    };
    const valid = attestation({ slot: HEAD_SLOT });
    assert.equal(
      verdict(() => node.importAttestation(valid)),
      `IGNORE ${VoteErrorCode.FORK_CHOICE_REFUSED}`,
    );
    assert.ok(lines.some((l) => l.level === "error"));
    const notApplied = await metrics.votesNotApplied.get();
    assert.deepEqual(
      notApplied.values.map((v) => [v.labels, v.value]),
      [[{ outcome: "fault", code: ForkChoiceErrorCode.SAME_SLOT_FULL_VOTE }, 1]],
    );
  });
});
