import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CachedBeaconState,
  EnvelopeError,
  EnvelopeErrorCode,
  type ExecutionPayloadCommitment,
  G2_POINT_AT_INFINITY,
  getTicketAssignment,
  processSlotsCopy,
  SELF_BUILD_TICKET_ID,
  type SignatureSet,
  type SignedExecutionPayloadEnvelope,
  stateTransition,
  stateTransitionEnvelope,
  verifySignatureSets,
  ZERO_HASH,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertThrowsCode,
  blockCommittingTo,
  flipLast,
  honestPayload,
  makeEnvelope,
  mixBeforeReveal,
  resignEnvelope,
  withCommitment,
} from "./helpers.ts";

/** Apply the envelope to a copy of `post`; assert the error code and that `post` is unchanged. */
function assertEnvelopeRejected(
  chain: DevChain,
  post: CachedBeaconState,
  envelope: SignedExecutionPayloadEnvelope,
  code: EnvelopeErrorCode,
): EnvelopeError {
  const before = post.hashTreeRoot();
  const e = assertThrowsCode(() => stateTransitionEnvelope(post, envelope, chain.engine), EnvelopeError, code);
  assert.deepEqual(post.hashTreeRoot(), before, "a rejected envelope must leave the caller's state unchanged");
  return e;
}

