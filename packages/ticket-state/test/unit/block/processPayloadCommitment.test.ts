import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockError,
  BlockErrorCode,
  type ExecutionPayloadCommitment,
  G2_POINT_AT_INFINITY,
  getRandaoMix,
  getTicketAssignment,
  hash,
  isSelfBuild,
  processPayloadCommitment,
  processSlotsCopy,
  SELF_BUILD_TICKET_ID,
  type SignedBeaconBlock,
  stateTransition,
  TicketError,
  TicketErrorCode,
  xorBytes,
  ZERO_HASH,
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
  mixBeforeReveal,
  type SecretKey,
  setPubkey,
  signCommitment,
  withCommitment,
} from "./helpers.ts";

/** The block's commitment replaced by `message` (signed by `sk`, or with `signature`), processed on its own. */
function processWith(
  chain: DevChain,
  produced: SignedBeaconBlock,
  message: ExecutionPayloadCommitment,
  sk: SecretKey | null,
  signature?: Uint8Array,
) {
  const cs = processSlotsCopy(chain.head, produced.message.slot);
  const block = cloneBlock(chain, produced).message;
  block.body.signed_payload_commitment = {
    message,
    signature: signature ?? (sk ? signCommitment(chain, cs, message, sk) : G2_POINT_AT_INFINITY),
  };
  const bctx = collecting();
  return { cs, block, bctx, run: () => processPayloadCommitment(cs, block, bctx) };
}

