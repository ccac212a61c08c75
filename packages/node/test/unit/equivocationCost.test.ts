import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import {
  type CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_BEACON_ATTESTER,
  fromHex,
  interopSecretKey,
  produceBlock,
  type SignedBeaconBlock,
  type SingleAttestation,
  signObject,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import type { EquivocationWatch } from "../../src/chain/equivocations.ts";
import { verdictOf } from "../../src/network/verdict.ts";
import type { BeaconNode } from "../../src/node/beaconNode.ts";
import { steppedNode } from "./helpers.ts";

/** How many forged messages each test sends. */
const FORGERIES = 20;

/** The verdict gossip gives what `fn` refuses ("ACCEPT" when it does not). */
async function verdict(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    const { action, code } = verdictOf(e);
    return `${action} ${code}`;
  }
  return "ACCEPT";
}

/**
 * Counts the BLS verifications the watch makes, through its private checks (the same names before
 * and after the fix): a header check of an already verified header costs nothing and is not counted.
 */
function countChecks(watch: EquivocationWatch): () => number {
  const spied = watch as unknown as {
    checkSignature(seen: { verified: boolean }, state: CachedBeaconState): boolean;
    voteSignatureValid(...args: unknown[]): boolean;
  };
  let count = 0;
  const checkSignature = spied.checkSignature.bind(watch);
  mock.method(spied, "checkSignature", (seen: { verified: boolean }, state: CachedBeaconState) => {
    if (!seen.verified) count++;
    return checkSignature(seen, state);
  });
  const voteSignatureValid = spied.voteSignatureValid.bind(watch);
  mock.method(spied, "voteSignatureValid", (...args: unknown[]) => {
    count++;
    return voteSignatureValid(...args);
  });
  return () => count;
}

/** `index`'s vote at `slot` for `blockRoot`, signed with `signer`'s key. */
function vote(node: BeaconNode, slot: number, blockRoot: string, index: number, signer = index): SingleAttestation {
  const head = node.chain.head();
  const epoch = computeEpochAtSlot(node.ctx, slot);
  const data = {
    slot,
    index: 0,
    beacon_block_root: fromHex(blockRoot),
    source: head.state.state.current_justified_checkpoint.toValue(),
    target: { epoch, root: fromHex(node.chain.forkChoice.checkpointBlockRoot(head.root, epoch)!) },
  };
  const key = interopSecretKey(signer);
  const signature = signObject(head.state, key, sszTypes.AttestationData, data, DOMAIN_BEACON_ATTESTER, epoch);
  return { committee_index: 0, attester_index: index, data, signature };
}

describe("equivocation watch: what an unauthenticated sender can make it verify", () => {
  it("N forged double votes of one voter cost one signature check, the first is REJECTed; a real double vote is still caught", async () => {
    const { node, run } = steppedNode();
    run(1, 5);
    const checks = countChecks(node.exitsAndSlashings.watch);
    const [target, voter] = node.chain.head().state.epochCtx.getBeaconCommittee(5, 0);
    const headRoot = node.chain.head().root;
    const parentRoot = toHex(node.chain.getEntry(headRoot)!.block.message.parent_root);
    // Both voted for the head at slot 5 (their duty). Forgeries for `target`: each with other data
    // (a source root gossip does not check) and a signature over something else
    const base = vote(node, 5, parentRoot, target);
    const verdicts: string[] = [];
    for (let i = 0; i < FORGERIES; i++) {
      const data = { ...base.data, source: { epoch: base.data.source.epoch, root: new Uint8Array(32).fill(i + 1) } };
      verdicts.push(await verdict(() => node.importAttestation({ ...base, data })));
    }
    assert.equal(checks(), 1, "one check for the voter and target epoch, whatever its outcome");
    assert.deepEqual(verdicts, ["REJECT VOTE_BAD_SIGNATURE", ...Array(FORGERIES - 1).fill("IGNORE VOTE_ALREADY_SEEN")]);
    assert.equal(node.pools.attesterSlashings.getAll().length, 0, "forgeries cost the voter nothing");

    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    assert.equal(
      await verdict(() => node.importAttestation(vote(node, 5, parentRoot, voter))),
      "IGNORE VOTE_ALREADY_SEEN",
    );
    assert.deepEqual(published, ["attester_slashing"], "a real double vote is caught");
    assert.deepEqual(node.pools.attesterSlashings.getAll()[0].attestation_1.attesting_indices, [voter]);
    assert.equal(checks(), 2);
  });

  it("N copies of a gossip block with another state root cost one signature check, the first is REJECTed; a real second block is still caught", async () => {
    const producer = steppedNode();
    producer.run(1, 5);
    const headBlock = () => producer.node.chain.getEntry(producer.node.chain.head().root)!.block;
    producer.run(6, 6);
    const honest6 = headBlock();
    const parent6 = producer.node.chain.head().state;
    producer.run(7, 7);
    const honest7 = headBlock();
    const other7 = produceBlock(
      parent6,
      7,
      interopSecretKey(honest7.message.proposer_index),
      producer.node.chain.engine,
      { graffiti: "equivocation" },
    ).block;
    // A node without duties at the start of slot 6, that has the chain up to slot 5
    const { node, setSlot } = steppedNode({ startSlot: 6 });
    const rootOf = (b: SignedBeaconBlock) => toHex(node.ctx.ssz.BeaconBlock.hashTreeRoot(b.message));
    const chain: SignedBeaconBlock[] = [];
    for (let e = producer.node.chain.getEntry(toHex(honest6.message.parent_root)); e && e.slot > 0; ) {
      chain.unshift(e.block);
      e = producer.node.chain.getEntry(toHex(e.block.message.parent_root));
    }
    for (const block of chain) {
      node.importBlock(block);
      const { envelope } = producer.node.chain.getEntry(rootOf(block))!;
      if (envelope) node.importEnvelope(envelope);
    }
    await node.importGossipBlock(honest6);
    const checks = countChecks(node.exitsAndSlashings.watch);
    const verdicts: string[] = [];
    for (let i = 0; i < FORGERIES; i++) {
      const copy = structuredClone(honest6);
      copy.message.state_root = new Uint8Array(32).fill(i + 1);
      verdicts.push(await verdict(() => node.importGossipBlock(copy)));
    }
    assert.equal(checks(), 1, "one check for the proposer and slot, whatever its outcome");
    assert.deepEqual(verdicts, [
      "REJECT CHAIN_BAD_PROPOSER_SIGNATURE",
      ...Array(FORGERIES - 1).fill("IGNORE CHAIN_REPEAT_PROPOSAL"),
    ]);
    assert.equal(node.pools.proposerSlashings.getAll().length, 0, "forgeries cost the proposer nothing");

    const { envelope } = producer.node.chain.getEntry(rootOf(honest6))!;
    if (envelope) node.importEnvelope(envelope);
    setSlot(7);
    await node.importGossipBlock(honest7);
    const published: string[] = [];
    node.publisher = (topic) => published.push(topic);
    assert.equal(await verdict(() => node.importGossipBlock(other7)), "IGNORE CHAIN_REPEAT_PROPOSAL");
    assert.deepEqual(published, ["proposer_slashing"], "a real second block is caught");
    assert.equal(checks(), 2);
  });
});
