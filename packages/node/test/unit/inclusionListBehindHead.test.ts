import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildInclusionList, interopSecretKey, processSlotsCopy } from "@turnstile/ticket-state";
import { verdictOf } from "../../src/network/verdict.ts";
import { steppedNode } from "./helpers.ts";

// A node back from downtime: its clock is at slot 200, its head still at slot 3 (range sync has
// not caught up). Gossip `inclusion_list` accepts lists for the clock's current and next slot,
// then advances the head through every missed slot to check each one: 25 epoch transitions per
// message, before the signature (measured on 16,384 validators: 436 ms of the main thread per
// list, invalid ones included; 2 ms with the head one slot behind). Commitments IGNORE such
// input (COMMITMENT_HEAD_BEHIND); a list the node cannot judge from its head should be too.

const CLOCK_SLOT = 200;

describe("inclusion_list gossip while the head is far behind the clock", () => {
  it("IGNOREs a list the head is epochs behind, without advancing the head to it", () => {
    const { node, run, setSlot } = steppedNode();
    run(1, 3);
    const stale = node.chain.head().state;
    // What an honest proposer of slot 200 signs (computed here from the same chain)
    const pre = processSlotsCopy(stale, CLOCK_SLOT);
    const list = buildInclusionList(
      pre,
      [new Uint8Array(40).fill(1)],
      interopSecretKey(pre.epochCtx.getBeaconProposer(CLOCK_SLOT)),
    );
    setSlot(CLOCK_SLOT);
    let verdict = { action: "ACCEPT", code: "" };
    try {
      node.importInclusionList(list);
    } catch (e) {
      verdict = verdictOf(e);
    }
    assert.deepEqual(
      verdict,
      { action: "IGNORE", code: "INCLUSION_LIST_HEAD_BEHIND" },
      `a list ${CLOCK_SLOT - stale.state.slot} slots past the head`,
    );
  });
});
