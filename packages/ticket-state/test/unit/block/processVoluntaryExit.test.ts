import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockError,
  BlockErrorCode,
  CachedBeaconState,
  DOMAIN_VOLUNTARY_EXIT,
  FAR_FUTURE_EPOCH,
  processSlotsCopy,
  processVoluntaryExit,
  type SignedVoluntaryExit,
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

function signExit(chain: DevChain, validatorIndex: number, epoch = 0, signer = validatorIndex): SignedVoluntaryExit {
  const message = { epoch, validator_index: validatorIndex };
  const signature = signObject(
    chain.head,
    chain.validatorKeys[signer],
    sszTypes.VoluntaryExit,
    message,
    DOMAIN_VOLUNTARY_EXIT,
    epoch,
  );
  return { message, signature };
}

describe("processVoluntaryExit", () => {
  // Validators may exit at once when SHARD_COMMITTEE_PERIOD is 0
  const chain = devChain({ SHARD_COMMITTEE_PERIOD: 0 });
  const atSlot1 = () => processSlotsCopy(chain.head, 1);
  const { MAX_SEED_LOOKAHEAD } = chain.ctx.preset;
  const { MIN_VALIDATOR_WITHDRAWABILITY_DELAY } = chain.ctx.config;
  const firstExitEpoch = 0 + 1 + MAX_SEED_LOOKAHEAD;
  const rejects = (cs: CachedBeaconState, exit: SignedVoluntaryExit, code: BlockErrorCode) =>
    assertRuleRejects(cs, () => processVoluntaryExit(cs, exit, collecting()), BlockError, code);

  describe("valid exits", () => {
    it("queues the exit at the activation-exit epoch; nothing else changes", () => {
      const cs = atSlot1();
      const balance = cs.state.balances.get(5);
      const bctx = collecting();
      processVoluntaryExit(cs, signExit(chain, 5), bctx);
      const v = cs.state.validators.getReadonly(5);
      assert.equal(v.exit_epoch, firstExitEpoch);
      assert.equal(v.withdrawable_epoch, firstExitEpoch + MIN_VALIDATOR_WITHDRAWABILITY_DELAY);
      assert.equal(v.slashed, false);
      assert.equal(cs.state.balances.get(5), balance);
      assert.equal(cs.state.validators.getReadonly(6).exit_epoch, FAR_FUTURE_EPOCH);
      assert.equal(bctx.signatureSets.length, 1);
      assert.equal(bctx.signatureSets[0].kind, "voluntary_exit");
      assertSetsVerify(bctx.signatureSets);
    });

    it("respects the churn limit: the third exit of an epoch goes to the next epoch", () => {
      const cs = atSlot1();
      assert.equal(cs.epochCtx.churnLimit, 2);
      for (const i of [5, 6, 7]) processVoluntaryExit(cs, signExit(chain, i), collecting());
      assert.deepEqual(
        [5, 6, 7].map((i) => cs.state.validators.getReadonly(i).exit_epoch),
        [firstExitEpoch, firstExitEpoch, firstExitEpoch + 1],
      );
    });

    it("imports in a block with its signature verified; the caller's state is unchanged", () => {
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.voluntary_exits = [signExit(chain, 5)];
      const post = stateTransition(chain.head, resignBlock(chain, block));
      assert.equal(post.state.validators.getReadonly(5).exit_epoch, firstExitEpoch);
      assert.equal(chain.head.state.validators.getReadonly(5).exit_epoch, FAR_FUTURE_EPOCH);
    });

    it("works on a state loaded from bytes (FAR_FUTURE_EPOCH survives serialization)", () => {
      const cs = atSlot1();
      const loaded = CachedBeaconState.fromBytes(chain.ctx, cs.serialize());
      assert.equal(loaded.state.validators.getReadonly(5).exit_epoch, FAR_FUTURE_EPOCH);
      processVoluntaryExit(loaded, signExit(chain, 5), collecting());
      assert.equal(loaded.state.validators.getReadonly(5).exit_epoch, firstExitEpoch);
    });

    it("is allowed exactly SHARD_COMMITTEE_PERIOD epochs after activation", () => {
      const c = devChain({ SHARD_COMMITTEE_PERIOD: 1 });
      rejects(processSlotsCopy(c.head, 7), signExit(c, 5), BlockErrorCode.EXIT_TOO_YOUNG);
      const cs = processSlotsCopy(c.head, 8);
      processVoluntaryExit(cs, signExit(c, 5), collecting());
      assert.notEqual(cs.state.validators.getReadonly(5).exit_epoch, FAR_FUTURE_EPOCH);
    });
  });

  describe("invalid exits", () => {
    it("rejects a validator younger than SHARD_COMMITTEE_PERIOD (default config)", () => {
      const young = devChain();
      const e = rejects(processSlotsCopy(young.head, 1), signExit(young, 5), BlockErrorCode.EXIT_TOO_YOUNG);
      assert.equal(e.data.activationEpoch, 0);
    });

    it("rejects a validator already exiting", () => {
      const cs = atSlot1();
      processVoluntaryExit(cs, signExit(chain, 5), collecting());
      rejects(cs, signExit(chain, 5), BlockErrorCode.EXIT_ALREADY_EXITING);
    });

    it("rejects an exit for a future epoch", () => {
      rejects(atSlot1(), signExit(chain, 5, 1), BlockErrorCode.EXIT_NOT_YET_VALID);
    });

    it("rejects an unknown validator", () => {
      const exit = { message: { epoch: 0, validator_index: 64 }, signature: new Uint8Array(96) };
      rejects(atSlot1(), exit, BlockErrorCode.UNKNOWN_VALIDATOR);
    });

    it("rejects a validator not yet active", () => {
      const cs = atSlot1();
      cs.state.validators.get(5).activation_epoch = 3;
      rejects(cs, signExit(chain, 5), BlockErrorCode.EXIT_NOT_ACTIVE);
    });

    it("rejects a validator already exited", () => {
      const cs = atSlot1();
      cs.state.validators.get(5).exit_epoch = 0;
      rejects(cs, signExit(chain, 5), BlockErrorCode.EXIT_NOT_ACTIVE);
    });

    it("rejects, in a block, an exit signed by another validator", () => {
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.voluntary_exits = [signExit(chain, 5, 0, 6)];
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "voluntary_exit");
      assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
    });

    it("rejects, in a block, a second exit of the same validator", () => {
      const block = cloneBlock(chain, chain.produceBlock(1)).message;
      block.body.voluntary_exits = [signExit(chain, 5), signExit(chain, 5)];
      assertBlockRejected(chain.head, resignBlock(chain, block), BlockError, BlockErrorCode.EXIT_ALREADY_EXITING);
    });
  });
});
