import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type BeaconBlock,
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  DOMAIN_RANDAO,
  getRandaoMix,
  hash,
  processBlockHeader,
  processRandao,
  processSlotsCopy,
  sszTypes,
  stateTransition,
  xorBytes,
  ZERO_HASH,
} from "@turnstile/ticket-state";
import { signObject } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertBlockRejected,
  assertNamesFirstBadSet,
  assertRuleRejects,
  assertSetsVerify,
  cloneBlock,
  collecting,
  flipLast,
  resignBlock,
  setPubkey,
} from "./helpers.ts";

describe("processBlockHeader", () => {
  const chain = devChain();
  const produced = chain.produceBlock(1);
  const proposer = produced.message.proposer_index;
  const atSlot1 = () => processSlotsCopy(chain.head, 1);
  const edited = (edit: (b: BeaconBlock) => void) => {
    const block = cloneBlock(chain, produced).message;
    edit(block);
    return block;
  };
  const rejects = (cs: CachedBeaconState, block: BeaconBlock, code: BlockErrorCode) =>
    assertRuleRejects(cs, () => processBlockHeader(cs, block), BlockError, code);

  it("caches the block's header with a zero state root (filled in by the next process_slot)", () => {
    const cs = atSlot1();
    const parentRoot = cs.state.latest_block_header.hashTreeRoot();
    processBlockHeader(cs, produced.message);
    assert.deepEqual(cs.state.latest_block_header.toValue(), {
      slot: 1,
      proposer_index: proposer,
      parent_root: parentRoot,
      state_root: ZERO_HASH,
      body_root: chain.ctx.ssz.BeaconBlockBody.hashTreeRoot(produced.message.body),
    });
    assert.deepEqual(produced.message.parent_root, parentRoot);
  });

  it("rejects a block for another slot than the state's", () => {
    rejects(
      atSlot1(),
      edited((b) => {
        b.slot = 2;
      }),
      BlockErrorCode.SLOT_MISMATCH,
    );
  });

  it("rejects a second block for the slot of the latest header", () => {
    const post = stateTransition(chain.head, produced);
    rejects(post.clone(), produced.message, BlockErrorCode.NOT_NEWER_THAN_LATEST_HEADER);
  });

  it("rejects a block from a validator that is not the slot's proposer", () => {
    const e = rejects(
      atSlot1(),
      edited((b) => {
        b.proposer_index = (proposer + 1) % 64;
      }),
      BlockErrorCode.WRONG_PROPOSER,
    );
    assert.equal(e.data.expectedProposer, proposer);
  });

  it("rejects a parent root other than the latest header's", () => {
    rejects(
      atSlot1(),
      edited((b) => {
        b.parent_root = flipLast(b.parent_root);
      }),
      BlockErrorCode.PARENT_ROOT_MISMATCH,
    );
  });

  it("rejects a block from a slashed proposer, and the whole block leaves the state unchanged", () => {
    const cs = atSlot1();
    cs.state.validators.get(proposer).slashed = true;
    rejects(cs, produced.message, BlockErrorCode.PROPOSER_SLASHED);
    // A pre-state where the proposer is slashed (so the block's parent, the genesis header, has another root)
    const pre = chain.head.clone();
    pre.state.validators.get(proposer).slashed = true;
    const block = edited((b) => {
      b.parent_root = processSlotsCopy(pre, 1).state.latest_block_header.hashTreeRoot();
    });
    assertBlockRejected(pre, resignBlock(chain, block, pre), BlockError, BlockErrorCode.PROPOSER_SLASHED);
  });

  it("rejects, through stateTransition, a block whose slot is not after the state's", () => {
    const post = stateTransition(chain.head, produced);
    assertBlockRejected(post, produced, BlockError, BlockErrorCode.SLOT_NOT_IN_FUTURE);
  });

  it("rejects, through stateTransition, a block naming another proposer even when that validator signs it", () => {
    const block = edited((b) => {
      b.proposer_index = (proposer + 1) % 64;
    });
    assertBlockRejected(chain.head, resignBlock(chain, block), BlockError, BlockErrorCode.WRONG_PROPOSER);
  });
});

describe("processRandao", () => {
  const chain = devChain();
  const produced = chain.produceBlock(1);
  const proposer = produced.message.proposer_index;

  it("mixes the hash of the reveal into the current epoch's mix and checks the reveal against the proposer", () => {
    const cs = processSlotsCopy(chain.head, 1);
    const before = getRandaoMix(chain.ctx, cs.state, 0);
    const nextEpochMix = getRandaoMix(chain.ctx, cs.state, 1);
    const bctx = collecting();
    processRandao(cs, produced.message, bctx);
    assert.deepEqual(getRandaoMix(chain.ctx, cs.state, 0), xorBytes(before, hash(produced.message.body.randao_reveal)));
    assert.deepEqual(getRandaoMix(chain.ctx, cs.state, 1), nextEpochMix, "other epochs' mixes are untouched");
    assert.equal(bctx.signatureSets.length, 1);
    assert.equal(bctx.signatureSets[0].kind, "randao_reveal");
    assert.deepEqual(setPubkey(bctx.signatureSets[0]), chain.validatorKeys[proposer].toPublicKey().toBytes());
    assertSetsVerify(bctx.signatureSets);
  });

  for (const [what, epoch, signer] of [
    ["signed over another epoch", 1, 0],
    ["signed by another validator", 0, 1],
  ] as const) {
    it(`rejects, in a block, a reveal ${what}`, () => {
      const block = cloneBlock(chain, produced).message;
      block.body.randao_reveal = signObject(
        chain.head,
        chain.validatorKeys[(proposer + signer) % 64],
        sszTypes.Epoch,
        epoch,
        DOMAIN_RANDAO,
        epoch,
      );
      const signed = resignBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assertNamesFirstBadSet(chain.head, signed, e, "randao_reveal");
    });
  }
});
