import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NodeMetrics, startApi } from "@turnstile/node";
import {
  type AttesterSlashing,
  type CachedBeaconState,
  computeEpochAtSlot,
  createChainContext,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_VOLUNTARY_EXIT,
  FAR_FUTURE_EPOCH,
  fromHex,
  interopSecretKey,
  isSlashableAttestationData,
  minimalChainConfig,
  type ProposerSlashing,
  produceBlock,
  type SignedBeaconBlock,
  type SignedVoluntaryExit,
  type SingleAttestation,
  signObject,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { EquivocationWatch } from "../../src/chain/equivocations.ts";
import { verdictOf } from "../../src/network/verdict.ts";
import type { BeaconNode } from "../../src/node/beaconNode.ts";
import { steppedNode } from "./helpers.ts";

/** Minimal config, except that validators may exit from genesis on (64 epochs otherwise). */
const exitCtx = () => createChainContext({ ...minimalChainConfig, SHARD_COMMITTEE_PERIOD: 0 });

function signedExit(state: CachedBeaconState, index: number, epoch: number, signer = index): SignedVoluntaryExit {
  const message = { epoch, validator_index: index };
  return {
    message,
    signature: signObject(
      state,
      interopSecretKey(signer),
      sszTypes.VoluntaryExit,
      message,
      DOMAIN_VOLUNTARY_EXIT,
      epoch,
    ),
  };
}

/** The import's verdict, as gossip gives it. */
function refusal(fn: () => unknown): { action: string; code: string } {
  try {
    fn();
  } catch (e) {
    return verdictOf(e);
  }
  return { action: "ACCEPT", code: "" };
}

/** The canonical blocks from the head back to `fromSlot`. */
function canonicalBlocks(node: BeaconNode, fromSlot: number): SignedBeaconBlock[] {
  const blocks: SignedBeaconBlock[] = [];
  for (let e = node.chain.getEntry(node.chain.head().root); e && e.slot >= fromSlot; ) {
    blocks.unshift(e.block);
    e = node.chain.getEntry(toHex(e.block.message.parent_root));
  }
  return blocks;
}

/** A second block of `honest`'s proposer for its slot, on the same parent (`parent` is the state it built on). */
function equivocate(parent: CachedBeaconState, honest: SignedBeaconBlock, node: BeaconNode): SignedBeaconBlock {
  const { slot, proposer_index } = honest.message;
  const other = produceBlock(parent, slot, interopSecretKey(proposer_index), node.chain.engine, {
    graffiti: "equivocation",
  }).block;
  assert.notDeepEqual(headerOf(other, node), headerOf(honest, node));
  return other;
}

function headerOf(block: SignedBeaconBlock, node: BeaconNode) {
  const m = block.message;
  return {
    slot: m.slot,
    proposer_index: m.proposer_index,
    parent_root: m.parent_root,
    state_root: m.state_root,
    body_root: node.ctx.ssz.BeaconBlockBody.hashTreeRoot(m.body),
  };
}

describe("voluntary exits", () => {
  it("an exit submitted to the API is pooled, included in the next block, and the chain goes on for 5 epochs", async () => {
    const { node, run, rejected, ctx } = steppedNode({ ctx: exitCtx() });
    const { SLOTS_PER_EPOCH } = ctx.preset;
    run(1, 3);
    let exitsIncluded = 0;
    node.chain.on("block", (entry) => {
      exitsIncluded += entry.block.message.body.voluntary_exits.length;
    });
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const url = `http://127.0.0.1:${(api.server.address() as { port: number }).port}/eth/v1/beacon/pool/voluntary_exits`;
      const exit = signedExit(node.chain.head().state, 5, 0);
      const post = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sszTypes.SignedVoluntaryExit.toJson(exit)),
      });
      assert.equal(post.status, 200, await post.text());
      assert.deepEqual(published, ["voluntary_exit"], "the node sends it to its peers");
      const listed = (await (await fetch(url)).json()) as { data: { message: { validator_index: string } }[] };
      assert.deepEqual(
        listed.data.map((e) => e.message.validator_index),
        ["5"],
      );

      run(4, 4);
      const block = canonicalBlocks(node, 4)[0];
      assert.equal(block.message.body.voluntary_exits.length, 1, "the next block carries the exit");
      const exiting = node.chain.head().state.state.validators.getReadonly(5);
      assert.notEqual(exiting.exit_epoch, FAR_FUTURE_EPOCH);

      run(5, 5 + 5 * SLOTS_PER_EPOCH);
      assert.equal(node.chain.head().slot, 5 + 5 * SLOTS_PER_EPOCH, "the chain kept going across epoch transitions");
      assert.ok(node.chain.forkChoice.finalized.epoch >= 3, `finalized ${node.chain.forkChoice.finalized.epoch}`);
      assert.deepEqual(((await (await fetch(url)).json()) as { data: unknown[] }).data, [], "the pool let it go");
      assert.equal(exitsIncluded, 1, "included once only");
      assert.deepEqual(rejected, []);
    } finally {
      await api.close();
    }
  });

  it("gossip: IGNORE a second exit of a validator, REJECT a bad signature, an unknown or too young validator; the head state is not touched", () => {
    const { node, run } = steppedNode({ ctx: exitCtx() });
    run(1, 2);
    const head = node.chain.head().state;
    const stateRoot = toHex(head.hashTreeRoot());
    const ops = node.exitsAndSlashings;
    // [REJECT] process_voluntary_exit: signed by the validator
    assert.deepEqual(
      refusal(() => ops.importVoluntaryExit(signedExit(head, 3, 0, 4))),
      {
        action: "REJECT",
        code: "CHAIN_BAD_SIGNATURE",
      },
    );
    // [REJECT] process_voluntary_exit: a known validator
    assert.deepEqual(refusal(() => ops.importVoluntaryExit(signedExit(head, 3, 0, 3))).action, "ACCEPT");
    const unknown = { ...signedExit(head, 3, 0), message: { epoch: 0, validator_index: 1000 } };
    assert.deepEqual(
      refusal(() => ops.importVoluntaryExit(unknown)),
      { action: "REJECT", code: "UNKNOWN_VALIDATOR" },
    );
    // [REJECT] process_voluntary_exit: not from a future epoch
    assert.deepEqual(
      refusal(() => ops.importVoluntaryExit(signedExit(head, 6, 5))),
      {
        action: "REJECT",
        code: "EXIT_EPOCH_IN_FUTURE",
      },
    );
    // [IGNORE] the first valid exit for the validator: a repeat, or another valid one, is ignored
    assert.deepEqual(
      refusal(() => ops.importVoluntaryExit(signedExit(head, 3, 0, 3))),
      {
        action: "IGNORE",
        code: "CHAIN_EXIT_ALREADY_SEEN",
      },
    );
    assert.equal(toHex(head.hashTreeRoot()), stateRoot, "validation ran on a copy");
    assert.equal(head.state.validators.getReadonly(3).exit_epoch, FAR_FUTURE_EPOCH);
    assert.equal(node.pools.voluntaryExits.getAll().length, 1);

    // Under the minimal config a validator must have been active SHARD_COMMITTEE_PERIOD epochs
    const young = steppedNode();
    young.run(1, 2);
    const state = young.node.chain.head().state;
    assert.deepEqual(
      refusal(() => young.node.exitsAndSlashings.importVoluntaryExit(signedExit(state, 3, 0))),
      {
        action: "REJECT",
        code: "EXIT_VALIDATOR_TOO_YOUNG",
      },
    );
  });
});

