import { AMM_BPS, AMM_FEE_BPS, bigintSqrt, getAmountOut, PRICE_SCALE, type Reserves } from "./amm.ts";

/** The trade that brings the pool to the reference price, and what it earns valued there. */
export interface Arbitrage {
  /** True: sell ETH for TKN (the pool's TKN is cheap); false: sell TKN for ETH. */
  ethIn: boolean;
  amountIn: bigint;
  amountOut: bigint;
  /** Profit in wei at the reference price, before gas: value out minus value in. */
  profitWei: bigint;
}

/** Value in wei of `eth` wei plus `token` TKN-wei at `price` (wei per TKN-wei, scaled by PRICE_SCALE). */
export function valueAt(eth: bigint, token: bigint, price: bigint): bigint {
  return eth + (token * price) / PRICE_SCALE;
}

/**
 * The profit-maximising swap against a constant-product pool with fee γ = 1 - FEE_BPS/BPS, given an
 * external price `price` (wei per TKN-wei, scaled by PRICE_SCALE) at which the arbitrageur can
 * value (and hedge) the other leg. With reserves (x ETH, y TKN):
 * - the pool's TKN is cheap (x/y < price): sell a ETH, out(a) = γay/(x+γa); d/da [out(a)·price − a] = 0
 *   gives x + γa = sqrt(γ·price·x·y);
 * - the pool's TKN is dear: sell b TKN, d/db [out(b) − b·price] = 0 gives y + γb = sqrt(γ·x·y/price).
 * After the trade the pool's marginal price net of fee equals the reference. Null when no trade
 * is profitable (the deviation is within the fee) or `maxIn` is 0.
 */
export function optimalArbitrage(r: Reserves, price: bigint, maxIn?: { eth: bigint; token: bigint }): Arbitrage | null {
  if (r.eth <= 0n || r.token <= 0n || price <= 0n) return null;
  const gammaNum = AMM_BPS - AMM_FEE_BPS;
  let ethIn: boolean;
  let amountIn: bigint;
  // γ·price·x·y with γ = gammaNum / BPS and price scaled by PRICE_SCALE
  const ethSideRoot = bigintSqrt((gammaNum * price * r.eth * r.token) / (AMM_BPS * PRICE_SCALE));
  if (ethSideRoot > r.eth) {
    ethIn = true;
    amountIn = ((ethSideRoot - r.eth) * AMM_BPS) / gammaNum;
  } else {
    const tokenSideRoot = bigintSqrt((gammaNum * r.eth * r.token * PRICE_SCALE) / (AMM_BPS * price));
    if (tokenSideRoot <= r.token) return null;
    ethIn = false;
    amountIn = ((tokenSideRoot - r.token) * AMM_BPS) / gammaNum;
  }
  if (maxIn) {
    const cap = ethIn ? maxIn.eth : maxIn.token;
    if (amountIn > cap) amountIn = cap;
  }
  if (amountIn <= 0n) return null;
  const amountOut = ethIn ? getAmountOut(amountIn, r.eth, r.token) : getAmountOut(amountIn, r.token, r.eth);
  const profitWei = ethIn ? valueAt(0n, amountOut, price) - amountIn : amountOut - valueAt(0n, amountIn, price);
  if (profitWei <= 0n) return null;
  return { ethIn, amountIn, amountOut, profitWei };
}
