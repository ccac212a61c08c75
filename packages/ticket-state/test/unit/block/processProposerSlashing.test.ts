import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type BeaconBlockHeader,
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_BEACON_PROPOSER,
  FAR_FUTURE_EPOCH,
  type ProposerSlashing,
  processProposerSlashing,
  processSlotsCopy,
  sszTypes,
  stateTransition,
} from "@turnstile/ticket-state";
import { type DevChain, signObject } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertBlockRejected,
  assertRuleRejects,
  assertSetsVerify,
  cloneBlock,
  collecting,
  resignBlock,
} from "./helpers.ts";

function header(proposer: number, slot: number, tag: number): BeaconBlockHeader {
  return {
    slot,
    proposer_index: proposer,
    parent_root: new Uint8Array(32).fill(1),
    state_root: new Uint8Array(32).fill(2),
    body_root: new Uint8Array(32).fill(tag),
  };
}

function signHeader(
  chain: DevChain,
  cs: CachedBeaconState,
  message: BeaconBlockHeader,
  signer = message.proposer_index,
) {
  const epoch = computeEpochAtSlot(chain.ctx, message.slot);
  const signature = signObject(
    cs,
    chain.validatorKeys[signer],
    sszTypes.BeaconBlockHeader,
    message,
    DOMAIN_BEACON_PROPOSER,
    epoch,
  );
  return { message, signature };
}

/** Two different headers of `proposer` for the same slot, both signed by it. */
function doubleProposal(chain: DevChain, proposer: number, slot = 0): ProposerSlashing {
  return {
    signed_header_1: signHeader(chain, chain.head, header(proposer, slot, 3)),
    signed_header_2: signHeader(chain, chain.head, header(proposer, slot, 4)),
  };
}

