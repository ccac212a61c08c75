import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import {
  AMM_ADDRESS,
  AMM_SWAP_GAS_LIMIT,
  ammCalldata,
  getAmountOut,
  PRICE_SCALE,
  poolPrice,
  returnWord,
} from "../amm/amm.ts";
import type { ReferencePrice } from "../amm/referencePrice.ts";
import { type DevAccount, parisCommon } from "../el/genesis.ts";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";

/** Gas of a plain ETH transfer. */
const TRANSFER_GAS = 21_000n;
/** Fee cap of the generator's transactions (100 Gwei) and the range of their tips (1 to 3 Gwei). */
const MAX_FEE_PER_GAS = 100_000_000_000n;
const MIN_TIP = 1_000_000_000n;
const TIP_SPREAD = 2_000_000_000n;
/** A swap's size: log-uniform between these (ETH), so most are small and a few move the pool. */
const MIN_SWAP_ETH = 0.1;
const MAX_SWAP_ETH = 50;
/** ETH transfers: between these (ETH). */
const MAX_TRANSFER_ETH = 1;
/** Chance that a swap trades toward the reference price (informed flow); the rest is noise. */
const INFORMED_SHARE = 0.3;
/** A user's slippage bound: the swap reverts below this share of its quoted output (2%). */
const SLIPPAGE_BPS = 200n;
const BPS = 10_000n;
const RPC_TIMEOUT_MS = 2_000;

export interface TrafficOptions {
  /** eth_ JSON-RPC endpoints; each transaction goes to one of them, in turn (gossip spreads it). */
  rpcUrls: readonly string[];
  /** The users' accounts (they must hold ETH and TKN in the genesis). */
  accounts: readonly DevAccount[];
  chainId: number;
  /** Transactions per second (all kinds). */
  rate: number;
  /** Share of swaps among the transactions (the rest: ETH transfers). */
  swapShare: number;
  referencePrice: ReferencePrice;
  /** Seeded choices (amounts, directions, senders); Math.random when absent. */
  random?: () => number;
  onError?: (error: Error) => void;
}

export interface TrafficStats {
  sent: number;
  /** Ticks skipped because the previous transaction was still being sent (the endpoints lag the rate). */
  skipped: number;
  swaps: number;
  transfers: number;
  failed: number;
  /** Transactions each endpoint accepted. */
  perEndpoint: number[];
}

interface RpcResponse<T> {
  result?: T;
  error?: { code: number; message: string };
}

/** One JSON-RPC call over HTTP. */
export async function ethRpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
  } catch (e) {
    throw new ExecutionError(ExecutionErrorCode.ENGINE_UNREACHABLE, `${url}: ${(e as Error).message}`, { method });
  }
  const body = (await res.json()) as RpcResponse<T>;
  if (body.error) {
    throw new ExecutionError(ExecutionErrorCode.ENGINE_RPC_ERROR, body.error.message, {
      method,
      code: body.error.code,
    });
  }
  return body.result as T;
}

/**
 * Users' traffic against a devnet's eth_ endpoints: signed ETH transfers and AMM swaps at `rate`
 * per second, while the reference price follows its walk. Swaps are mostly noise (random side,
 * log-uniform size), some informed (toward the reference): each moves the pool away from or
 * toward the reference, so builders find arbitrage and back-running opportunities.
 */
