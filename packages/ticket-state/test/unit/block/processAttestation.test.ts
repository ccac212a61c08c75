import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BitArray } from "@chainsafe/ssz";
import {
  type Attestation,
  type AttestationData,
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_BEACON_ATTESTER,
  getAttestingIndices,
  PARTICIPATION_FLAG_WEIGHTS,
  PROPOSER_WEIGHT,
  processAttestation,
  processSlotsCopy,
  sszTypes,
  stateTransition,
  WEIGHT_DENOMINATOR,
} from "@turnstile/ticket-state";
import { aggregateSignatureBytes, type DevChain, signObject } from "@turnstile/ticket-state/dev";
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

const SOURCE = 0b001;
const TARGET = 0b010;
const HEAD = 0b100;

/** `chain.makeAttestation` with its data edited and every attester's signature remade over the new data. */
function attestationWith(
  chain: DevChain,
  cs: CachedBeaconState,
  slot: number,
  edit: (data: AttestationData) => void,
): Attestation {
  const attestation = chain.makeAttestation(cs, slot);
  const attesters = getAttestingIndices(cs, attestation);
  edit(attestation.data);
  const epoch = attestation.data.target.epoch;
  attestation.signature = aggregateSignatureBytes(
    attesters.map((i) =>
      signObject(cs, chain.validatorKeys[i], sszTypes.AttestationData, attestation.data, DOMAIN_BEACON_ATTESTER, epoch),
    ),
  );
  return attestation;
}

const cloneAttestation = (chain: DevChain, a: Attestation): Attestation => chain.ctx.ssz.Attestation.clone(a);

function flagsOf(cs: CachedBeaconState, indices: number[], epoch: "current" | "previous"): number[] {
  const list = epoch === "current" ? cs.state.current_epoch_participation : cs.state.previous_epoch_participation;
  return indices.map((i) => list.get(i));
}

/** Import a block of the next slot carrying exactly `attestations`; return the post-state. */
function importWith(chain: DevChain, attestations: Attestation[]): CachedBeaconState {
  const block = cloneBlock(chain, chain.produceBlock(chain.slot + 1)).message;
  block.body.attestations = attestations;
  return stateTransition(chain.head, resignBlock(chain, block));
}

