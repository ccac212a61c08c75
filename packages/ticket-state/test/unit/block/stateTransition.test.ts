import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type BeaconBlock,
  BlockError,
  BlockErrorCode,
  computeSigningRoot,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_TICKET_PURCHASE,
  DOMAIN_TICKET_TRANSFER,
  getDomain,
  processSlotsCopy,
  type SignatureSet,
  type SignedBeaconBlock,
  sszTypes,
  stateTransition,
  toHex,
  verifySignatureSets,
} from "@turnstile/ticket-state";
import { signObject } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import {
  assertBlockRejected,
  assertNamesFirstBadSet,
  cloneBlock,
  flipLast,
  resignBlock,
  signBlock,
} from "./helpers.ts";

describe("stateTransition", () => {
  // Slot 1 imported, so that the block of slot 2 carries one attestation; tickets pooled for a transfer
  const chain = devChain({}, { initialTicketsPerBuyer: 3 });
  chain.advance();
  const price = processSlotsCopy(chain.head, 2).state.ticket_price;
  const pooled = chain.head.state.ticket_pool.getReadonly(0).toValue();
  const purchase = chain.signPurchase(2, 1, price);
  const transfer = chain.signTransfer(pooled.ticket_id, pooled.owner, (pooled.owner + 1) % 4);
  const busy = chain.produceBlock(2, { purchases: [purchase], transfers: [transfer] });
  const edited = (edit: (b: BeaconBlock) => void): BeaconBlock => {
    const block = cloneBlock(chain, busy).message;
    edit(block);
    return block;
  };

  it("imports a valid block: the post-state root is the block's, the caller's state is unchanged", () => {
    assert.equal(busy.message.body.attestations.length, 1);
    const rootBefore = chain.head.hashTreeRoot();
    const post = stateTransition(chain.head, busy);
    assert.equal(post.state.slot, 2);
    assert.deepEqual(post.hashTreeRoot(), busy.message.state_root);
    assert.equal(post.state.buyers.getReadonly(2).nonce, 1);
    assert.deepEqual(chain.head.hashTreeRoot(), rootBefore);
    assert.equal(chain.head.state.slot, 1);
    assert.equal(chain.head.state.buyers.getReadonly(2).nonce, 0);
  });

  it("advances through empty slots to the block's slot", () => {
    const later = chain.produceBlock(4);
    const post = stateTransition(chain.head, later);
    assert.equal(post.state.slot, 4);
    assert.deepEqual(post.hashTreeRoot(), later.message.state_root);
  });

  describe("the batch signature check names the set that failed", () => {
    const cases: [string, (b: BeaconBlock) => void, string][] = [
      [
        "a transfer signed by another buyer",
        (b) => {
          b.body.ticket_transfers[0].signature = signObject(
            chain.head,
            chain.buyerKeys[(pooled.owner + 2) % 4],
            sszTypes.TicketTransfer,
            transfer.message,
            DOMAIN_TICKET_TRANSFER,
            0,
          );
        },
        "ticket_transfer",
      ],
      [
        "a purchase with a transfer's signature",
        (b) => {
          b.body.ticket_purchases[0].signature = transfer.signature;
        },
        "ticket_purchase",
      ],
      [
        "an attestation with the RANDAO reveal as its signature",
        (b) => {
          b.body.attestations[0].signature = b.body.randao_reveal;
        },
        "attestation",
      ],
    ];
    for (const [what, edit, kind] of cases) {
      it(`${what}: ${kind}`, () => {
        const signed = resignBlock(chain, edited(edit));
        const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.INVALID_SIGNATURE);
        assertNamesFirstBadSet(chain.head, signed, e, kind);
        // The block is otherwise valid
        assert.doesNotThrow(() => stateTransition(chain.head, signed, { verifySignatures: false }));
      });
    }

    it("two bad sets: the first in batch order is named", () => {
      const block = edited((b) => {
        b.body.ticket_transfers[0].signature = b.body.randao_reveal;
        b.body.ticket_purchases[0].signature = signObject(
          chain.head,
          chain.buyerKeys[3],
          sszTypes.TicketPurchase,
          purchase.message,
          DOMAIN_TICKET_PURCHASE,
          0,
        );
      });
      const e = assertBlockRejected(
        chain.head,
        resignBlock(chain, block),
        BlockError,
        BlockErrorCode.INVALID_SIGNATURE,
      );
      assert.equal(e.data.kind, "ticket_purchase");
    });

    it("a block signed by another validator: block_proposer", () => {
      const other: SignedBeaconBlock = {
        message: busy.message,
        signature: chain.produceBlock(3).signature,
      };
      const e = assertBlockRejected(chain.head, other, BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.setIndex, 0);
      assertNamesFirstBadSet(chain.head, other, e, "block_proposer");
    });

    it("signature bytes that are not a curve point: named too", () => {
      const block = edited((b) => {
        b.body.ticket_purchases[0].signature = new Uint8Array(96).fill(0x11);
      });
      const e = assertBlockRejected(
        chain.head,
        resignBlock(chain, block),
        BlockError,
        BlockErrorCode.INVALID_SIGNATURE,
      );
      assert.equal(e.data.kind, "ticket_purchase");
    });
  });

  describe("the state root", () => {
    it("rejects a block whose state root is not the post-state's, naming both roots", () => {
      const block = edited((b) => {
        b.state_root = flipLast(b.state_root);
      });
      const signed = signBlock(chain, block);
      const e = assertBlockRejected(chain.head, signed, BlockError, BlockErrorCode.STATE_ROOT_MISMATCH);
      assert.equal(e.data.stateRoot, toHex(block.state_root));
      assert.equal(e.data.expected, toHex(busy.message.state_root));
    });

    it("verifyStateRoot: false accepts that block (and still checks its signatures)", () => {
      const block = edited((b) => {
        b.state_root = flipLast(b.state_root);
      });
      const post = stateTransition(chain.head, signBlock(chain, block), { verifyStateRoot: false });
      assert.deepEqual(post.hashTreeRoot(), busy.message.state_root);
      const unsigned = { message: block, signature: busy.signature };
      assertBlockRejected(chain.head, unsigned, BlockError, BlockErrorCode.INVALID_SIGNATURE, {
        verifyStateRoot: false,
      });
    });

    it("checks the signatures before the state root", () => {
      const block = edited((b) => {
        b.state_root = flipLast(b.state_root);
        b.body.ticket_purchases[0].signature = transfer.signature;
      });
      const e = assertBlockRejected(chain.head, signBlock(chain, block), BlockError, BlockErrorCode.INVALID_SIGNATURE);
      assert.equal(e.data.kind, "ticket_purchase");
    });
  });

  describe("deferSignatures: the caller verifies (range sync batches many blocks)", () => {
    it("hands over exactly the sets the block would verify, the proposer's first, without verifying them", () => {
      const sets: SignatureSet[] = [];
      const post = stateTransition(chain.head, busy, { deferSignatures: sets });
      assert.deepEqual(post.hashTreeRoot(), busy.message.state_root);
      assert.equal(sets[0].kind, "block_proposer");
      assert.deepEqual(
        new Set(sets.map((s) => s.kind)),
        new Set([
          "block_proposer",
          "randao_reveal",
          "attestation",
          "payload_attestation",
          "ticket_purchase",
          "ticket_transfer",
          "payload_commitment",
        ]),
      );
      assert.equal(verifySignatureSets(sets), -1);
      // The proposer's signing root, computed from the header, is the one over the whole block
      const domain = getDomain(post, DOMAIN_BEACON_PROPOSER, 0);
      assert.deepEqual(sets[0].signingRoot, computeSigningRoot(chain.ctx.ssz.BeaconBlock, busy.message, domain));
    });

    it("a bad signature passes the transition and is caught by the caller's batch", () => {
      const block = edited((b) => {
        b.body.ticket_purchases[0].signature = transfer.signature;
      });
      const sets: SignatureSet[] = [];
      stateTransition(chain.head, signBlock(chain, block), { deferSignatures: sets, verifyStateRoot: false });
      const invalid = verifySignatureSets(sets);
      assert.ok(invalid > 0);
      assert.equal(sets[invalid].kind, "ticket_purchase");
    });

    it("a block that fails another check adds no sets", () => {
      const block = edited((b) => {
        b.state_root = flipLast(b.state_root);
      });
      const sets: SignatureSet[] = [];
      assertBlockRejected(chain.head, signBlock(chain, block), BlockError, BlockErrorCode.STATE_ROOT_MISMATCH, {
        deferSignatures: sets,
      });
      assert.equal(sets.length, 0);
    });
  });
});
