import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  beforeProcessEpoch,
  CachedBeaconState,
  createChainCaches,
  type ExecutionTicket,
  processSlotsCopy,
  processValidatorTicketGrants,
  readAllValues,
  SELF_BUILD_TICKET_ID,
} from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";
import { devChain } from "../../utils/chain.ts";
import { buyerBalances } from "../market/marketHelpers.ts";

const GRANTS = 4;
const BUYERS = 4;
const granting = (grants = GRANTS) =>
  devChain({ VALIDATOR_TICKET_GRANTS_PER_EPOCH: grants }, { initialTicketsPerBuyer: 1 });

/** Every ticket in the state: pooled or in the assignment ring. */
function allTickets(cs: CachedBeaconState): ExecutionTicket[] {
  cs.state.commit();
  const ring = readAllValues(cs.state.ticket_assignments).map((a) => a.ticket);
  return [...readAllValues(cs.state.ticket_pool), ...ring].filter((t) => t.ticket_id !== SELF_BUILD_TICKET_ID);
}

/** The state at the last slot of `epoch`, before its epoch transition. */
function atEpochEnd(chain: DevChain, epoch: number): CachedBeaconState {
  const last = (epoch + 1) * chain.ctx.preset.SLOTS_PER_EPOCH - 1;
  while (chain.slot < last) chain.advance();
  return chain.head.clone();
}

function grantOnce(cs: CachedBeaconState): void {
  processValidatorTicketGrants(cs, beforeProcessEpoch(cs));
}