describe("proposer equivocation", () => {
  it("two blocks of one proposer at one slot make a proposer slashing that the next block includes; the proposer ends slashed", () => {
    const { node, run, ctx } = steppedNode();
    const { SLOTS_PER_EPOCH } = ctx.preset;
    run(1, 5);
    const parent = node.chain.head().state;
    run(6, 6);
    const honest = canonicalBlocks(node, 6)[0];
    const proposer = honest.message.proposer_index;
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    refusal(() => node.importBlock(equivocate(parent, honest, node)));
    assert.deepEqual(published, ["proposer_slashing"]);
    const pooled = node.pools.proposerSlashings.getAll();
    assert.equal(pooled.length, 1);
    assert.equal(pooled[0].signed_header_1.message.proposer_index, proposer);

    run(7, 7);
    const included = canonicalBlocks(node, 7).flatMap((b) => b.message.body.proposer_slashings);
    assert.equal(included.length, 1, "the next block carries the slashing");
    assert.ok(node.chain.head().state.state.validators.getReadonly(proposer).slashed, "the proposer is slashed");
    // The slashed proposer's later turns are skipped, and the chain goes on across epochs
    run(8, 3 * SLOTS_PER_EPOCH);
    assert.ok(node.chain.head().slot >= 3 * SLOTS_PER_EPOCH - 1);
    assert.equal(node.pools.proposerSlashings.getAll().length, 0, "the pool let it go");
  });

  it("a second block refused by the chain (parent unknown) is still caught when its signature is valid; a forged one is not", () => {
    const { node, run } = steppedNode();
    run(1, 5);
    const parent = node.chain.head().state;
    run(6, 6);
    const honest = canonicalBlocks(node, 6)[0];
    const other = equivocate(parent, honest, node);
    const forged = structuredClone(other);
    forged.message.parent_root = fromHex(`0x${"11".repeat(32)}`);
    assert.equal(refusal(() => node.importBlock(forged)).code, "CHAIN_UNKNOWN_PARENT", "not imported");
    assert.equal(node.pools.proposerSlashings.getAll().length, 0, "its signature does not match its header");

    const orphan = produceBlock(parent, 6, interopSecretKey(honest.message.proposer_index), node.chain.engine, {
      graffiti: "orphan",
    }).block;
    orphan.message.parent_root = fromHex(`0x${"22".repeat(32)}`);
    orphan.signature = signObject(
      parent,
      interopSecretKey(honest.message.proposer_index),
      node.ctx.ssz.BeaconBlock,
      orphan.message,
      DOMAIN_BEACON_PROPOSER,
      computeEpochAtSlot(node.ctx, 6),
    );
    assert.equal(refusal(() => node.importBlock(orphan)).code, "CHAIN_UNKNOWN_PARENT", "not imported");
    assert.equal(node.pools.proposerSlashings.getAll().length, 1, "a validly signed second header slashes");
  });

  it("the second block of a proposer on gossip, IGNOREd as a repeat proposal, is still caught", async () => {
    const producer = steppedNode();
    producer.run(1, 5);
    const parent = producer.node.chain.head().state;
    producer.run(6, 6);
    const honest = canonicalBlocks(producer.node, 6)[0];
    const other = equivocate(parent, honest, producer.node);
    // A node without duties at the start of slot 6, that has the chain up to slot 5
    const { node } = steppedNode({ startSlot: 6 });
    const rootOf = (b: SignedBeaconBlock) => toHex(node.ctx.ssz.BeaconBlock.hashTreeRoot(b.message));
    for (const block of canonicalBlocks(producer.node, 1).slice(0, -1)) {
      node.importBlock(block);
      const { envelope } = producer.node.chain.getEntry(rootOf(block))!;
      if (envelope) node.importEnvelope(envelope);
    }
    await node.importGossipBlock(honest);
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    await assert.rejects(node.importGossipBlock(other), { action: "IGNORE", code: "CHAIN_REPEAT_PROPOSAL" });
    assert.deepEqual(published, ["proposer_slashing"]);
    assert.equal(node.pools.proposerSlashings.getAll().length, 1);
  });

  it("gossip: IGNORE a second slashing of a proposer, REJECT identical headers or a bad signature", () => {
    const { node, run } = steppedNode();
    run(1, 5);
    const parent = node.chain.head().state;
    run(6, 6);
    const honest = canonicalBlocks(node, 6)[0];
    const other = equivocate(parent, honest, node);
    const header = (b: SignedBeaconBlock) => ({ message: headerOf(b, node), signature: b.signature });
    const slashing: ProposerSlashing = { signed_header_1: header(honest), signed_header_2: header(other) };
    const ops = node.exitsAndSlashings;
    // [REJECT] process_proposer_slashing: the headers differ
    assert.deepEqual(
      refusal(() => ops.importProposerSlashing({ ...slashing, signed_header_2: header(honest) })),
      {
        action: "REJECT",
        code: "PROPOSER_SLASHING_SAME_HEADER",
      },
    );
    // [REJECT] process_proposer_slashing: both headers are signed by the proposer
    const badSignature = { ...slashing, signed_header_2: { ...header(other), signature: honest.signature } };
    assert.deepEqual(
      refusal(() => ops.importProposerSlashing(badSignature)),
      {
        action: "REJECT",
        code: "CHAIN_BAD_SIGNATURE",
      },
    );
    assert.equal(refusal(() => ops.importProposerSlashing(slashing)).action, "ACCEPT");
    // [IGNORE] the first valid slashing for the proposer
    assert.deepEqual(
      refusal(() => ops.importProposerSlashing(slashing)),
      {
        action: "IGNORE",
        code: "CHAIN_PROPOSER_SLASHING_ALREADY_SEEN",
      },
    );
  });
});