describe("processAttestation", () => {
  // Block and payload at slot 1; every validator of slot 1 attests to it
  const chain = devChain();
  chain.advance();
  const block1Root = chain.headBlockRoot;
  const att1 = chain.makeAttestation(chain.head, 1);
  const attesters1 = getAttestingIndices(chain.head, att1).sort((a, b) => a - b);
  const atSlot = (slot: number) => processSlotsCopy(chain.head, slot);
  const rejects = (cs: CachedBeaconState, attestation: Attestation, code: BlockErrorCode) =>
    assertRuleRejects(cs, () => processAttestation(cs, attestation, collecting()), BlockError, code);
  const edited = (edit: (a: Attestation) => void) => {
    const a = cloneAttestation(chain, att1);
    edit(a);
    return a;
  };

  describe("participation flags and the proposer's reward", () => {
    it("a same-slot vote included one slot later earns source, target and head", () => {
      const cs = atSlot(2);
      const proposer = cs.epochCtx.getBeaconProposer(2);
      const balanceBefore = cs.state.balances.get(proposer);
      const bctx = collecting();
      processAttestation(cs, att1, bctx);

      assert.equal(attesters1.length, 8, "two committees of four");
      assert.deepEqual(
        flagsOf(cs, attesters1, "current"),
        attesters1.map(() => SOURCE | TARGET | HEAD),
      );
      const others = Array.from({ length: 64 }, (_, i) => i).filter((i) => !attesters1.includes(i));
      assert.ok(
        flagsOf(cs, others, "current").every((f) => f === 0),
        "non-attesters get nothing",
      );
      assert.ok(flagsOf(cs, attesters1, "previous").every((f) => f === 0));

      const weights = PARTICIPATION_FLAG_WEIGHTS.reduce((a, b) => a + b, 0);
      const numerator = attesters1.reduce((sum, i) => sum + cs.epochCtx.getBaseReward(i) * weights, 0);
      const denominator = ((WEIGHT_DENOMINATOR - PROPOSER_WEIGHT) * WEIGHT_DENOMINATOR) / PROPOSER_WEIGHT;
      const reward = Math.floor(numerator / denominator);
      assert.ok(reward > 0);
      assert.equal(cs.state.balances.get(proposer), balanceBefore + reward);

      assert.equal(bctx.signatureSets.length, 1);
      const set = bctx.signatureSets[0];
      assert.equal(set.kind, "attestation");
      assert.equal(set.type === "aggregate" && set.pubkeys.length, 8);
      assertSetsVerify(bctx.signatureSets);
    });

    it("flags already set are not paid twice", () => {
      const cs = atSlot(2);
      processAttestation(cs, att1, collecting());
      const proposer = cs.epochCtx.getBeaconProposer(2);
      const balance = cs.state.balances.get(proposer);
      processAttestation(cs, att1, collecting());
      assert.equal(cs.state.balances.get(proposer), balance);
    });

    it("included two slots later: source and target, no head", () => {
      const cs = atSlot(3);
      processAttestation(cs, att1, collecting());
      assert.deepEqual(
        flagsOf(cs, attesters1, "current"),
        attesters1.map(() => SOURCE | TARGET),
      );
    });

    it("included three slots later (beyond sqrt(SLOTS_PER_EPOCH)): target only", () => {
      const cs = atSlot(4);
      processAttestation(cs, att1, collecting());
      assert.deepEqual(
        flagsOf(cs, attesters1, "current"),
        attesters1.map(() => TARGET),
      );
    });

    it("a wrong target root earns source only; a wrong head root source and target", () => {
      const wrongTarget = edited((a) => {
        a.data.target.root = flipLast(a.data.target.root);
      });
      const cs = atSlot(2);
      processAttestation(cs, wrongTarget, collecting());
      assert.deepEqual(
        flagsOf(cs, attesters1, "current"),
        attesters1.map(() => SOURCE),
      );

      const wrongHead = edited((a) => {
        a.data.beacon_block_root = flipLast(a.data.beacon_block_root);
      });
      const cs2 = atSlot(2);
      processAttestation(cs2, wrongHead, collecting());
      assert.deepEqual(
        flagsOf(cs2, attesters1, "current"),
        attesters1.map(() => SOURCE | TARGET),
      );
    });

    it("a previous-epoch attestation sets previous_epoch_participation", () => {
      const cs7 = atSlot(7);
      const att7 = chain.makeAttestation(cs7, 7);
      const attesters7 = getAttestingIndices(cs7, att7);
      const cs = processSlotsCopy(cs7, 8);
      const currentBefore = flagsOf(cs, attesters7, "current");
      processAttestation(cs, att7, collecting());
      assert.ok(flagsOf(cs, attesters7, "previous").every((f) => (f & (SOURCE | TARGET)) === (SOURCE | TARGET)));
      assert.deepEqual(flagsOf(cs, attesters7, "current"), currentBefore);
    });
  });

  describe("the payload vote of an attestation made at a skipped slot (DESIGN §1: 1 = its payload is present)", () => {
    it("block 1's payload revealed, slot 2 skipped: FULL earns the head flag, EMPTY does not", () => {
      const c = devChain();
      c.advance();
      c.advance({ skipBlock: true });
      const attesters = getAttestingIndices(c.head, c.makeAttestation(c.head, 2));
      const full = attestationWith(c, c.head, 2, (d) => {
        d.index = 1;
      });
      const empty = attestationWith(c, c.head, 2, (d) => {
        d.index = 0;
      });
      assert.deepEqual(full.data.beacon_block_root, c.headBlockRoot);
      assert.deepEqual(
        flagsOf(importWith(c, [full]), attesters, "current"),
        attesters.map(() => SOURCE | TARGET | HEAD),
      );
      assert.deepEqual(
        flagsOf(importWith(c, [empty]), attesters, "current"),
        attesters.map(() => SOURCE | TARGET),
      );
    });

    it("block 1's payload withheld, slot 2 skipped: EMPTY earns the head flag, FULL does not", () => {
      const c = devChain();
      c.advance({ withholdPayload: true });
      c.advance({ skipBlock: true });
      const attesters = getAttestingIndices(c.head, c.makeAttestation(c.head, 2));
      const full = attestationWith(c, c.head, 2, (d) => {
        d.index = 1;
      });
      const empty = attestationWith(c, c.head, 2, (d) => {
        d.index = 0;
      });
      assert.deepEqual(
        flagsOf(importWith(c, [empty]), attesters, "current"),
        attesters.map(() => SOURCE | TARGET | HEAD),
      );
      assert.deepEqual(
        flagsOf(importWith(c, [full]), attesters, "current"),
        attesters.map(() => SOURCE | TARGET),
      );
    });
  });

  describe("invalid attestations", () => {
    it("rejects an attestation included in its own slot (too early)", () => {
      assert.equal(chain.head.state.slot, 1);
      rejects(chain.head.clone(), att1, BlockErrorCode.ATTESTATION_TOO_EARLY);
    });

    it("rejects a target epoch that is neither the current nor the previous one", () => {
      const bad = edited((a) => {
        a.data.target.epoch = 1;
      });
      rejects(atSlot(2), bad, BlockErrorCode.ATTESTATION_BAD_TARGET_EPOCH);
      // two epochs old
      rejects(atSlot(17), att1, BlockErrorCode.ATTESTATION_BAD_TARGET_EPOCH);
    });

    it("rejects a target epoch that is not the epoch of the attestation's slot", () => {
      const bad = edited((a) => {
        a.data.slot = 8;
        a.data.target.epoch = 0;
      });
      rejects(atSlot(9), bad, BlockErrorCode.ATTESTATION_TARGET_SLOT_MISMATCH);
    });

    it("rejects a payload index other than 0 or 1", () => {
      const bad = edited((a) => {
        a.data.index = 2;
      });
      rejects(atSlot(2), bad, BlockErrorCode.ATTESTATION_BAD_PAYLOAD_INDEX);
    });

    it("rejects a FULL vote for a block of the attestation's own slot", () => {
      const bad = edited((a) => {
        a.data.index = 1;
      });
      rejects(atSlot(2), bad, BlockErrorCode.ATTESTATION_SAME_SLOT_FULL);
    });

    it("rejects a source other than the justified checkpoint", () => {
      const badEpoch = edited((a) => {
        a.data.source.epoch = 1;
      });
      rejects(atSlot(2), badEpoch, BlockErrorCode.ATTESTATION_WRONG_SOURCE);
      const badRoot = edited((a) => {
        a.data.source.root = flipLast(a.data.source.root);
      });
      rejects(atSlot(2), badRoot, BlockErrorCode.ATTESTATION_WRONG_SOURCE);
    });

    it("rejects aggregation bits longer or shorter than the named committees", () => {
      const bits = att1.aggregation_bits;
      for (const length of [bits.bitLen + 1, bits.bitLen - 1]) {
        const bad = edited((a) => {
          a.aggregation_bits = BitArray.fromBoolArray(Array.from({ length }, (_, i) => i < bits.bitLen && bits.get(i)));
        });
        rejects(atSlot(2), bad, BlockErrorCode.ATTESTATION_BITS_LENGTH);
      }
    });

    it("rejects an attestation naming no committee", () => {
      const bad = edited((a) => {
        a.committee_bits = BitArray.fromBitLen(a.committee_bits.bitLen);
      });
      rejects(atSlot(2), bad, BlockErrorCode.ATTESTATION_NO_COMMITTEES);
    });

    it("rejects a committee index beyond the slot's committees", () => {
      assert.equal(chain.head.epochCtx.getCommitteeCountPerSlot(0), 2);
      const bad = edited((a) => {
        a.committee_bits.set(2, true);
      });
      rejects(atSlot(2), bad, BlockErrorCode.ATTESTATION_BAD_COMMITTEE_INDEX);
    });

    it("rejects a named committee none of whose members attests", () => {
      const bad = edited((a) => {
        for (let i = 4; i < 8; i++) a.aggregation_bits.set(i, false);
      });
      rejects(atSlot(2), bad, BlockErrorCode.ATTESTATION_EMPTY_COMMITTEE);
    });

    it("rejects, in a block, an aggregate signature that is not the attesters'", () => {
      const bad = cloneAttestation(chain, att1);
      const block = cloneBlock(chain, chain.produceBlock(2)).message;
      bad.signature = block.body.randao_reveal;
      block.body.attestations = [bad];
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "attestation");
      assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
    });

    it("rejects, in a block, an attestation edited after it was signed", () => {
      const block = cloneBlock(chain, chain.produceBlock(2)).message;
      block.body.attestations = [
        edited((a) => {
          a.data.target.root = flipLast(a.data.target.root);
        }),
      ];
      const e = assertBlockRejected(
        chain.head,
        resignBlock(chain, block),
        BlockError,
        BlockErrorCode.INVALID_SIGNATURE,
      );
      assert.equal(e.data.kind, "attestation");
    });
  });

  it("sanity: the fixture votes for block 1 in epoch 0", () => {
    assert.deepEqual(att1.data.beacon_block_root, block1Root);
    assert.equal(att1.data.target.epoch, computeEpochAtSlot(chain.ctx, 1));
  });
});