describe("processExecutionPayload", () => {
  // Slot 1 has a ticket drawn at genesis: the holder commits and reveals
  const chain = devChain({}, { initialTicketsPerBuyer: 2 });
  const honest = blockCommittingTo(chain);
  const { post, blockRoot, payload } = honest;
  const holder = getTicketAssignment(chain.ctx, post.state, 1).owner;
  const envelope = makeEnvelope(chain, post, blockRoot, payload);
  const proposerKey = chain.validatorKeys[honest.signed.message.proposer_index];

  /** The honest envelope with `edit` applied to a copy of its message, re-signed by the holder. */
  const edited = (edit: (m: SignedExecutionPayloadEnvelope["message"]) => void) => {
    const message = chain.ctx.ssz.ExecutionPayloadEnvelope.clone(envelope.message);
    edit(message);
    return resignEnvelope(chain, post, message, chain.buyerKeys[holder]);
  };

  describe("a valid envelope", () => {
    it("sets latest_block_hash and the slot's availability bit, and its state root is the post-state's", () => {
      assert.equal(post.state.execution_payload_availability.get(1), false);
      const rootBefore = post.hashTreeRoot();
      const revealed = stateTransitionEnvelope(post, envelope, chain.engine);
      assert.deepEqual(revealed.state.latest_block_hash, payload.block_hash);
      assert.equal(revealed.state.execution_payload_availability.get(1), true);
      assert.deepEqual(revealed.hashTreeRoot(), envelope.message.state_root);
      // The block header now carries the post-block state root, so the envelope names the block by its final root
      assert.deepEqual(revealed.state.latest_block_header.state_root, rootBefore);
      assert.deepEqual(revealed.state.latest_block_header.hashTreeRoot(), blockRoot);
      // The caller's post-block state is untouched
      assert.deepEqual(post.hashTreeRoot(), rootBefore);
      assert.notDeepEqual(post.state.latest_block_hash, payload.block_hash);
    });

    it("is what DevChain itself produces and imports", () => {
      const c = devChain({}, { initialTicketsPerBuyer: 2 });
      const result = c.advance();
      assert.ok(result.envelope);
      assert.deepEqual(c.head.state.latest_block_hash, result.envelope.message.payload.block_hash);
      assert.equal(c.head.state.execution_payload_availability.get(1), true);
    });
  });

  describe("invalid envelopes", () => {
    it("rejects an envelope for another beacon block", () => {
      const bad = edited((m) => {
        m.beacon_block_root = flipLast(m.beacon_block_root);
      });
      assertEnvelopeRejected(chain, post, bad, EnvelopeErrorCode.WRONG_BLOCK_ROOT);
    });

    it("rejects an envelope naming another slot", () => {
      const bad = edited((m) => {
        m.slot = 2;
      });
      assertEnvelopeRejected(chain, post, bad, EnvelopeErrorCode.WRONG_SLOT);
    });

    it("rejects an envelope arriving after its slot has passed", () => {
      const late = processSlotsCopy(post, 2);
      assertEnvelopeRejected(chain, late, envelope, EnvelopeErrorCode.WRONG_SLOT);
    });

    it("rejects an envelope after an empty commitment", () => {
      const empty = chain.produceBlock(1, { withholdCommitment: true });
      const emptyPost = stateTransition(chain.head, empty);
      const root = chain.ctx.ssz.BeaconBlock.hashTreeRoot(empty.message);
      const env = makeEnvelope(chain, emptyPost, root, honestPayload(chain, empty));
      assertEnvelopeRejected(chain, emptyPost, env, EnvelopeErrorCode.NO_PAYLOAD_COMMITTED);
    });

    it("rejects a replayed envelope", () => {
      const revealed = stateTransitionEnvelope(post, envelope, chain.engine);
      assertEnvelopeRejected(chain, revealed, envelope, EnvelopeErrorCode.ALREADY_REVEALED);
    });

    it("rejects an envelope naming another ticket", () => {
      const bad = edited((m) => {
        m.ticket_id += 1;
      });
      assertEnvelopeRejected(chain, post, bad, EnvelopeErrorCode.WRONG_TICKET);
    });

    it("rejects a payload whose hash differs from the committed one", () => {
      const bad = edited((m) => {
        m.payload.transactions = m.payload.transactions.slice(1);
        m.payload.block_hash = chain.engine.computeBlockHash(m.payload);
      });
      const e = assertEnvelopeRejected(chain, post, bad, EnvelopeErrorCode.BLOCK_HASH_MISMATCH);
      assert.notEqual(e.data.blockHash, e.data.committed);
    });

    it("rejects an envelope signed by the proposer instead of the ticket holder", () => {
      const bad = resignEnvelope(chain, post, envelope.message, proposerKey);
      assertEnvelopeRejected(chain, post, bad, EnvelopeErrorCode.INVALID_SIGNATURE);
    });

    it("rejects an envelope signed by another buyer", () => {
      const bad = resignEnvelope(chain, post, envelope.message, chain.buyerKeys[(holder + 1) % 4]);
      assertEnvelopeRejected(chain, post, bad, EnvelopeErrorCode.INVALID_SIGNATURE);
    });

    it("rejects a state root other than the post-envelope state's", () => {
      const bad = edited((m) => {
        m.state_root = flipLast(m.state_root);
      });
      const e = assertEnvelopeRejected(chain, post, bad, EnvelopeErrorCode.STATE_ROOT_MISMATCH);
      assert.equal(e.data.stateRoot === e.data.expected, false);
    });

    // The holder committed to a bad payload: the commitment imports, the reveal cannot
    const committedTo = (
      edit: Parameters<typeof blockCommittingTo>[1],
      opts?: { rehash?: boolean; commitment?: Partial<ExecutionPayloadCommitment> },
    ) => {
      const c = blockCommittingTo(chain, edit, opts);
      return { post: c.post, envelope: makeEnvelope(chain, c.post, c.blockRoot, c.payload) };
    };

    it("rejects a payload that does not extend latest_block_hash", () => {
      const c = committedTo((p) => {
        p.parent_hash = flipLast(p.parent_hash);
      });
      assertEnvelopeRejected(chain, c.post, c.envelope, EnvelopeErrorCode.PARENT_HASH_MISMATCH);
    });

    it("rejects a fee recipient other than the committed one", () => {
      const c = committedTo(() => {}, { commitment: { fee_recipient: new Uint8Array(20).fill(0xcc) } });
      assertEnvelopeRejected(chain, c.post, c.envelope, EnvelopeErrorCode.FEE_RECIPIENT_MISMATCH);
    });

    it("rejects a gas limit other than the committed one", () => {
      const c = committedTo(() => {}, { commitment: { gas_limit: 1 } });
      assertEnvelopeRejected(chain, c.post, c.envelope, EnvelopeErrorCode.GAS_LIMIT_MISMATCH);
    });

    it("rejects a payload prev_randao other than the committed one", () => {
      // The commitment names the right mix, the payload (whose hash was committed) another one
      const c = committedTo(
        (p) => {
          p.prev_randao = flipLast(p.prev_randao);
        },
        { commitment: { prev_randao: mixBeforeReveal(chain, 1) } },
      );
      assertEnvelopeRejected(chain, c.post, c.envelope, EnvelopeErrorCode.WRONG_PREV_RANDAO);
    });

    it("rejects a timestamp other than the slot's", () => {
      const c = committedTo((p) => {
        p.timestamp += 1;
      });
      const e = assertEnvelopeRejected(chain, c.post, c.envelope, EnvelopeErrorCode.WRONG_TIMESTAMP);
      assert.equal(e.data.expected, chain.ctx.config.SECONDS_PER_SLOT);
    });

    it("rejects a payload the execution engine finds invalid", () => {
      const c = committedTo((p) => {
        p.gas_used = p.gas_limit + 1;
      });
      assertEnvelopeRejected(chain, c.post, c.envelope, EnvelopeErrorCode.EXECUTION_INVALID);
    });

    it("rejects a payload whose block hash is not the hash of its contents", () => {
      const c = committedTo(
        (p) => {
          p.extra_data = Uint8Array.from([1]);
        },
        { rehash: false },
      );
      assertEnvelopeRejected(chain, c.post, c.envelope, EnvelopeErrorCode.EXECUTION_INVALID);
    });
  });

  describe("a self-built slot", () => {
    const selfBuild = devChain();
    const produced = selfBuild.produceBlock(1);
    const commitment = produced.message.body.signed_payload_commitment.message;
    const selfPost = stateTransition(selfBuild.head, produced);
    const root = selfBuild.ctx.ssz.BeaconBlock.hashTreeRoot(produced.message);
    const proposer = produced.message.proposer_index;

    it("is revealed in an envelope signed by the proposer", () => {
      assert.equal(commitment.ticket_id, SELF_BUILD_TICKET_ID);
      const env = selfBuild.produceEnvelope(selfPost, root, commitment);
      const revealed = stateTransitionEnvelope(selfPost, env, selfBuild.engine);
      assert.deepEqual(revealed.state.latest_block_hash, commitment.block_hash);
      // and not one signed by a buyer
      const forged = resignEnvelope(selfBuild, selfPost, env.message, selfBuild.buyerKeys[0]);
      assertEnvelopeRejected(selfBuild, selfPost, forged, EnvelopeErrorCode.INVALID_SIGNATURE);
      // nor by another validator
      const other = resignEnvelope(selfBuild, selfPost, env.message, selfBuild.validatorKeys[(proposer + 1) % 64]);
      assertEnvelopeRejected(selfBuild, selfPost, other, EnvelopeErrorCode.INVALID_SIGNATURE);
    });

    it("the proposer's empty commitment leaves nothing to reveal", () => {
      const emptyMessage = {
        ...commitment,
        block_hash: ZERO_HASH,
        prev_randao: ZERO_HASH,
        fee_recipient: new Uint8Array(20),
        gas_limit: 0,
      };
      const empty = withCommitment(selfBuild, produced, emptyMessage, null, G2_POINT_AT_INFINITY);
      const emptyPost = stateTransition(selfBuild.head, empty);
      const emptyRoot = selfBuild.ctx.ssz.BeaconBlock.hashTreeRoot(empty.message);
      const env = makeEnvelope(selfBuild, emptyPost, emptyRoot, honestPayload(selfBuild, empty, 0xaa));
      assertEnvelopeRejected(selfBuild, emptyPost, env, EnvelopeErrorCode.NO_PAYLOAD_COMMITTED);
    });
  });

  describe("deferSignatures", () => {
    it("hands over the holder's set instead of verifying it, and only once every other check passed", () => {
      const sets: SignatureSet[] = [];
      stateTransitionEnvelope(post, envelope, chain.engine, { deferSignatures: sets });
      assert.equal(sets.length, 1);
      assert.equal(sets[0].kind, "execution_payload_envelope");
      assert.equal(verifySignatureSets(sets), -1);

      const forged = { ...envelope, signature: honest.signed.signature };
      const forgedSets: SignatureSet[] = [];
      stateTransitionEnvelope(post, forged, chain.engine, { deferSignatures: forgedSets });
      assert.equal(verifySignatureSets(forgedSets), 0);

      const wrongRoot = edited((m) => {
        m.state_root = flipLast(m.state_root);
      });
      const none: SignatureSet[] = [];
      assert.throws(
        () => stateTransitionEnvelope(post, wrongRoot, chain.engine, { deferSignatures: none }),
        EnvelopeError,
      );
      assert.equal(none.length, 0);
    });
  });
});
