/**
 * Hand-checked `operations` cases: the post-state values below are computed by hand (the
 * arithmetic is in the comments), not by the state transition. Minimal preset, default config:
 * 64 validators of 32 ETH, MAX_SEED_LOOKAHEAD 4, MIN_VALIDATOR_WITHDRAWABILITY_DELAY 256,
 * EPOCHS_PER_SLASHINGS_VECTOR 64, MIN_SLASHING_PENALTY_QUOTIENT 32, WHISTLEBLOWER_REWARD_QUOTIENT 512.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ETH, loadCase } from "./load.ts";

const FAR_FUTURE = Number.POSITIVE_INFINITY;

/** Indices whose value differs between two arrays. */
function changed(a: number[], b: number[]): number[] {
  return a.map((_, i) => i).filter((i) => a[i] !== b[i]);
}

describe("hand-checked operations", () => {
  it("ticket_purchase/buy_max_count: 16 tickets at 5_000_000 Gwei debit 80_000_000 Gwei, escrowed in the tickets", () => {
    const c = loadCase("operations", "ticket_purchase", "buy_max_count");
    const { pre, post } = c;
    const op = c.dir.decode("ticket_purchase", c.ctx.ssz.SignedTicketPurchase).message;
    assert.deepEqual([op.buyer_index, op.count], [3, 16]);
    assert.equal(pre.ticket_price, 5_000_000);
    // buyer 3 paid 3 genesis tickets at 0.01 ETH: 100 ETH - 0.03 ETH = 99_970_000_000 Gwei
    assert.equal(pre.buyers[3].balance, 99_970_000_000);
    // 16 * 5_000_000 = 80_000_000; 99_970_000_000 - 80_000_000 = 99_890_000_000
    assert.equal(post.buyers[3].balance, 99_890_000_000);
    assert.equal(post.buyers[3].nonce, pre.buyers[3].nonce + 1);
    assert.equal(post.ticket_pool.length, pre.ticket_pool.length + 16);
    assert.equal(post.next_ticket_id, pre.next_ticket_id + 16);
    assert.equal(post.tickets_sold_in_slot, pre.tickets_sold_in_slot + 16);
    // the price is held by the tickets, not yet revenue
    assert.equal(post.ticket_revenue, pre.ticket_revenue);
    const added = post.ticket_pool.slice(pre.ticket_pool.length);
    added.forEach((t, k) => {
      assert.deepEqual(t, {
        ticket_id: pre.next_ticket_id + k,
        owner: 3,
        purchase_slot: pre.slot,
        price: 5_000_000,
        collateral: 0,
        nonce: 0,
      });
    });
  });

  it("ticket_transfer/transfer_pooled_ticket: only the owner, the ticket's nonce and the sender's nonce change", () => {
    const c = loadCase("operations", "ticket_transfer", "transfer_pooled_ticket");
    const { pre, post } = c;
    const op = c.dir.decode("ticket_transfer", c.ctx.ssz.SignedTicketTransfer).message;
    const index = pre.ticket_pool.findIndex((t) => t.ticket_id === op.ticket_id);
    assert.ok(index >= 0);
    assert.equal(pre.ticket_pool[index].owner, op.from);
    assert.deepEqual(post.ticket_pool[index], {
      ...pre.ticket_pool[index],
      owner: op.to,
      nonce: pre.ticket_pool[index].nonce + 1,
    });
    assert.equal(post.buyers[op.from].nonce, pre.buyers[op.from].nonce + 1);
    assert.equal(post.buyers[op.to].nonce, pre.buyers[op.to].nonce);
    assert.deepEqual(
      post.buyers.map((b) => b.balance),
      pre.buyers.map((b) => b.balance),
    );
  });

  it("payload_commitment/holder_commitment: the state records the commitment, nothing else", () => {
    const c = loadCase("operations", "payload_commitment", "holder_commitment");
    const block = c.dir.decode("block", c.ctx.ssz.BeaconBlock);
    const { pre, post } = c;
    assert.deepEqual(post.latest_payload_commitment, block.body.signed_payload_commitment.message);
    assert.deepEqual({ ...post, latest_payload_commitment: null }, { ...pre, latest_payload_commitment: null });
  });

  it("payload_attestation/from_block: a valid PTC vote leaves the state unchanged", () => {
    const c = loadCase("operations", "payload_attestation", "from_block");
    assert.deepEqual(c.post, c.pre);
  });

  it("attestation/same_slot_vote_next_slot: 8 attesters get flags 0b111; the proposer earns 1_379_962 Gwei", () => {
    const { pre, post } = loadCase("operations", "attestation", "same_slot_vote_next_slot");
    // slot 12's two committees of 4 (64 validators / 8 slots / 2 committees); delay 1: source, target, head
    const flagged = changed(pre.current_epoch_participation, post.current_epoch_participation);
    assert.equal(flagged.length, 8);
    for (const i of flagged)
      assert.deepEqual([pre.current_epoch_participation[i], post.current_epoch_participation[i]], [0, 7]);
    // total active 2048 ETH: isqrt(2_048_000_000_000) = 1_431_083; base reward per increment
    // 1e9 * 64 // 1_431_083 = 44_721; base reward 32 * 44_721 = 1_431_072.
    // proposer reward = sum(base * (14 + 26 + 14)) // ((64 - 8) * 64 / 8) = 8 * 1_431_072 * 54 // 448
    //                 = 618_223_104 // 448 = 1_379_962
    const paid = changed(pre.balances, post.balances);
    assert.equal(paid.length, 1);
    assert.equal(post.balances[paid[0]] - pre.balances[paid[0]], 1_379_962);
  });

  it("proposer_slashing/slash_validator: validator 5 slashed at epoch 1", () => {
    const { pre, post } = loadCase("operations", "proposer_slashing", "slash_validator");
    assert.equal(Math.floor(pre.slot / 8), 1);
    const v = post.validators[5];
    assert.equal(v.slashed, true);
    // exit: compute_activation_exit_epoch(1) = 1 + 1 + 4 = 6; withdrawable max(6 + 256, 1 + 64) = 262
    assert.deepEqual([v.exit_epoch, v.withdrawable_epoch], [6, 262]);
    // penalty 32 ETH / 32 = 1 ETH; slashings[1 % 64] += 32 ETH
    assert.equal(post.balances[5], pre.balances[5] - ETH);
    assert.equal(post.slashings[1], pre.slashings[1] + 32 * ETH);
    // whistleblower reward 32 ETH / 512 = 62_500_000 (7_812_500 as proposer + 54_687_500), all to the proposer
    const others = changed(pre.balances, post.balances).filter((i) => i !== 5);
    assert.equal(others.length, 1);
    assert.equal(post.balances[others[0]] - pre.balances[others[0]], 62_500_000);
  });

  it("attester_slashing/double_vote: validators 2, 9, 33; the churn limit of 2 pushes the third exit one epoch", () => {
    const { pre, post } = loadCase("operations", "attester_slashing", "double_vote");
    // churn limit max(MIN_PER_EPOCH_CHURN_LIMIT 2, 64 // 32) = 2: exits at 6, 6, 7
    assert.deepEqual(
      [2, 9, 33].map((i) => [
        post.validators[i].slashed,
        post.validators[i].exit_epoch,
        post.validators[i].withdrawable_epoch,
      ]),
      [
        [true, 6, 262],
        [true, 6, 262],
        [true, 7, 263],
      ],
    );
    for (const i of [2, 9, 33]) assert.equal(post.balances[i], pre.balances[i] - ETH);
    assert.equal(post.slashings[1], pre.slashings[1] + 96 * ETH);
    const proposer = changed(pre.balances, post.balances).filter((i) => ![2, 9, 33].includes(i));
    assert.equal(proposer.length, 1);
    // three whistleblower rewards: 3 * 62_500_000
    assert.equal(post.balances[proposer[0]] - pre.balances[proposer[0]], 187_500_000);
  });

  it("voluntary_exit/exit and exit_queue_churn_full: exit epochs 69 and 70", () => {
    const exit = loadCase("operations", "voluntary_exit", "exit");
    assert.equal(Math.floor(exit.pre.slot / 8), 64);
    assert.equal(exit.pre.validators[7].exit_epoch, FAR_FUTURE);
    // 64 + 1 + 4 = 69; withdrawable 69 + 256 = 325
    assert.deepEqual([exit.post.validators[7].exit_epoch, exit.post.validators[7].withdrawable_epoch], [69, 325]);
    const full = loadCase("operations", "voluntary_exit", "exit_queue_churn_full");
    // validators 20 and 21 already exit at 69: the churn limit (2) is reached, 22 goes to 70
    assert.deepEqual([full.pre.validators[20].exit_epoch, full.pre.validators[21].exit_epoch], [69, 69]);
    assert.deepEqual([full.post.validators[22].exit_epoch, full.post.validators[22].withdrawable_epoch], [70, 326]);
  });

  it("execution_payload/holder_envelope: latest_block_hash, the availability bit and the header's state root", () => {
    const c = loadCase("operations", "execution_payload", "holder_envelope");
    const { pre, post } = c;
    const envelope = c.dir.decode("signed_envelope", c.ctx.ssz.SignedExecutionPayloadEnvelope).message;
    assert.deepEqual(post.latest_block_hash, envelope.payload.block_hash);
    const bit = pre.slot % 64;
    assert.deepEqual(
      [pre.execution_payload_availability.get(bit), post.execution_payload_availability.get(bit)],
      [false, true],
    );
    // the block's header had no state root yet: it is the post-block state's root
    assert.deepEqual(pre.latest_block_header.state_root, new Uint8Array(32));
    assert.deepEqual(post.latest_block_header.state_root, c.ctx.ssz.BeaconState.hashTreeRoot(pre));
    assert.deepEqual(post.latest_payload_commitment, pre.latest_payload_commitment);
    assert.deepEqual(post.buyers, pre.buyers);
  });
});