describe("validators compensated in tickets: process_validator_ticket_grants", () => {
  it("off by default: no account and no ticket is created", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 1 });
    const cs = atEpochEnd(chain, 1);
    const before = cs.state.next_ticket_id;
    grantOnce(cs);
    assert.equal(cs.state.next_ticket_id, before);
    assert.equal(cs.state.buyers.length, BUYERS);
  });

  it("mints VALIDATOR_TICKET_GRANTS_PER_EPOCH tickets at price 0 and no collateral, owned by accounts with validator keys", () => {
    const chain = granting();
    const cs = atEpochEnd(chain, 1);
    const firstId = cs.state.next_ticket_id;
    const balances = buyerBalances(cs);
    grantOnce(cs);
    assert.equal(cs.state.next_ticket_id, firstId + GRANTS);
    const granted = allTickets(cs).filter((t) => t.ticket_id >= firstId);
    assert.equal(granted.length, GRANTS);
    for (const t of granted) {
      assert.equal(t.price, 0);
      assert.equal(t.collateral, 0);
      assert.ok(t.owner >= BUYERS, "a new account, not an interop buyer");
      const pubkey = Buffer.from(cs.state.buyers.getReadonly(t.owner).pubkey).toString("hex");
      assert.ok(cs.caches.pubkeys.pubkey2index.has(`0x${pubkey}`), "the account's key is a validator's");
    }
    const created = readAllValues(cs.state.buyers).slice(BUYERS);
    assert.ok(created.every((b) => b.balance === 0 && b.nonce === 0));
    assert.deepEqual(buyerBalances(cs).slice(0, BUYERS), balances, "nobody paid for them");
    assert.equal(
      new Set(created.map((b) => Buffer.from(b.pubkey).toString("hex"))).size,
      created.length,
      "one account per key",
    );
  });

  it("deterministic: the same state grants to the same validators; another epoch's seed to others", () => {
    const chain = granting(16);
    const cs = atEpochEnd(chain, 1);
    const a = cs.clone();
    const b = cs.clone();
    grantOnce(a);
    grantOnce(b);
    assert.deepEqual(a.hashTreeRoot(), b.hashTreeRoot());
    const owners = (x: CachedBeaconState) =>
      allTickets(x)
        .filter((t) => t.ticket_id >= cs.state.next_ticket_id)
        .map((t) => Buffer.from(x.state.buyers.getReadonly(t.owner).pubkey).toString("hex"))
        .sort();
    const later = atEpochEnd(chain, 2);
    const laterFirst = later.state.next_ticket_id;
    grantOnce(later);
    const laterOwners = allTickets(later)
      .filter((t) => t.ticket_id >= laterFirst)
      .map((t) => Buffer.from(later.state.buyers.getReadonly(t.owner).pubkey).toString("hex"))
      .sort();
    assert.notDeepEqual(owners(a), laterOwners);
  });

  it("only unslashed validators with the previous epoch's timely-target flag are drawn", () => {
    const chain = granting(8);
    const cs = atEpochEnd(chain, 1);
    const cache = beforeProcessEpoch(cs);
    const only = 5;
    cache.previousParticipation.fill(0);
    cache.previousParticipation[only] = 0b010;
    const firstId = cs.state.next_ticket_id;
    processValidatorTicketGrants(cs, cache);
    const pubkey = Buffer.from(cs.state.validators.getReadonly(only).pubkey).toString("hex");
    const granted = allTickets(cs).filter((t) => t.ticket_id >= firstId);
    assert.equal(granted.length, 8);
    assert.ok(
      granted.every((t) => Buffer.from(cs.state.buyers.getReadonly(t.owner).pubkey).toString("hex") === pubkey),
    );
    assert.equal(cs.state.buyers.length, BUYERS + 1, "one account, reused for every grant");
    // Nobody timely: no grant
    const none = atEpochEnd(granting(8), 1);
    const noneCache = beforeProcessEpoch(none);
    noneCache.previousParticipation.fill(0);
    const noneFirst = none.state.next_ticket_id;
    processValidatorTicketGrants(none, noneCache);
    assert.equal(none.state.next_ticket_id, noneFirst);
  });

  it("grants lapse when the pool is full", () => {
    const chain = granting();
    const cs = atEpochEnd(chain, 1);
    const limit = cs.ctx.preset.TICKET_POOL_LIMIT;
    let id = cs.state.next_ticket_id;
    while (cs.state.ticket_pool.length < limit - 1) {
      cs.state.ticket_pool.push(
        cs.ctx.ssz.BeaconState.fields.ticket_pool.elementType.toViewDU({
          ticket_id: id++,
          owner: 0,
          purchase_slot: 0,
          price: 1,
          collateral: 0,
          nonce: 0,
        }),
      );
    }
    cs.state.next_ticket_id = id;
    grantOnce(cs);
    assert.equal(cs.state.next_ticket_id, id + 1, "room for one grant only");
  });

  it("in use: a granted ticket is drawn, its validator commits and reveals with its own key, and may sell it", () => {
    const chain = granting(8);
    const spe = chain.ctx.preset.SLOTS_PER_EPOCH;
    atEpochEnd(chain, 1);
    chain.advance(); // the epoch transition grants
    const granted = allTickets(chain.head).filter((t) => t.owner >= BUYERS);
    assert.ok(granted.length > 0);
    // Sell one still pooled, signed by the validator's key
    const pooled = new Set(readAllValues(chain.head.state.ticket_pool).map((t) => t.ticket_id));
    const forSale = granted.find((t) => pooled.has(t.ticket_id));
    assert.ok(forSale);
    const fill = chain.signFill(chain.signOffer(forSale.ticket_id, 1_000_000, chain.slot + 2), 0);
    chain.advance({ fills: [fill] });
    assert.equal(chain.findTicket(forSale.ticket_id)?.owner, 0);
    assert.equal(chain.head.state.buyers.getReadonly(forSale.owner).balance, 1_000_000, "the validator was paid");
    // Run until a validator-held ticket has been used for a revealed payload
    let used = false;
    for (let i = 0; i < 4 * spe && !used; i++) {
      const slot = chain.slot + 1;
      const pre = processSlotsCopy(chain.head, slot);
      const ring = pre.state.ticket_assignments.getReadonly(slot % (pre.ctx.preset.TICKET_LOOKAHEAD_SLOTS + 1)).ticket;
      const { envelope } = chain.advance();
      if (
        ring.owner >= BUYERS &&
        ring.price === 0 &&
        envelope !== null &&
        envelope.message.ticket_id === ring.ticket_id
      )
        used = true;
    }
    assert.ok(used, "a granted ticket's payload was committed and revealed");
  });

  it("the account lookup is a cache only: a locator that served another fork gives the same state, and a batch scans once", () => {
    const chain = granting(16);
    const cs = atEpochEnd(chain, 1);
    const withCaches = (caches = createChainCaches()) => {
      cs.state.commit();
      return new CachedBeaconState(cs.ctx, cs.state.clone(), cs.epochCtx.copy(), caches);
    };
    const fresh = withCaches();
    grantOnce(fresh);
    // Another fork: other validators timely, so other accounts at the same indices
    const shared = createChainCaches();
    const fork = withCaches(shared);
    const cache = beforeProcessEpoch(fork);
    cache.previousParticipation.fill(0);
    for (let i = 32; i < 40; i++) cache.previousParticipation[i] = 0b010;
    processValidatorTicketGrants(fork, cache);
    const polluted = withCaches(shared);
    const scansBefore = shared.buyers.rescans;
    grantOnce(polluted);
    assert.deepEqual(polluted.hashTreeRoot(), fresh.hashTreeRoot());
    assert.ok(shared.buyers.rescans - scansBefore <= 1, "one registry scan for the whole batch");
    assert.ok(fresh.state.buyers.length > BUYERS + 1, "several accounts were created in one batch");
    // A later epoch, its accounts unknown to a new locator: existing accounts are found, none duplicated
    const later = atEpochEnd(chain, 2);
    later.state.commit();
    const again = new CachedBeaconState(later.ctx, later.state.clone(), later.epochCtx.copy(), createChainCaches());
    grantOnce(again);
    const keys = readAllValues(again.state.buyers).map((b) => Buffer.from(b.pubkey).toString("hex"));
    assert.ok(later.state.buyers.length > BUYERS, "epoch 1 already created accounts");
    assert.equal(new Set(keys).size, keys.length, "one account per key");
  });
});
