import type { Block } from "@ethereumjs/block";
import { createFeeMarket1559Tx, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToBigInt, bytesToHex, createAddressFromString, hexToBytes, privateToAddress } from "@ethereumjs/util";
import type { VM } from "@ethereumjs/vm";
import { AMM_ADDRESS, AMM_SWAP_GAS_LIMIT, ammCalldata, type Reserves } from "./amm.ts";
import { AMM_STORAGE_SLOTS } from "./ammArtifact.ts";
import { balanceSlot } from "./ammGenesis.ts";
import { optimalArbitrage, valueAt } from "./arbitrage.ts";
import type { ReferencePrice } from "./referencePrice.ts";

/** What a payload's back-run realised: the searcher's gain valued at the reference price (gas paid included). */
export interface RealisedMev {
  /** Wei at the reference price; 0 when no trade paid. */
  realisedWei: bigint;
  /** The reference price the payload was built against (wei per TKN-wei, scaled by PRICE_SCALE). */
  referencePrice: bigint;
  /** The arbitrage transaction's hash, or null when none was included. */
  txHash: string | null;
}

export interface SearcherOptions {
  /** The account that trades (its ETH and TKN are the capital; devnets use a funded dev key). */
  privateKey: Uint8Array;
  referencePrice: ReferencePrice;
  /** Back-run only payloads built for this fee recipient (0x hex); every payload when absent. */
  feeRecipient?: string;
}

const slotKey = (slot: number) => {
  const key = new Uint8Array(32);
  key[31] = slot;
  return key;
};

/**
 * A payload builder's own arbitrage: after the mempool's transactions (user swaps among them), one
 * swap from the searcher's account that brings the AMM back to the reference price, worth more
 * than the gas it burns. It pays no tip (it needs none to be included by its own builder).
 */
export class Searcher {
  readonly address: string;
  private readonly opts: SearcherOptions;

  constructor(opts: SearcherOptions) {
    this.opts = opts;
    this.address = bytesToHex(privateToAddress(opts.privateKey));
  }

  /** Whether a payload for `feeRecipient` is one this searcher back-runs. */
  buildsFor(feeRecipient: string): boolean {
    return this.opts.feeRecipient === undefined || this.opts.feeRecipient.toLowerCase() === feeRecipient.toLowerCase();
  }

  private async value(vm: VM, price: bigint): Promise<{ eth: bigint; token: bigint; nonce: bigint; value: bigint }> {
    const sm = vm.stateManager;
    const me = createAddressFromString(this.address);
    const account = await sm.getAccount(me);
    const token = bytesToBigInt(
      await sm.getStorage(createAddressFromString(AMM_ADDRESS), hexToBytes(balanceSlot(this.address) as `0x${string}`)),
    );
    const eth = account?.balance ?? 0n;
    return { eth, token, nonce: account?.nonce ?? 0n, value: valueAt(eth, token, price) };
  }

  /** The pool's reserves in the state `vm` is on (mid-build: after the transactions run so far). */
  static async reserves(vm: VM): Promise<Reserves> {
    const amm = createAddressFromString(AMM_ADDRESS);
    if (!(await vm.stateManager.getAccount(amm))) return { eth: 0n, token: 0n };
    const eth = bytesToBigInt(await vm.stateManager.getStorage(amm, slotKey(AMM_STORAGE_SLOTS.reserveEth)));
    const token = bytesToBigInt(await vm.stateManager.getStorage(amm, slotKey(AMM_STORAGE_SLOTS.reserveToken)));
    return { eth, token };
  }

  /**
   * Append the arbitrage to the payload being built on `context` (its header: base fee, timestamp),
   * through `include` (which runs it and answers whether it went in). Returns what it realised.
   */
  async backrun(vm: VM, context: Block, include: (tx: TypedTransaction) => Promise<boolean>): Promise<RealisedMev> {
    const price = this.opts.referencePrice.at(Number(context.header.timestamp));
    const none = { realisedWei: 0n, referencePrice: price, txHash: null };
    const baseFee = context.header.baseFeePerGas ?? 0n;
    const gasCost = AMM_SWAP_GAS_LIMIT * baseFee;
    const before = await this.value(vm, price);
    const reserves = await Searcher.reserves(vm);
    const arb = optimalArbitrage(reserves, price, {
      eth: before.eth > gasCost ? before.eth - gasCost : 0n,
      token: before.token,
    });
    // Worth doing only when it earns more than the gas it may burn
    if (arb === null || arb.profitWei <= gasCost) return none;
    const tx = createFeeMarket1559Tx(
      {
        chainId: vm.common.chainId(),
        nonce: before.nonce,
        to: AMM_ADDRESS,
        value: arb.ethIn ? arb.amountIn : 0n,
        data: arb.ethIn
          ? ammCalldata.swapEthForToken(arb.amountOut)
          : ammCalldata.swapTokenForEth(arb.amountIn, arb.amountOut),
        gasLimit: AMM_SWAP_GAS_LIMIT,
        maxFeePerGas: baseFee,
        maxPriorityFeePerGas: 0n,
      },
      { common: vm.common },
    ).sign(this.opts.privateKey);
    if (!(await include(tx))) return none;
    const after = await this.value(vm, price);
    return { realisedWei: after.value - before.value, referencePrice: price, txHash: bytesToHex(tx.hash()) };
  }
}