describe("processPayloadCommitment", () => {
  // Slots 1..8 have tickets drawn at genesis
  const tickets = devChain({}, { initialTicketsPerBuyer: 2 });
  const ticketBlock = tickets.produceBlock(1);
  const ticket = getTicketAssignment(tickets.ctx, processSlotsCopy(tickets.head, 1).state, 1);
  const holderKey = tickets.buyerKeys[ticket.owner];
  const intruderKey = tickets.buyerKeys[(ticket.owner + 1) % 4];
  const proposerKey = tickets.validatorKeys[ticketBlock.message.proposer_index];
  const committed = ticketBlock.message.body.signed_payload_commitment.message;
  const emptyCommitment = (): ExecutionPayloadCommitment => ({
    ...committed,
    block_hash: ZERO_HASH,
    prev_randao: ZERO_HASH,
    fee_recipient: new Uint8Array(20),
    gas_limit: 0,
  });

  // No ticket ever sold: every slot is self-built by its proposer
  const selfBuild = devChain();
  const selfBlock = selfBuild.produceBlock(1);
  const selfProposerKey = selfBuild.validatorKeys[selfBlock.message.proposer_index];
  const selfCommitment = (): ExecutionPayloadCommitment => ({
    ...selfBlock.message.body.signed_payload_commitment.message,
    ticket_id: SELF_BUILD_TICKET_ID,
  });

  describe("(a) the ticket holder's commitment", () => {
    it("is stored as the latest commitment, its signature checked against the owner's key", () => {
      const { cs, bctx, run } = processWith(tickets, ticketBlock, committed, holderKey);
      run();
      assert.deepEqual(cs.state.latest_payload_commitment.toValue(), committed);
      assert.equal(bctx.signatureSets.length, 1);
      assert.equal(bctx.signatureSets[0].kind, "payload_commitment");
      assert.deepEqual(setPubkey(bctx.signatureSets[0]), holderKey.toPublicKey().toBytes());
      assertSetsVerify(bctx.signatureSets);
      assert.doesNotThrow(() => stateTransition(tickets.head, ticketBlock));
    });

    it("rejects a commitment signed by another buyer", () => {
      const forged = withCommitment(tickets, ticketBlock, committed, intruderKey);
      const e = assertBlockRejected(tickets.head, forged, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "payload_commitment");
    });

    it("rejects the holder's commitment signed by the proposer instead", () => {
      const forged = withCommitment(tickets, ticketBlock, committed, proposerKey);
      const e = assertBlockRejected(tickets.head, forged, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "payload_commitment");
    });

    it("rejects a proposer self-building while a ticket is assigned", () => {
      const { cs, run } = processWith(
        tickets,
        ticketBlock,
        { ...committed, ticket_id: SELF_BUILD_TICKET_ID },
        proposerKey,
      );
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_SELF_BUILD_WITH_TICKET);
    });

    it("rejects a commitment naming another ticket than the slot's", () => {
      const { cs, run } = processWith(
        tickets,
        ticketBlock,
        { ...committed, ticket_id: ticket.ticket_id + 1 },
        holderKey,
      );
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_TICKET);
    });
  });

  describe("checks common to every form", () => {
    it("rejects a commitment for another slot", () => {
      const { cs, run } = processWith(tickets, ticketBlock, { ...committed, slot: 2 }, holderKey);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_SLOT);
    });

    it("rejects a parent hash other than latest_block_hash", () => {
      const message = { ...committed, parent_block_hash: flipLast(committed.parent_block_hash) };
      const { cs, run } = processWith(tickets, ticketBlock, message, holderKey);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_PARENT_HASH);
      // and as a whole block
      const signed = withCommitment(tickets, ticketBlock, message, holderKey);
      assertBlockRejected(tickets.head, signed, TicketError, TicketErrorCode.COMMITMENT_WRONG_PARENT_HASH);
    });

    it("rejects a parent root other than the block's parent", () => {
      const message = { ...committed, parent_block_root: flipLast(committed.parent_block_root) };
      const { cs, run } = processWith(tickets, ticketBlock, message, holderKey);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_PARENT_ROOT);
    });

    it("rejects an empty commitment that also fails the slot check", () => {
      const { cs, run } = processWith(tickets, ticketBlock, { ...emptyCommitment(), slot: 0 }, null);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_SLOT);
    });
  });

  describe("prev_randao: the mix before the block's reveal", () => {
    it("is what an honest commitment names (the RANDAO mix of the state before process_randao)", () => {
      assert.deepEqual(committed.prev_randao, mixBeforeReveal(tickets, 1));
      const post = stateTransition(tickets.head, ticketBlock);
      assert.deepEqual(post.state.latest_payload_commitment.prev_randao, mixBeforeReveal(tickets, 1));
      assert.notDeepEqual(
        getRandaoMix(tickets.ctx, post.state, 0),
        committed.prev_randao,
        "the block's reveal changes the mix after the commitment is checked",
      );
    });

    it("rejects the mix with this block's reveal already mixed in", () => {
      const afterReveal = xorBytes(committed.prev_randao, hash(ticketBlock.message.body.randao_reveal));
      const message = { ...committed, prev_randao: afterReveal };
      const { cs, run } = processWith(tickets, ticketBlock, message, holderKey);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_PREV_RANDAO);
      const signed = withCommitment(tickets, ticketBlock, message, holderKey);
      assertBlockRejected(tickets.head, signed, TicketError, TicketErrorCode.COMMITMENT_WRONG_PREV_RANDAO);
    });

    it("rejects a self-build commitment naming another mix", () => {
      const message = { ...selfCommitment(), prev_randao: flipLast(selfCommitment().prev_randao) };
      const { cs, run } = processWith(selfBuild, selfBlock, message, selfProposerKey);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_PREV_RANDAO);
    });
  });

  describe("(c) the empty commitment", () => {
    it("is accepted in its canonical form, with no signature to check", () => {
      const { cs, bctx, run } = processWith(tickets, ticketBlock, emptyCommitment(), null);
      run();
      assert.deepEqual(cs.state.latest_payload_commitment.block_hash, ZERO_HASH);
      assert.equal(cs.state.latest_payload_commitment.ticket_id, ticket.ticket_id);
      assert.equal(bctx.signatureSets.length, 0);
      // The proposer's own produce path (holder withheld) imports too
      assert.doesNotThrow(() => stateTransition(tickets.head, tickets.produceBlock(1, { withholdCommitment: true })));
    });

    for (const [what, edit] of [
      ["a fee recipient", (m: ExecutionPayloadCommitment) => ({ ...m, fee_recipient: new Uint8Array(20).fill(1) })],
      ["a gas limit", (m: ExecutionPayloadCommitment) => ({ ...m, gas_limit: 1 })],
      ["a prev_randao", (m: ExecutionPayloadCommitment) => ({ ...m, prev_randao: committed.prev_randao })],
      ["another ticket", (m: ExecutionPayloadCommitment) => ({ ...m, ticket_id: ticket.ticket_id + 1 })],
      ["the self-build ticket id", (m: ExecutionPayloadCommitment) => ({ ...m, ticket_id: SELF_BUILD_TICKET_ID })],
    ] as const) {
      it(`rejects an empty commitment with ${what}`, () => {
        const { cs, run } = processWith(tickets, ticketBlock, edit(emptyCommitment()), null);
        assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_EMPTY_NOT_CANONICAL);
      });
    }

    it("rejects an empty commitment carrying a real signature instead of the infinity point", () => {
      const { cs, run } = processWith(tickets, ticketBlock, emptyCommitment(), holderKey);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_EMPTY_NOT_CANONICAL);
      const signed = withCommitment(tickets, ticketBlock, emptyCommitment(), holderKey);
      assertBlockRejected(tickets.head, signed, TicketError, TicketErrorCode.COMMITMENT_EMPTY_NOT_CANONICAL);
    });
  });

  describe("(b) self-build, no ticket assigned", () => {
    it("an empty pool leaves the slot without a ticket", () => {
      const assigned = getTicketAssignment(selfBuild.ctx, processSlotsCopy(selfBuild.head, 1).state, 1);
      assert.ok(isSelfBuild(assigned), `slot 1 should be self-built, found ticket ${assigned.ticket_id}`);
    });

    it("accepts the proposer's commitment, signature checked against the proposer's key", () => {
      const { cs, bctx, run } = processWith(selfBuild, selfBlock, selfCommitment(), selfProposerKey);
      run();
      assert.equal(cs.state.latest_payload_commitment.ticket_id, SELF_BUILD_TICKET_ID);
      assert.deepEqual(setPubkey(bctx.signatureSets[0]), selfProposerKey.toPublicKey().toBytes());
      assertSetsVerify(bctx.signatureSets);
    });

    it("rejects a self-build commitment signed by someone else than the proposer", () => {
      const forged = withCommitment(selfBuild, selfBlock, selfCommitment(), selfBuild.buyerKeys[0]);
      const e = assertBlockRejected(selfBuild.head, forged, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "payload_commitment");
    });

    it("rejects a commitment naming a ticket when none is assigned (buyer 0 cannot take the slot as 'ticket 0')", () => {
      const message = { ...selfCommitment(), ticket_id: 0 };
      const { cs, run } = processWith(selfBuild, selfBlock, message, selfBuild.buyerKeys[0]);
      assertRuleRejects(cs, run, TicketError, TicketErrorCode.COMMITMENT_WRONG_TICKET);
    });

    it("accepts the canonical empty commitment (the proposer builds nothing)", () => {
      const message = {
        ...selfCommitment(),
        block_hash: ZERO_HASH,
        prev_randao: ZERO_HASH,
        fee_recipient: new Uint8Array(20),
        gas_limit: 0,
      };
      const { cs, run } = processWith(selfBuild, selfBlock, message, null);
      run();
      assert.deepEqual(cs.state.latest_payload_commitment.block_hash, ZERO_HASH);
    });
  });
});
