import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildInclusionList,
  interopSecretKey,
  processSlotsCopy,
  type SignedInclusionList,
  toHex,
} from "@turnstile/ticket-state";
import { InclusionListPoolErrorCode } from "../../src/chain/inclusionLists.ts";
import { syntheticUserTransaction } from "../../src/execution/userTransactions.ts";
import { verdictOf } from "../../src/network/verdict.ts";
import type { InclusionListOutcome } from "../../src/node/beaconNode.ts";
import { steppedNode } from "./helpers.ts";

describe("inclusion lists in one node", () => {
  it("honest holders' payloads carry the listed transactions and stay; a censoring holder's are orphaned", () => {
    // Buyer 0's agent builds without the listed transactions; the rest are honest
    const { node, run, ctx, rejected } = steppedNode({ userTraffic: true, censoringBuyers: [0] });
    const outcomes: InclusionListOutcome[] = [];
    node.on("inclusionListOutcome", (o) => outcomes.push(o));
    const slots = 4 * ctx.preset.SLOTS_PER_EPOCH;
    run(1, slots);
    const honest = outcomes.filter((o) => o.satisfied);
    const censored = outcomes.filter((o) => !o.satisfied);
    assert.ok(honest.length > 0 && censored.length > 0, JSON.stringify(outcomes));
    assert.ok(
      honest.every((o) => o.canonical),
      "every satisfying payload is on the head chain",
    );
    assert.ok(
      censored.every((o) => !o.canonical),
      "no censoring payload is on the head chain",
    );
    // The chain goes on and finalizes around the orphaned payloads
    assert.ok(node.chain.forkChoice.finalized.epoch >= 2, `finalized ${node.chain.forkChoice.finalized.epoch}`);
    assert.deepEqual(rejected, []);
    // Listed transactions reach the chain: the head's ancestors' payloads carry user transactions
    let carried = 0;
    for (let entry = node.chain.getEntry(node.chain.head().root); entry && entry.slot > 0; ) {
      carried += entry.envelope?.message.payload.transactions.filter((tx) => tx[0] === 0x7d).length ?? 0;
      entry = node.chain.getEntry(toHex(entry.block.message.parent_root));
    }
    assert.ok(carried > 0, "user transactions were included");
  });

  it("without censoring every bound payload satisfies its list", () => {
    const { node, run } = steppedNode({ userTraffic: true });
    const outcomes: InclusionListOutcome[] = [];
    node.on("inclusionListOutcome", (o) => outcomes.push(o));
    run(1, 16);
    assert.ok(outcomes.length > 0);
    assert.ok(
      outcomes.every((o) => o.satisfied && o.canonical),
      JSON.stringify(outcomes),
    );
  });
});

describe("inclusion list gossip checks", () => {
  const setup = () => {
    const t = steppedNode();
    t.run(1, 3);
    const { node, ctx } = t;
    const slot = 5;
    const pre = processSlotsCopy(node.chain.head().state, slot);
    const proposer = pre.epochCtx.getBeaconProposer(slot);
    const list = (txs: Uint8Array[], key = interopSecretKey(proposer)): SignedInclusionList =>
      buildInclusionList(pre, txs, key);
    // At 1/4 of slot 4: slot 5 is the next slot, its freeze (3/4 of slot 4) still ahead
    t.setTime(4 * ctx.config.SECONDS_PER_SLOT + ctx.config.SECONDS_PER_SLOT / 4);
    return { ...t, slot, proposer, list };
  };
  const code = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      return verdictOf(e);
    }
    return { action: "ACCEPT", code: "OK" };
  };

  it("accepts the proposer's list, which then binds the slot", () => {
    const { node, slot, list } = setup();
    const txs = [syntheticUserTransaction(4, 1)];
    node.importInclusionList(list(txs));
    assert.deepEqual(node.inclusionLists.transactionsFor(slot), txs);
  });

  it("REJECTs a list signed by another validator, and IGNOREs repeats and lists out of the window", () => {
    const { node, slot, proposer, list, ctx, setTime } = setup();
    const txs = [syntheticUserTransaction(4, 1)];
    assert.deepEqual(
      code(() => node.importInclusionList(list(txs, interopSecretKey(proposer + 1)))),
      {
        action: "REJECT",
        code: "INCLUSION_LIST_INVALID_SIGNATURE",
      },
    );
    const good = list(txs);
    node.importInclusionList(good);
    assert.deepEqual(
      code(() => node.importInclusionList(good)),
      {
        action: "IGNORE",
        code: InclusionListPoolErrorCode.ALREADY_KNOWN,
      },
    );
    setTime((slot + 1) * ctx.config.SECONDS_PER_SLOT);
    assert.deepEqual(code(() => node.importInclusionList(good)).code, InclusionListPoolErrorCode.OUT_OF_WINDOW);
  });

  it("a second list of the same proposer voids the slot's list", () => {
    const { node, slot, list } = setup();
    node.importInclusionList(list([syntheticUserTransaction(4, 1)]));
    assert.deepEqual(
      code(() => node.importInclusionList(list([syntheticUserTransaction(4, 2)]))),
      {
        action: "IGNORE",
        code: InclusionListPoolErrorCode.EQUIVOCATION,
      },
    );
    assert.deepEqual(node.inclusionLists.transactionsFor(slot), []);
  });

  it("a list that arrives after the freeze binds nothing", () => {
    const { node, slot, list, ctx, setTime } = setup();
    setTime(4 * ctx.config.SECONDS_PER_SLOT + (ctx.config.SECONDS_PER_SLOT * 7) / 8);
    node.importInclusionList(list([syntheticUserTransaction(4, 1)]));
    assert.deepEqual(node.inclusionLists.transactionsFor(slot), []);
  });
});
