import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type SignatureSet, stateTransition, toHex, verifySignatureSets } from "@turnstile/ticket-state";
import { BlsVerifier } from "../../src/bls/blsVerifier.ts";
import { steppedNode } from "./helpers.ts";

/** The signature sets of a few real blocks (proposer, RANDAO, votes, commitment, purchases). */
function realSets(): SignatureSet[] {
  const { node, run } = steppedNode();
  run(1, 4);
  const sets: SignatureSet[] = [];
  const chain = node.chain;
  for (
    let e = chain.getEntry(chain.head().root);
    e && e.slot > 0;
    e = chain.getEntry(toHex(e.block.message.parent_root))
  ) {
    const pre = chain.regen.getLatestState(toHex(e.block.message.parent_root));
    stateTransition(pre, e.block, { deferSignatures: sets, verifyStateRoot: false });
  }
  return sets;
}

describe("BlsVerifier (signature batches on their own thread)", () => {
  const sets = realSets();
  const verifier = new BlsVerifier();
  after(() => verifier.close());

  it("accepts valid sets of every kind", async () => {
    assert.ok(sets.length >= 8);
    assert.ok(sets.some((s) => s.type === "aggregate"));
    assert.equal(await verifier.verify(sets), -1);
    assert.equal(await verifier.verify([]), -1);
  });

  it("names the first invalid set: a wrong signature, bytes off the curve, an aggregate without signers", async () => {
    const wrong = sets.map((s, i) => (i === 3 ? { ...s, signature: sets[0].signature } : s));
    assert.equal(await verifier.verify(wrong), 3);
    const garbage = sets.map((s, i) => (i === 5 ? { ...s, signature: new Uint8Array(96).fill(0xff) } : s));
    assert.equal(await verifier.verify(garbage), 5);
    const aggregate = sets.findIndex((s) => s.type === "aggregate");
    const empty = sets.map((s, i) => (i === aggregate ? { ...s, pubkeys: [] } : s));
    assert.equal(await verifier.verify(empty as SignatureSet[]), aggregate);
  });

  it("a set that cannot even be decoded is named only if every set before it is valid", async () => {
    const wrongThenGarbage = sets.map((s, i) =>
      i === 1 ? { ...s, signature: sets[2].signature } : i === 5 ? { ...s, signature: new Uint8Array(96) } : s,
    );
    assert.equal(await verifier.verify(wrongThenGarbage), 1, "the forged set before the garbage is found");
    const aggregate = sets.findIndex((s) => s.type === "aggregate");
    const noSigners = sets.map((s, i) =>
      i === 0 ? { ...s, signature: sets[1].signature } : i === aggregate ? { ...s, pubkeys: [] } : s,
    );
    assert.equal(await verifier.verify(noSigners as SignatureSet[]), 0);
    assert.equal(verifySignatureSets(wrongThenGarbage), 1, "and the same on this thread");
  });

  it("answers many batches in flight at once, each with its own result", async () => {
    const bad = sets.map((s, i) => (i === 1 ? { ...s, signature: sets[2].signature } : s));
    const results = await Promise.all([verifier.verify(sets), verifier.verify(bad), verifier.verify(sets)]);
    assert.deepEqual(results, [-1, 1, -1]);
  });

  it("still verifies, on the calling thread, once closed", async () => {
    const closed = new BlsVerifier();
    await closed.close();
    assert.equal(await closed.verify(sets), -1);
    assert.equal(await closed.verify(sets.map((s, i) => (i === 0 ? { ...s, signature: sets[1].signature } : s))), 0);
  });
});
