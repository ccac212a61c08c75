import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConfigError,
  computeNextTicketPrice,
  createChainContext,
  createGenesisState,
  EnvelopeError,
  EnvelopeErrorCode,
  getTicketAssignment,
  interopSecretKey,
  mainnetChainConfig,
  minimalChainConfig,
  processExecutionPayload,
  stateTransition,
  TicketStateError,
} from "@turnstile/ticket-state";
import { devChain } from "../utils/chain.ts";
import { flipLast, resignEnvelope } from "./block/helpers.ts";

describe("ticket price ceiling", () => {
  it("saturates at the ceiling however long the pool stays over target", () => {
    let price = 1_000_000;
    const ceiling = 5_000_000;
    for (let slot = 0; slot < 100; slot++) price = computeNextTicketPrice(price, 64, 16, 8, 1000, ceiling);
    assert.equal(price, ceiling);
    // and comes down from it normally
    assert.equal(
      computeNextTicketPrice(ceiling, 8, 16, 8, 1000, ceiling),
      ceiling - Math.floor((ceiling * 8) / 16 / 8),
    );
  });

  it("configs whose ceiling would let count * price leave the exact integers are refused", () => {
    assert.throws(
      () => createChainContext({ ...mainnetChainConfig, MAX_TICKET_PRICE: 2 ** 50 }),
      (e) => e instanceof ConfigError && e.code === "CONFIG_INVALID_VALUE",
    );
    assert.throws(
      () => createChainContext({ ...minimalChainConfig, TARGET_TICKET_POOL_SIZE: 1024 }),
      (e) => e instanceof ConfigError && /TICKET_POOL_LIMIT/.test(e.message),
    );
  });
});

describe("genesis rejects invalid keys with a typed error", () => {
  it("buyer and validator pubkeys must be valid BLS keys", () => {
    const ctx = createChainContext(minimalChainConfig);
    const good = interopSecretKey(0).toPublicKey().toBytes();
    const bad = new Uint8Array(48).fill(7);
    assert.throws(
      () =>
        createGenesisState(ctx, { genesisTime: 0, validatorPubkeys: [good], buyers: [{ pubkey: bad, balance: 1 }] }),
      (e) => e instanceof TicketStateError && e.code === "GENESIS_INVALID_BUYER_PUBKEY",
    );
    assert.throws(
      () => createGenesisState(ctx, { genesisTime: 0, validatorPubkeys: [good, bad], buyers: [] }),
      (e) => e instanceof TicketStateError && e.code === "GENESIS_INVALID_VALIDATOR_PUBKEY",
    );
  });
});

describe("a rejected envelope leaves even the state it was applied to in place unchanged", () => {
  it("processExecutionPayload throws before writing anything, even at its last check (the state root)", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 2 });
    const block = chain.produceBlock(1);
    const postBlock = stateTransition(chain.head, block);
    const blockRoot = chain.ctx.ssz.BeaconBlock.hashTreeRoot(block.message);
    const envelope = chain.produceEnvelope(postBlock, blockRoot, block.message.body.signed_payload_commitment.message);
    const holder = getTicketAssignment(chain.ctx, postBlock.state, 1).owner;
    // Properly signed by the holder: every check passes but the last
    const tampered = resignEnvelope(
      chain,
      postBlock,
      { ...envelope.message, state_root: flipLast(envelope.message.state_root) },
      chain.buyerKeys[holder],
    );
    const root = postBlock.hashTreeRoot();
    const blockHash = envelope.message.payload.block_hash;
    assert.equal(chain.engine.hasPayload(blockHash), false);
    assert.throws(
      () => processExecutionPayload(postBlock, tampered, chain.engine),
      (e) => e instanceof EnvelopeError && e.code === EnvelopeErrorCode.STATE_ROOT_MISMATCH,
    );
    assert.deepEqual(postBlock.hashTreeRoot(), root, "state root unchanged");
    assert.equal(chain.engine.hasPayload(blockHash), false, "the engine did not record the rejected payload");
    // The honest envelope then applies in place and is recorded
    processExecutionPayload(postBlock, envelope, chain.engine);
    assert.deepEqual(postBlock.hashTreeRoot(), envelope.message.state_root);
    assert.equal(chain.engine.hasPayload(blockHash), true);
  });
});
