import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { devAccounts, type ExecutionLayer } from "@turnstile/execution";
import { toHex } from "@turnstile/ticket-state";
import type { InclusionListOutcome } from "../../src/node/beaconNode.ts";
import { steppedNodeOnEl, suiteDir } from "./engineFixture.ts";

function transfer(el: ExecutionLayer, key: Uint8Array, nonce: bigint): Uint8Array {
  return createFeeMarket1559Tx(
    {
      chainId: BigInt(el.chainId),
      nonce,
      to: "0x00000000000000000000000000000000000000e4",
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
    },
    { common: el.common },
  )
    .sign(key)
    .serialize();
}

describe("inclusion lists with the embedded EVM, through the Engine API", () => {
  const dir = suiteDir("turnstile-evm-il-");

  it("the proposer lists the EL's mempool, the payload carries it, and the EL judges lists on real execution", async () => {
    const { exec, engine, node, runAsync: run } = await steppedNodeOnEl(dir, { ethPort: 0, random: () => 0.5 });
    try {
      const outcomes: InclusionListOutcome[] = [];
      node.on("inclusionListOutcome", (o) => outcomes.push(o));
      const [alice, bob] = devAccounts(2);
      await run(1, 1);
      const listed = transfer(exec.el, alice.privateKey, 0n);
      await exec.el.sendRawTransaction(listed);
      // Slot 2: candidates from the EL at 1/4, the list for slot 3 at 2/4, slot 3's holder builds at 3/4
      await run(2, 5);
      assert.deepEqual(
        node.inclusionLists.transactionsFor(3).map((tx) => toHex(tx)),
        [bytesToHex(listed)],
      );
      // One EL here: the transfer went into the first payload built after it was sent (slot 2's or
      // slot 3's); slot 3's list then names it, and slot 3's payload satisfies it either way
      const state = node.chain.head().state.state;
      const payloadAt = (slot: number) =>
        node.chain.getEntry(toHex(state.block_roots.get(slot)))!.envelope!.message.payload;
      const carries = [2, 3].filter((slot) =>
        payloadAt(slot).transactions.some((tx) => toHex(tx) === bytesToHex(listed)),
      );
      assert.equal(carries.length, 1, "the transfer is in one payload");
      assert.deepEqual(outcomes, [{ slot: 3, satisfied: true, canonical: true }]);
      const payload = payloadAt(carries[0]);
      // The EL judges on the payload's post-state: alice's transfer is in it; bob's would have been valid and fit
      const missing = transfer(exec.el, bob.privateKey, 0n);
      assert.equal(await engine.checkInclusionList(payload, [listed]), true);
      assert.equal(await engine.checkInclusionList(payload, [listed, missing]), false);
      assert.equal(engine.isInclusionListSatisfied(payload, [listed, missing]), false);
      // A listed transaction that is invalid there (alice's nonce 0 again, other gas) is excused
      const replay = createFeeMarket1559Tx(
        {
          chainId: BigInt(exec.el.chainId),
          nonce: 0n,
          to: "0x00000000000000000000000000000000000000e5",
          value: 1n,
          gasLimit: 21_000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 10n ** 9n,
        },
        { common: exec.el.common },
      )
        .sign(alice.privateKey)
        .serialize();
      assert.equal(await engine.checkInclusionList(payload, [replay]), true);
    } finally {
      await exec.close();
    }
  });
});
