import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import {
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  getIndexedPayloadAttestation,
  type PayloadAttestation,
  processBlockHeader,
  processPayloadAttestation,
  processSlotsCopy,
  stateTransition,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertBlockRejected,
  assertRuleRejects,
  assertSetsVerify,
  cloneBlock,
  collecting,
  flipLast,
  resignBlock,
} from "./helpers.ts";

/** The state of the next slot after its block's header: where the block's payload attestations are processed. */
function afterNextHeader(chain: DevChain): CachedBeaconState {
  const slot = chain.slot + 1;
  const cs = processSlotsCopy(chain.head, slot);
  processBlockHeader(cs, chain.produceBlock(slot).message);
  return cs;
}

describe("processPayloadAttestation", () => {
  // Block and payload at slot 1; the PTC of slot 1 votes on it, the block of slot 2 carries the vote
  const chain = devChain();
  chain.advance();
  const present = chain.makePayloadAttestation(chain.head, 1, chain.headBlockRoot, true);
  const ptc = Array.from(chain.head.epochCtx.getPtc(1));
  const clone = (a: PayloadAttestation) => chain.ctx.ssz.PayloadAttestation.clone(a);
  const rejects = (cs: CachedBeaconState, a: PayloadAttestation, code: BlockErrorCode) =>
    assertRuleRejects(cs, () => processPayloadAttestation(cs, a, collecting()), BlockError, code);

  describe("valid votes", () => {
    it("are checked against the PTC's keys and leave the state as it is", () => {
      assert.equal(ptc.length, chain.ctx.preset.PTC_SIZE);
      const cs = afterNextHeader(chain);
      const root = cs.hashTreeRoot();
      const bctx = collecting();
      processPayloadAttestation(cs, present, bctx);
      assert.deepEqual(cs.hashTreeRoot(), root);
      assert.equal(bctx.signatureSets.length, 1);
      const set = bctx.signatureSets[0];
      assert.equal(set.kind, "payload_attestation");
      assert.deepEqual(
        set.type === "aggregate" ? set.pubkeys.map((pk) => pk.toBytes()) : [],
        [...ptc].sort((a, b) => a - b).map((i) => chain.validatorKeys[i].toPublicKey().toBytes()),
      );
      assertSetsVerify(bctx.signatureSets);
      assert.deepEqual(
        getIndexedPayloadAttestation(cs, present).attesting_indices,
        [...ptc].sort((a, b) => a - b),
      );
    });

    it("a vote that the payload is absent (with blob_data_available false) is valid too", () => {
      const absent = chain.makePayloadAttestation(chain.head, 1, chain.headBlockRoot, false);
      const bctx = collecting();
      processPayloadAttestation(afterNextHeader(chain), absent, bctx);
      assertSetsVerify(bctx.signatureSets);
    });

    it("a vote of a part of the PTC is valid", () => {
      const partial = clone(present);
      partial.aggregation_bits.set(1, false);
      const cs = afterNextHeader(chain);
      const bctx = collecting();
      processPayloadAttestation(cs, partial, bctx);
      assert.deepEqual(getIndexedPayloadAttestation(cs, partial).attesting_indices, [ptc[0]]);
    });

    it("a vote from the last slot of an epoch is valid in the first block of the next epoch", () => {
      const c = devChain();
      while (c.slot < 7) c.advance({ attest: false });
      const vote = c.makePayloadAttestation(c.head, 7, c.headBlockRoot, true);
      const cs = afterNextHeader(c);
      assert.equal(cs.epochCtx.epoch, 1);
      const bctx = collecting();
      processPayloadAttestation(cs, vote, bctx);
      assert.deepEqual(
        getIndexedPayloadAttestation(cs, vote).attesting_indices,
        Array.from(c.head.epochCtx.getPtc(7)).sort((a, b) => a - b),
      );
      assertSetsVerify(bctx.signatureSets);
      assert.doesNotThrow(() => stateTransition(c.head, c.produceBlock(8)));
    });

    it("the next block carries the vote and imports", () => {
      const block = chain.produceBlock(2);
      assert.equal(block.message.body.payload_attestations.length, 1);
      assert.doesNotThrow(() => stateTransition(chain.head, block));
    });
  });

  describe("invalid votes", () => {
    it("rejects a vote about another block than the parent", () => {
      const bad = clone(present);
      bad.data.beacon_block_root = flipLast(bad.data.beacon_block_root);
      rejects(afterNextHeader(chain), bad, BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_BLOCK);
    });

    it("rejects a vote about another slot than the previous one", () => {
      const bad = clone(present);
      bad.data.slot = 0;
      rejects(afterNextHeader(chain), bad, BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_SLOT);
    });

    it("rejects a vote about the parent block carried one slot late (after a skipped slot)", () => {
      const c = devChain();
      c.advance();
      const vote = c.makePayloadAttestation(c.head, 1, c.headBlockRoot, true);
      c.advance({ skipBlock: true });
      rejects(afterNextHeader(c), vote, BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_SLOT);
    });

    it("rejects a vote from the PTC of a slot that had no block (Gloas: the assigned slot must not be empty)", () => {
      // Slot 2 is skipped; its PTC votes about the head it sees, block 1, and block 3 (child of block 1) carries it
      const c = devChain();
      c.advance();
      c.advance({ skipBlock: true });
      const vote = c.makePayloadAttestation(c.head, 2, c.headBlockRoot, true);
      const cs = afterNextHeader(c);
      assert.deepEqual(cs.state.latest_block_header.parent_root, vote.data.beacon_block_root);
      const before = cs.hashTreeRoot();
      assert.throws(
        () => processPayloadAttestation(cs, vote, collecting()),
        (e) =>
          e instanceof BlockError &&
          (e.code === BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_SLOT ||
            e.code === BlockErrorCode.PAYLOAD_ATTESTATION_WRONG_BLOCK),
      );
      assert.deepEqual(cs.hashTreeRoot(), before);
    });

    it("rejects blob_data_available differing from payload_present", () => {
      for (const [payload, blob] of [
        [true, false],
        [false, true],
      ]) {
        const bad = clone(present);
        bad.data.payload_present = payload;
        bad.data.blob_data_available = blob;
        rejects(afterNextHeader(chain), bad, BlockErrorCode.PAYLOAD_ATTESTATION_BLOB_MISMATCH);
      }
    });

    it("rejects a vote with no bit set", () => {
      const bad = clone(present);
      bad.aggregation_bits = BitArray.fromBitLen(chain.ctx.preset.PTC_SIZE);
      rejects(afterNextHeader(chain), bad, BlockErrorCode.PAYLOAD_ATTESTATION_EMPTY);
    });

    it("rejects bits beyond the PTC's members (a registry too small to fill the PTC)", () => {
      // 8 validators: one committee of one per slot, so the PTC has a single member
      const small = devChain({}, { validatorCount: 8 });
      small.advance();
      assert.equal(small.head.epochCtx.getPtc(1).length, 1);
      const vote = small.makePayloadAttestation(small.head, 1, small.headBlockRoot, true);
      const cs = afterNextHeader(small);
      processPayloadAttestation(cs, vote, collecting());
      const bad = small.ctx.ssz.PayloadAttestation.clone(vote);
      bad.aggregation_bits.set(1, true);
      rejects(cs, bad, BlockErrorCode.PAYLOAD_ATTESTATION_BITS_OUTSIDE_PTC);
    });

    it("rejects, in a block, a vote whose aggregate signature is not the PTC's", () => {
      const block = cloneBlock(chain, chain.produceBlock(2)).message;
      const bad = clone(present);
      bad.signature = block.body.randao_reveal;
      block.body.payload_attestations = [bad];
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "payload_attestation");
      assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
    });

    it("rejects, in a block, a vote flipped after the PTC signed it", () => {
      const block = cloneBlock(chain, chain.produceBlock(2)).message;
      const flipped = clone(present);
      flipped.data.payload_present = false;
      flipped.data.blob_data_available = false;
      block.body.payload_attestations = [flipped];
      const e = assertBlockRejected(
        chain.head,
        resignBlock(chain, block),
        BlockError,
        BlockErrorCode.INVALID_SIGNATURE,
      );
      assert.equal(e.data.kind, "payload_attestation");
    });
  });
});