/** A vote of `index` (in committee 0 of `slot`, a slot of the head's epoch) for `blockRoot`, with the head's target. */
function vote(node: BeaconNode, slot: number, blockRoot: string, index: number): SingleAttestation {
  const head = node.chain.head();
  const state = head.state;
  const epoch = computeEpochAtSlot(node.ctx, slot);
  assert.ok(state.epochCtx.getBeaconCommittee(slot, 0).includes(index));
  const data = {
    slot,
    index: 0,
    beacon_block_root: fromHex(blockRoot),
    source: state.state.current_justified_checkpoint.toValue(),
    target: { epoch, root: fromHex(node.chain.forkChoice.checkpointBlockRoot(head.root, epoch)!) },
  };
  const signature = signObject(
    state,
    interopSecretKey(index),
    sszTypes.AttestationData,
    data,
    DOMAIN_BEACON_ATTESTER,
    epoch,
  );
  return { committee_index: 0, attester_index: index, data, signature };
}

describe("attester equivocation", () => {
  it("a double vote seen on gossip makes an attester slashing that the next block includes; the voter ends slashed", () => {
    const { node, run } = steppedNode();
    run(1, 5);
    const state = node.chain.head().state;
    const [voter, framed] = state.epochCtx.getBeaconCommittee(5, 0);
    const parentRoot = toHex(canonicalBlocks(node, 5)[0].message.parent_root);
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    // The voters already voted for the head at slot 5 (their own duty); now for the head's parent, same target
    const conflicting = vote(node, 5, parentRoot, voter);
    // A forged second vote (not the voter's signature) must not cost the voter anything, and is
    // REJECTed (it also spends the one check of that voter and epoch: a real double vote after it
    // is not caught here, see equivocationCost.test.ts)
    const forged = vote(node, 5, parentRoot, framed);
    const wrongKey = interopSecretKey(framed + 1);
    const forgedSignature = signObject(
      state,
      wrongKey,
      sszTypes.AttestationData,
      forged.data,
      DOMAIN_BEACON_ATTESTER,
      0,
    );
    assert.deepEqual(
      refusal(() => node.importAttestation({ ...forged, signature: forgedSignature })),
      {
        action: "REJECT",
        code: "VOTE_BAD_SIGNATURE",
      },
    );
    assert.equal(node.pools.attesterSlashings.getAll().length, 0, "no slashing from a forged vote");
    refusal(() => node.importAttestation(conflicting));
    assert.deepEqual(published, ["attester_slashing"]);
    const [slashing] = node.pools.attesterSlashings.getAll();
    assert.deepEqual(slashing.attestation_1.attesting_indices, [voter]);

    run(6, 6);
    const included = canonicalBlocks(node, 6).flatMap((b) => b.message.body.attester_slashings);
    assert.equal(included.length, 1, "the next block carries the slashing");
    assert.ok(node.chain.head().state.state.validators.getReadonly(voter).slashed, "the voter is slashed");
    run(7, 20);
    assert.equal(node.chain.head().slot, 20);
  });

  it("gossip: IGNORE a slashing with no new index, REJECT non-slashable data or a bad signature", () => {
    const { node, run } = steppedNode();
    run(1, 5);
    const state = node.chain.head().state;
    const voter = state.epochCtx.getBeaconCommittee(5, 0)[0];
    const blocks = canonicalBlocks(node, 4);
    const a = vote(node, 5, toHex(node.ctx.ssz.BeaconBlock.hashTreeRoot(blocks[1].message)), voter);
    const b = vote(node, 5, toHex(node.ctx.ssz.BeaconBlock.hashTreeRoot(blocks[0].message)), voter);
    const indexed = (v: SingleAttestation) => ({ attesting_indices: [voter], data: v.data, signature: v.signature });
    const slashing: AttesterSlashing = { attestation_1: indexed(a), attestation_2: indexed(b) };
    const ops = node.exitsAndSlashings;
    // [REJECT] process_attester_slashing: a double or surround vote
    assert.deepEqual(
      refusal(() => ops.importAttesterSlashing({ ...slashing, attestation_2: indexed(a) })),
      {
        action: "REJECT",
        code: "ATTESTER_SLASHING_NOT_SLASHABLE_DATA",
      },
    );
    // [REJECT] process_attester_slashing: valid indexed attestations (signatures)
    const forged = { ...slashing, attestation_2: { ...indexed(b), signature: a.signature } };
    assert.deepEqual(
      refusal(() => ops.importAttesterSlashing(forged)),
      { action: "REJECT", code: "CHAIN_BAD_SIGNATURE" },
    );
    assert.equal(refusal(() => ops.importAttesterSlashing(slashing)).action, "ACCEPT");
    // [IGNORE] at least one index in the intersection not yet seen in a prior attester_slashing
    assert.deepEqual(
      refusal(() => ops.importAttesterSlashing(slashing)),
      {
        action: "IGNORE",
        code: "CHAIN_ATTESTER_SLASHING_NO_NEW_INDEX",
      },
    );
  });
});