describe("processProposerSlashing", () => {
  const chain = devChain();
  const {
    MIN_SLASHING_PENALTY_QUOTIENT,
    WHISTLEBLOWER_REWARD_QUOTIENT,
    EPOCHS_PER_SLASHINGS_VECTOR,
    MAX_SEED_LOOKAHEAD,
  } = chain.ctx.preset;
  const atSlot1 = () => processSlotsCopy(chain.head, 1);
  const whistleblower = atSlot1().epochCtx.getBeaconProposer(1);
  const culprit = (whistleblower + 1) % 64;

  describe("a valid slashing", () => {
    it("slashes the proposer, queues its exit, penalises it and rewards the block's proposer", () => {
      const cs = atSlot1();
      const effective = cs.state.validators.getReadonly(culprit).effective_balance;
      const culpritBalance = cs.state.balances.get(culprit);
      const proposerBalance = cs.state.balances.get(whistleblower);
      const bctx = collecting();

      processProposerSlashing(cs, doubleProposal(chain, culprit), bctx);

      const v = cs.state.validators.getReadonly(culprit);
      assert.equal(v.slashed, true);
      const exitEpoch = 0 + 1 + MAX_SEED_LOOKAHEAD;
      assert.equal(v.exit_epoch, exitEpoch);
      assert.equal(
        v.withdrawable_epoch,
        Math.max(exitEpoch + chain.ctx.config.MIN_VALIDATOR_WITHDRAWABILITY_DELAY, EPOCHS_PER_SLASHINGS_VECTOR),
      );
      assert.equal(cs.state.slashings.get(0), effective);
      assert.equal(
        cs.state.balances.get(culprit),
        culpritBalance - Math.floor(effective / MIN_SLASHING_PENALTY_QUOTIENT),
      );
      assert.equal(
        cs.state.balances.get(whistleblower),
        proposerBalance + Math.floor(effective / WHISTLEBLOWER_REWARD_QUOTIENT),
      );
      // Nobody else is touched
      const untouched = (i: number) => i !== culprit && i !== whistleblower;
      for (let i = 0; i < 64; i++) {
        if (untouched(i)) assert.equal(cs.state.validators.getReadonly(i).slashed, false);
      }

      assert.deepEqual(
        bctx.signatureSets.map((s) => s.kind),
        ["proposer_slashing_header", "proposer_slashing_header"],
      );
      assertSetsVerify(bctx.signatureSets);
    });

    it("imports in a block, signatures verified; the caller's state keeps the validator unslashed", () => {
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.proposer_slashings = [doubleProposal(chain, culprit)];
      const post = stateTransition(chain.head, resignBlock(chain, block));
      assert.equal(post.state.validators.getReadonly(culprit).slashed, true);
      assert.equal(chain.head.state.validators.getReadonly(culprit).slashed, false);
      assert.equal(chain.head.state.validators.getReadonly(culprit).exit_epoch, FAR_FUTURE_EPOCH);
    });
  });

  describe("invalid slashings", () => {
    it("rejects headers of different slots", () => {
      const cs = atSlot1();
      const slashing = {
        signed_header_1: signHeader(chain, cs, header(culprit, 0, 3)),
        signed_header_2: signHeader(chain, cs, header(culprit, 1, 4)),
      };
      assertRuleRejects(
        cs,
        () => processProposerSlashing(cs, slashing, collecting()),
        BlockError,
        BlockErrorCode.PROPOSER_SLASHING_SLOT_MISMATCH,
      );
    });

    it("rejects headers of different proposers", () => {
      const cs = atSlot1();
      const slashing = {
        signed_header_1: signHeader(chain, cs, header(culprit, 0, 3)),
        signed_header_2: signHeader(chain, cs, header(culprit + 1, 0, 4)),
      };
      assertRuleRejects(
        cs,
        () => processProposerSlashing(cs, slashing, collecting()),
        BlockError,
        BlockErrorCode.PROPOSER_SLASHING_PROPOSER_MISMATCH,
      );
    });

    it("rejects two identical headers", () => {
      const cs = atSlot1();
      const signed = signHeader(chain, cs, header(culprit, 0, 3));
      assertRuleRejects(
        cs,
        () => processProposerSlashing(cs, { signed_header_1: signed, signed_header_2: signed }, collecting()),
        BlockError,
        BlockErrorCode.PROPOSER_SLASHING_SAME_HEADER,
      );
    });

    it("rejects an unknown proposer index", () => {
      const cs = atSlot1();
      const slashing = {
        signed_header_1: { message: header(64, 0, 3), signature: new Uint8Array(96) },
        signed_header_2: { message: header(64, 0, 4), signature: new Uint8Array(96) },
      };
      assertRuleRejects(
        cs,
        () => processProposerSlashing(cs, slashing, collecting()),
        BlockError,
        BlockErrorCode.UNKNOWN_VALIDATOR,
      );
    });

    it("rejects a proposer already slashed", () => {
      const cs = atSlot1();
      processProposerSlashing(cs, doubleProposal(chain, culprit), collecting());
      assertRuleRejects(
        cs,
        () => processProposerSlashing(cs, doubleProposal(chain, culprit), collecting()),
        BlockError,
        BlockErrorCode.PROPOSER_NOT_SLASHABLE,
      );
    });

    it("rejects a proposer already withdrawable", () => {
      const cs = atSlot1();
      const v = cs.state.validators.get(culprit);
      v.exit_epoch = 0;
      v.withdrawable_epoch = 0;
      assertRuleRejects(
        cs,
        () => processProposerSlashing(cs, doubleProposal(chain, culprit), collecting()),
        BlockError,
        BlockErrorCode.PROPOSER_NOT_SLASHABLE,
      );
    });

    it("rejects, in a block, a second header not signed by the proposer", () => {
      const slashing = doubleProposal(chain, culprit);
      slashing.signed_header_2 = signHeader(chain, chain.head, slashing.signed_header_2.message, whistleblower);
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.proposer_slashings = [slashing];
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "proposer_slashing_header");
      assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
    });
  });
});
