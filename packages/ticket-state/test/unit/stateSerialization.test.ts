import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CachedBeaconState,
  deserializeSsz,
  FAR_FUTURE_EPOCH,
  readAllValues,
  SELF_BUILD_TICKET_ID,
  sszTypes,
  stateTransition,
  TicketStateError,
} from "@turnstile/ticket-state";
import { devChain } from "../utils/chain.ts";

describe("SSZ round trips of uint64 max", () => {
  it("FAR_FUTURE_EPOCH and SELF_BUILD_TICKET_ID read back as themselves", () => {
    const v = sszTypes.Validator.defaultValue();
    v.exit_epoch = FAR_FUTURE_EPOCH;
    v.withdrawable_epoch = FAR_FUTURE_EPOCH;
    const bytes = sszTypes.Validator.serialize(v);
    assert.deepEqual(bytes.subarray(bytes.length - 16), new Uint8Array(16).fill(0xff));
    assert.equal(sszTypes.Validator.deserialize(bytes).exit_epoch, FAR_FUTURE_EPOCH);
    assert.equal(sszTypes.Validator.deserializeToViewDU(bytes).withdrawable_epoch, FAR_FUTURE_EPOCH);
    const ticket = { ticket_id: SELF_BUILD_TICKET_ID, owner: 1, purchase_slot: 2, price: 3, collateral: 4, nonce: 5 };
    const back = sszTypes.ExecutionTicket.deserialize(sszTypes.ExecutionTicket.serialize(ticket));
    assert.equal(back.ticket_id, SELF_BUILD_TICKET_ID);
  });
});

describe("a state loaded from bytes", () => {
  it("has the same root and keeps importing blocks", () => {
    const chain = devChain({}, { initialTicketsPerBuyer: 2 });
    for (let i = 0; i < 10; i++) chain.advance({ purchases: i === 3 ? [chain.signPurchase(1, 2, 10 ** 9)] : [] });
    const bytes = chain.head.serialize();
    const loaded = CachedBeaconState.fromBytes(chain.ctx, bytes);
    assert.deepEqual(loaded.hashTreeRoot(), chain.head.hashTreeRoot());
    const validators = readAllValues(loaded.state.validators);
    assert.ok(
      validators.every((v) => v.exit_epoch === FAR_FUTURE_EPOCH),
      "no validator looks like it is exiting",
    );
    const block = chain.produceBlock(chain.head.state.slot + 1);
    const fromLoaded = stateTransition(loaded, block);
    const fromOriginal = stateTransition(chain.head, block);
    assert.deepEqual(fromLoaded.hashTreeRoot(), fromOriginal.hashTreeRoot());
  });

  it("rejects truncated or garbage bytes with a typed error", () => {
    const chain = devChain();
    const bytes = chain.head.serialize();
    for (const bad of [bytes.subarray(0, 100), new Uint8Array(0), bytes.subarray(0, bytes.length - 1)]) {
      assert.throws(
        () => deserializeSsz(chain.ctx.ssz.BeaconState, bad, "BeaconState"),
        (e) => e instanceof TicketStateError && e.code === "SSZ_INVALID",
      );
    }
  });
});
