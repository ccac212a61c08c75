import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import {
  AMM_ADDRESS,
  AMM_SWAP_GAS_LIMIT,
  ammCalldata,
  devAccounts,
  devnetReferencePrice,
  searcherAccount,
} from "@turnstile/execution";
import { HOLDER_FEE_RECIPIENT, minimalChainConfig, toHex } from "@turnstile/ticket-state";
import { appetiteOf, ticketValuation } from "../../src/tickets/valuation.ts";
import { steppedNodeOnEl, suiteDir } from "./engineFixture.ts";
import { BUYERS } from "./helpers.ts";

const SLOTS = 24;

describe("ticket holders capture real MEV on the embedded EVM", () => {
  const dir = suiteDir("turnstile-holder-mev-");

  it("holders' payloads end with their arbitrage; the realised MEV moves their valuation", async () => {
    const searcher = searcherAccount(0);
    const { exec, node, runAsync, rejected } = await steppedNodeOnEl(dir, {
      searcher: {
        privateKey: searcher.privateKey,
        // 5% a slot: the pool is off the reference by more than its fee most slots
        referencePrice: devnetReferencePrice(3, 0.05, 0, minimalChainConfig.SECONDS_PER_SLOT),
        feeRecipient: toHex(HOLDER_FEE_RECIPIENT),
      },
    });
    try {
      const realised: { slot: number; buyer: number; gwei: number; valuation: number }[] = [];
      node.on("holderMevRealised", (slot, buyer, gwei, valuation) => realised.push({ slot, buyer, gwei, valuation }));
      // A user's large swap waits in the pool: whoever builds first carries it
      const [user] = devAccounts(1);
      const swap = createFeeMarket1559Tx(
        {
          chainId: BigInt(exec.el.chainId),
          nonce: 0n,
          to: AMM_ADDRESS,
          value: 300n * 10n ** 18n,
          data: ammCalldata.swapEthForToken(0n),
          gasLimit: AMM_SWAP_GAS_LIMIT,
          maxFeePerGas: 10n ** 11n,
          maxPriorityFeePerGas: 10n ** 9n,
        },
        { common: exec.el.common },
      ).sign(user.privateKey);
      await exec.el.sendRawTransaction(swap.serialize());

      await runAsync(1, SLOTS);
      assert.deepEqual(
        rejected.filter((r) => !r.startsWith("ticket_purchase")),
        [],
      );
      assert.ok(realised.length > 0, "holders revealed payloads built on the EVM");
      const positive = realised.filter((r) => r.gwei > 0);
      assert.ok(positive.length > 0, JSON.stringify(realised));
      // The arbitrage is on chain: the searcher's nonce moved, once per back-run payload at most
      const { nonce } = await exec.el.getAccount(searcher.address);
      assert.ok(nonce >= 1n && nonce <= BigInt(realised.length), `nonce ${nonce}`);
      // Each holder's valuation left the synthetic prior as it realised MEV
      for (const r of positive) {
        assert.notEqual(r.valuation, ticketValuation(appetiteOf(r.buyer, BUYERS)), JSON.stringify(r));
      }
    } finally {
      await exec.close();
    }
  });
});
