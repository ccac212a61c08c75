import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AttestationData,
  type AttesterSlashing,
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  DOMAIN_BEACON_ATTESTER,
  FAR_FUTURE_EPOCH,
  type IndexedAttestation,
  processAttesterSlashing,
  processSlotsCopy,
  sszTypes,
  stateTransition,
} from "@turnstile/ticket-state";
import { aggregateSignatureBytes, type DevChain, signObject } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertBlockRejected,
  assertRuleRejects,
  assertSetsVerify,
  cloneBlock,
  collecting,
  resignBlock,
} from "./helpers.ts";

function data(sourceEpoch: number, targetEpoch: number, tag: number): AttestationData {
  return {
    slot: targetEpoch * 8,
    index: 0,
    beacon_block_root: new Uint8Array(32).fill(tag),
    source: { epoch: sourceEpoch, root: new Uint8Array(32).fill(0xa0 + sourceEpoch) },
    target: { epoch: targetEpoch, root: new Uint8Array(32).fill(0xb0 + targetEpoch) },
  };
}

function indexed(chain: DevChain, indices: number[], d: AttestationData, signers = indices): IndexedAttestation {
  const signatures = signers.map((i) =>
    signObject(chain.head, chain.validatorKeys[i], sszTypes.AttestationData, d, DOMAIN_BEACON_ATTESTER, d.target.epoch),
  );
  return { attesting_indices: indices, data: d, signature: aggregateSignatureBytes(signatures) };
}

