import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  computeLotteryIndex,
  createGenesisState,
  DeterministicExecutionEngine,
  type ExecutionTicket,
  interopBuyerSecretKey,
  interopSecretKey,
  isSelfBuild,
  TicketStateError,
  toHex,
} from "@turnstile/ticket-state";
import { devChain, minimalContext } from "../../utils/chain.ts";
import { assigned, buyerBalances, poolTickets } from "../market/marketHelpers.ts";

const L = 8;
const ETH = 1_000_000_000;
const CURVE_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/** The interop rule written out independently: int.from_bytes(sha256(uint_to_bytes32_le(i)), "little") % r. */
function interopKeyHex(index: number): string {
  const preimage = Buffer.alloc(32);
  preimage.writeUInt32LE(index, 0);
  const digest = createHash("sha256").update(preimage).digest();
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(digest[i]);
  return `0x${(n % CURVE_ORDER).toString(16).padStart(64, "0")}`;
}

describe("interop keys", () => {
  it("interopSecretKey(0..2) are the well-known interop keys", () => {
    assert.equal(
      toHex(interopSecretKey(0).toBytes()),
      "0x25295f0d1d592a90b333e26e85149708208e9f8e8bc18f6c77bd62f8ad7a6866",
    );
    assert.equal(
      toHex(interopSecretKey(1).toBytes()),
      "0x51d0b65185db6989ab0b560d6deed19c7ead0e24b9b6372cbecb1f26bdfad000",
    );
    assert.equal(
      toHex(interopSecretKey(2).toBytes()),
      "0x315ed405fafe339603932eebe8dbfd650ce5dafa561f6928664c75db85f97857",
    );
    assert.equal(
      toHex(interopSecretKey(0).toPublicKey().toBytes()),
      "0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c",
    );
  });

  it("follows the interop derivation for other indices, buyers' keys included", () => {
    for (const i of [3, 63, 1000, 2 ** 31 - 1]) assert.equal(toHex(interopSecretKey(i).toBytes()), interopKeyHex(i));
    // buyer keys: interop index 2^31 + i, disjoint from validator keys
    assert.equal(toHex(interopBuyerSecretKey(0).toBytes()), interopKeyHex(2 ** 31));
    assert.equal(toHex(interopBuyerSecretKey(5).toBytes()), interopKeyHex(2 ** 31 + 5));
  });
});

describe("genesis", () => {
  it("has the validators and buyers asked for, with their balances; initial tickets are debited", () => {
    const chain = devChain({}, { validatorCount: 64, buyerCount: 5, buyerBalance: 7 * ETH, initialTicketsPerBuyer: 3 });
    const { state, ctx } = chain.head;
    const price = ctx.config.INITIAL_TICKET_PRICE;
    assert.equal(state.slot, 0);
    assert.equal(state.validators.length, 64);
    assert.deepEqual(state.balances.getAll(), new Array(64).fill(32 * ETH));
    for (let i = 0; i < 64; i++) {
      const v = state.validators.getReadonly(i);
      assert.deepEqual(v.pubkey, chain.validatorKeys[i].toPublicKey().toBytes());
      assert.equal(v.effective_balance, 32 * ETH);
      assert.equal(v.activation_epoch, 0);
      assert.equal(v.slashed, false);
    }
    assert.equal(state.buyers.length, 5);
    assert.deepEqual(buyerBalances(chain.head), new Array(5).fill(7 * ETH - 3 * price));
    for (let i = 0; i < 5; i++) {
      assert.equal(state.buyers.getReadonly(i).nonce, 0);
      assert.deepEqual(state.buyers.getReadonly(i).pubkey, chain.buyerKeys[i].toPublicKey().toBytes());
    }
    // 15 tickets, ids 0..14, 3 per owner, all at the initial price, bought at slot 0
    assert.equal(state.next_ticket_id, 15);
    assert.equal(state.ticket_price, price);
    assert.equal(state.ticket_revenue, 0);
    const all: ExecutionTicket[] = [...poolTickets(chain.head)];
    for (let slot = 1; slot <= L; slot++) all.push(assigned(chain.head, slot));
    assert.deepEqual(
      all.map((t) => t.ticket_id).sort((a, b) => a - b),
      Array.from({ length: 15 }, (_, i) => i),
    );
    for (const t of all) {
      assert.equal(t.owner, Math.floor(t.ticket_id / 3));
      assert.equal(t.price, price);
      assert.equal(t.purchase_slot, 0);
    }
    // the built-in engine's genesis payload is the chain's latest payload
    assert.deepEqual(state.latest_block_hash, new DeterministicExecutionEngine(ctx).genesisPayload(0).block_hash);
    assert.equal(state.execution_payload_availability.get(0), true);
  });

  it("pre-draws slots 1..L with the lottery, swap-removing from the initial pool", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 5 });
    const cs = chain.head;
    // Replay: start from the 20 initial tickets in id order, draw for 1..L
    const pool = Array.from({ length: 20 }, (_, id) => id);
    const drawn: number[] = [];
    for (let slot = 1; slot <= L; slot++) {
      const index = computeLotteryIndex(cs, slot, pool.length);
      drawn.push(pool[index]);
      pool[index] = pool[pool.length - 1];
      pool.pop();
    }
    assert.deepEqual(
      Array.from({ length: L }, (_, i) => assigned(cs, i + 1).ticket_id),
      drawn,
    );
    assert.deepEqual(
      poolTickets(cs).map((t) => t.ticket_id),
      pool,
    );
    // ring position 0 holds slot 0, which has no ticket
    assert.equal(cs.state.ticket_assignments.getReadonly(0).slot, 0);
    assert.ok(isSelfBuild(assigned(cs, 0)));
  });

  it("rejects no validators, an unaffordable initial purchase, and too many initial tickets", () => {
    const ctx = minimalContext();
    const pubkey = interopSecretKey(0).toPublicKey().toBytes();
    const buyerKey = interopBuyerSecretKey(0).toPublicKey().toBytes();
    const code = (c: string) => (e: unknown) => e instanceof TicketStateError && e.code === c;
    assert.throws(
      () => createGenesisState(ctx, { genesisTime: 0, validatorPubkeys: [], buyers: [] }),
      code("GENESIS_NO_VALIDATORS"),
    );
    const price = ctx.config.INITIAL_TICKET_PRICE;
    assert.throws(
      () =>
        createGenesisState(ctx, {
          genesisTime: 0,
          validatorPubkeys: [pubkey],
          buyers: [{ pubkey: buyerKey, balance: 3 * price - 1, initialTickets: 3 }],
        }),
      code("GENESIS_BUYER_BALANCE"),
    );
    // exactly affordable is fine: balance 0 left
    const exact = createGenesisState(ctx, {
      genesisTime: 0,
      validatorPubkeys: [pubkey],
      buyers: [{ pubkey: buyerKey, balance: 3 * price, initialTickets: 3 }],
    });
    assert.equal(exact.state.buyers.getReadonly(0).balance, 0);
    assert.throws(
      () =>
        createGenesisState(ctx, {
          genesisTime: 0,
          validatorPubkeys: [pubkey],
          buyers: [{ pubkey: buyerKey, balance: 10 ** 15, initialTickets: ctx.preset.TICKET_POOL_LIMIT + 1 }],
        }),
      code("GENESIS_POOL_TOO_LARGE"),
    );
  });
});