export class TrafficGenerator {
  readonly stats: TrafficStats;
  private readonly opts: TrafficOptions;
  private readonly random: () => number;
  private readonly common;
  private readonly nonces = new Map<string, bigint>();
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(opts: TrafficOptions) {
    if (opts.rpcUrls.length === 0 || opts.accounts.length === 0 || !(opts.rate > 0)) {
      throw new ExecutionError(ExecutionErrorCode.TX_INVALID, "traffic needs endpoints, accounts and a positive rate");
    }
    this.opts = opts;
    this.random = opts.random ?? Math.random;
    this.common = parisCommon(opts.chainId);
    this.stats = { sent: 0, skipped: 0, swaps: 0, transfers: 0, failed: 0, perEndpoint: opts.rpcUrls.map(() => 0) };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // One at a time, so a sender's nonces go out in order; a tick while one is still on its way is
      // skipped rather than queued (slow endpoints would otherwise pile up a backlog without bound)
      if (this.busy) {
        this.stats.skipped++;
        return;
      }
      this.busy = true;
      this.inFlight = this.sendOne().then(
        () => {
          this.busy = false;
        },
        (e) => {
          this.busy = false;
          this.fail(e);
        },
      );
    }, 1000 / this.opts.rate);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private fail(e: unknown): void {
    this.stats.failed++;
    this.opts.onError?.(e as Error);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)];
  }

  private async nonceOf(url: string, account: DevAccount): Promise<bigint> {
    const known = this.nonces.get(account.address);
    if (known !== undefined) return known;
    const nonce = BigInt(await ethRpc<string>(url, "eth_getTransactionCount", [account.address, "pending"]));
    this.nonces.set(account.address, nonce);
    return nonce;
  }

  /** Sign and send one transaction (a swap or a transfer) to the next endpoint. */
  async sendOne(): Promise<string> {
    const endpoint = this.next++ % this.opts.rpcUrls.length;
    const url = this.opts.rpcUrls[endpoint];
    const sender = this.pick(this.opts.accounts);
    const nonce = await this.nonceOf(url, sender);
    const swap = this.random() < this.opts.swapShare;
    const tip = MIN_TIP + BigInt(Math.floor(this.random() * Number(TIP_SPREAD)));
    const base = {
      nonce,
      maxFeePerGas: MAX_FEE_PER_GAS,
      maxPriorityFeePerGas: tip,
      chainId: BigInt(this.opts.chainId),
    };
    let tx: ReturnType<typeof createFeeMarket1559Tx>;
    if (swap) {
      tx = createFeeMarket1559Tx(
        { ...base, ...(await this.swapFields(url)), gasLimit: AMM_SWAP_GAS_LIMIT },
        { common: this.common },
      );
    } else {
      const recipient = this.pick(this.opts.accounts.filter((a) => a !== sender));
      const value = BigInt(Math.floor(this.random() * MAX_TRANSFER_ETH * 1e9)) * 10n ** 9n;
      tx = createFeeMarket1559Tx(
        { ...base, to: (recipient?.address ?? sender.address) as `0x${string}`, value, gasLimit: TRANSFER_GAS },
        { common: this.common },
      );
    }
    const signed = tx.sign(sender.privateKey);
    try {
      const hash = await ethRpc<string>(url, "eth_sendRawTransaction", [bytesToHex(signed.serialize())]);
      this.nonces.set(sender.address, nonce + 1n);
      this.stats.sent++;
      this.stats.perEndpoint[endpoint]++;
      if (swap) this.stats.swaps++;
      else this.stats.transfers++;
      return hash;
    } catch (e) {
      // A nonce out of step (a transaction dropped or included elsewhere): ask the node again next time
      this.nonces.delete(sender.address);
      throw e;
    }
  }

  /** A swap's target, value and calldata, sized and sided against the pool the endpoint sees. */
  private async swapFields(url: string): Promise<{ to: `0x${string}`; value: bigint; data: Uint8Array }> {
    const reserves = await ethRpc<string>(url, "eth_call", [
      { to: AMM_ADDRESS, data: bytesToHex(ammCalldata.getReserves()) },
      "latest",
    ]);
    const bytes = Uint8Array.from(Buffer.from(reserves.slice(2), "hex"));
    const r = { eth: returnWord(bytes, 0), token: returnWord(bytes, 1) };
    const reference = this.opts.referencePrice.at(Date.now() / 1000);
    const informed = this.random() < INFORMED_SHARE;
    // Informed flow buys TKN when the pool's price is below the reference; noise picks a side at random
    const ethIn = informed ? poolPrice(r) < reference : this.random() < 0.5;
    const sizeEth = MIN_SWAP_ETH * (MAX_SWAP_ETH / MIN_SWAP_ETH) ** this.random();
    const ethAmount = BigInt(Math.floor(sizeEth * 1e9)) * 10n ** 9n;
    if (ethIn) {
      const quote = getAmountOut(ethAmount, r.eth, r.token);
      return {
        to: AMM_ADDRESS,
        value: ethAmount,
        data: ammCalldata.swapEthForToken((quote * (BPS - SLIPPAGE_BPS)) / BPS),
      };
    }
    const tokenAmount = (ethAmount * PRICE_SCALE) / (reference > 0n ? reference : 1n);
    const quote = getAmountOut(tokenAmount, r.token, r.eth);
    return {
      to: AMM_ADDRESS,
      value: 0n,
      data: ammCalldata.swapTokenForEth(tokenAmount, (quote * (BPS - SLIPPAGE_BPS)) / BPS),
    };
  }
}