describe("pool endpoints", () => {
  it("list what is pooled, and answer 400 with a message for what gossip would refuse", async () => {
    const { node, run } = steppedNode({ ctx: exitCtx() });
    run(1, 3);
    const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`${base}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
        return {
          status: res.status,
          body: res.status === 200 ? null : ((await res.json()) as { code: number; message: string }),
        };
      };
      const head = node.chain.head().state;
      const badExit = sszTypes.SignedVoluntaryExit.toJson(signedExit(head, 7, 0, 8));
      const refused = await post("/eth/v1/beacon/pool/voluntary_exits", badExit);
      assert.equal(refused.status, 400);
      assert.match(refused.body!.message, /invalid signature/);
      assert.equal((await post("/eth/v1/beacon/pool/voluntary_exits", { message: {} })).status, 400);
      // Numbers must be canonical decimal strings: ssz alone reads "1.5" as 1 and "-1" as 2^64-1
      const goodExit = sszTypes.SignedVoluntaryExit.toJson(signedExit(head, 7, 0)) as {
        message: { epoch: string; validator_index: string };
      };
      for (const [field, value] of [
        ["epoch", "-1"],
        ["epoch", "0.5"],
        ["validator_index", "7.0"],
        ["validator_index", "7e0"],
      ]) {
        const odd = { ...goodExit, message: { ...goodExit.message, [field]: value } };
        const res = await post("/eth/v1/beacon/pool/voluntary_exits", odd);
        assert.equal(res.status, 400, `${field} = ${value}`);
        assert.match(res.body!.message, /canonical/, `${field} = ${value}`);
      }
      assert.equal((await post("/eth/v1/beacon/pool/proposer_slashings", { nonsense: 1 })).status, 400);
      const slashingJson = { attestation_1: {}, attestation_2: {} };
      const noHeader = await post("/eth/v2/beacon/pool/attester_slashings", slashingJson);
      assert.equal(noHeader.status, 400);
      assert.match(noHeader.body!.message, /Eth-Consensus-Version/);

      for (const path of ["/eth/v1/beacon/pool/voluntary_exits", "/eth/v1/beacon/pool/proposer_slashings"]) {
        const res = await fetch(`${base}${path}`);
        assert.deepEqual(await res.json(), { data: [] }, path);
      }
      // Turnstile is ePBS-shaped: it names its one fork "gloas", the spec fork its types correspond to
      const v2 = await fetch(`${base}/eth/v2/beacon/pool/attester_slashings`);
      assert.equal(v2.headers.get("eth-consensus-version"), "gloas");
      assert.deepEqual(await v2.json(), { version: "gloas", data: [] });
    } finally {
      await api.close();
    }
  });
});

describe("EquivocationWatch", () => {
  const ctx = createChainContext(minimalChainConfig);
  const state = steppedNode({ ctx }).node.chain.head().state;
  const root = (byte: number) => new Uint8Array(32).fill(byte);
  const voteFor = (source: number, target: number, byte = 1): SingleAttestation => ({
    committee_index: 0,
    attester_index: 3,
    data: {
      slot: target * ctx.preset.SLOTS_PER_EPOCH,
      index: 0,
      beacon_block_root: root(byte),
      source: { epoch: source, root: root(source) },
      target: { epoch: target, root: root(target) },
    },
    signature: new Uint8Array(96),
  });

  it("a surround vote, either way round, is a slashing with the surrounding vote first", () => {
    for (const [first, second] of [
      [voteFor(1, 4), voteFor(2, 3)],
      [voteFor(2, 3), voteFor(1, 4)],
    ]) {
      const watch = new EquivocationWatch(ctx);
      assert.equal(watch.onAttestation(first, true, state), null);
      const slashing = watch.onAttestation(second, true, state);
      assert.ok(slashing, "caught");
      assert.ok(isSlashableAttestationData(slashing.attestation_1.data, slashing.attestation_2.data));
      assert.equal(slashing.attestation_1.data.target.epoch, 4);
    }
  });

  it("votes that do not conflict, and votes older than it keeps, make nothing", () => {
    const watch = new EquivocationWatch(ctx);
    assert.equal(watch.onAttestation(voteFor(1, 2), true, state), null);
    assert.equal(watch.onAttestation(voteFor(1, 2), true, state), null, "the same vote again");
    assert.equal(watch.onAttestation(voteFor(2, 3), true, state), null, "the next epoch's vote");
    watch.prune(20 * ctx.preset.SLOTS_PER_EPOCH);
    assert.equal(watch.onAttestation(voteFor(1, 2, 9), true, state), null, "epoch 2 is forgotten");
  });
});