describe("processAttesterSlashing", () => {
  const chain = devChain();
  const atSlot1 = () => processSlotsCopy(chain.head, 1);
  const proposer = atSlot1().epochCtx.getBeaconProposer(1);
  // Validators 10..13 vote twice for epoch 0 (not the slot-1 proposer, whose balance is also rewarded)
  const doubleVote: AttesterSlashing = {
    attestation_1: indexed(chain, [10, 11, 12], data(0, 0, 1)),
    attestation_2: indexed(chain, [11, 12, 13], data(0, 0, 2)),
  };
  const slashedOf = (cs: CachedBeaconState) =>
    Array.from({ length: 64 }, (_, i) => i).filter((i) => cs.state.validators.getReadonly(i).slashed);
  const rejects = (cs: CachedBeaconState, slashing: AttesterSlashing, code: BlockErrorCode) =>
    assertRuleRejects(cs, () => processAttesterSlashing(cs, slashing, collecting()), BlockError, code);

  describe("valid slashings", () => {
    it("a double vote slashes exactly the validators in both attestations", () => {
      assert.ok(![10, 11, 12, 13].includes(proposer));
      const cs = atSlot1();
      const balance = cs.state.balances.get(11);
      const proposerBalance = cs.state.balances.get(proposer);
      const bctx = collecting();
      processAttesterSlashing(cs, doubleVote, bctx);

      assert.deepEqual(slashedOf(cs), [11, 12]);
      for (const i of [11, 12]) {
        const v = cs.state.validators.getReadonly(i);
        assert.notEqual(v.exit_epoch, FAR_FUTURE_EPOCH);
        assert.ok(v.withdrawable_epoch >= chain.ctx.preset.EPOCHS_PER_SLASHINGS_VECTOR);
      }
      for (const i of [10, 13]) assert.equal(cs.state.validators.getReadonly(i).exit_epoch, FAR_FUTURE_EPOCH);
      const effective = chain.ctx.preset.MAX_EFFECTIVE_BALANCE;
      assert.equal(cs.state.balances.get(11), balance - effective / chain.ctx.preset.MIN_SLASHING_PENALTY_QUOTIENT);
      assert.equal(cs.state.slashings.get(0), 2 * effective);
      assert.equal(
        cs.state.balances.get(proposer),
        proposerBalance + 2 * Math.floor(effective / chain.ctx.preset.WHISTLEBLOWER_REWARD_QUOTIENT),
      );
      assert.deepEqual(
        bctx.signatureSets.map((s) => s.kind),
        ["attestation", "attestation"],
      );
      assertSetsVerify(bctx.signatureSets);
    });

    it("a surround vote slashes", () => {
      const cs = atSlot1();
      processAttesterSlashing(
        cs,
        { attestation_1: indexed(chain, [20], data(0, 3, 1)), attestation_2: indexed(chain, [20], data(1, 2, 1)) },
        collecting(),
      );
      assert.deepEqual(slashedOf(cs), [20]);
    });

    it("skips members of the intersection already slashed, as long as one is slashable", () => {
      const cs = atSlot1();
      cs.state.validators.get(11).slashed = true;
      processAttesterSlashing(cs, doubleVote, collecting());
      assert.deepEqual(slashedOf(cs), [11, 12]);
      assert.equal(cs.state.validators.getReadonly(11).exit_epoch, FAR_FUTURE_EPOCH, "11 was not slashed again");
    });

    it("imports in a block with its signatures verified", () => {
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.attester_slashings = [doubleVote];
      const post = stateTransition(chain.head, resignBlock(chain, block));
      assert.deepEqual(slashedOf(post), [11, 12]);
      assert.deepEqual(slashedOf(chain.head), []);
    });
  });

  describe("invalid slashings", () => {
    it("rejects two identical votes", () => {
      const a = indexed(chain, [11], data(0, 0, 1));
      rejects(atSlot1(), { attestation_1: a, attestation_2: a }, BlockErrorCode.ATTESTER_SLASHING_NOT_SLASHABLE_DATA);
    });

    it("rejects votes for different targets that do not surround each other", () => {
      const slashing = {
        attestation_1: indexed(chain, [11], data(0, 1, 1)),
        attestation_2: indexed(chain, [11], data(0, 2, 2)),
      };
      rejects(atSlot1(), slashing, BlockErrorCode.ATTESTER_SLASHING_NOT_SLASHABLE_DATA);
      // nor the surround the other way round (attestation_2 surrounding attestation_1)
      const reversed = {
        attestation_1: indexed(chain, [20], data(1, 2, 1)),
        attestation_2: indexed(chain, [20], data(0, 3, 1)),
      };
      rejects(atSlot1(), reversed, BlockErrorCode.ATTESTER_SLASHING_NOT_SLASHABLE_DATA);
    });

    for (const [what, indices] of [
      ["no attesting index", []],
      ["unsorted indices", [12, 11]],
      ["a repeated index", [11, 11]],
      ["an unknown validator", [11, 64]],
    ] as const) {
      it(`rejects a first attestation with ${what}`, () => {
        const slashing = {
          ...doubleVote,
          attestation_1: { ...doubleVote.attestation_1, attesting_indices: [...indices] },
        };
        rejects(atSlot1(), slashing, BlockErrorCode.INVALID_INDEXED_ATTESTATION);
      });
      it(`rejects a second attestation with ${what}`, () => {
        const slashing = {
          ...doubleVote,
          attestation_2: { ...doubleVote.attestation_2, attesting_indices: [...indices] },
        };
        rejects(atSlot1(), slashing, BlockErrorCode.INVALID_INDEXED_ATTESTATION);
      });
    }

    it("rejects attestations with no validator in common", () => {
      const slashing = {
        attestation_1: indexed(chain, [10, 11], data(0, 0, 1)),
        attestation_2: indexed(chain, [12, 13], data(0, 0, 2)),
      };
      rejects(atSlot1(), slashing, BlockErrorCode.ATTESTER_SLASHING_NONE_SLASHED);
    });

    it("rejects a slashing whose common validators are all already slashed", () => {
      const cs = atSlot1();
      processAttesterSlashing(cs, doubleVote, collecting());
      rejects(cs, doubleVote, BlockErrorCode.ATTESTER_SLASHING_NONE_SLASHED);
    });

    it("rejects, in a block, an attestation not signed by all of its attesters", () => {
      const slashing = {
        attestation_1: doubleVote.attestation_1,
        // 13 did not sign
        attestation_2: indexed(chain, [11, 12, 13], data(0, 0, 2), [11, 12]),
      };
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.attester_slashings = [slashing];
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "attestation");
      assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
    });
  });
});
