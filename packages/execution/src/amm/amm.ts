import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

/** Where the devnet genesis places the ETH/TKN constant-product AMM (contracts/ConstantProductAmm.sol). */
export const AMM_ADDRESS = "0x00000000000000000000000000000000000a0a01";
/** The contract's swap fee, as in the Solidity source: FEE_BPS / BPS of the input stays in the pool. */
export const AMM_FEE_BPS = 30n;
export const AMM_BPS = 10_000n;
/** Gas a swap or token transfer may use at most (a swap measures ~60k; ETH out of the pool calls the trader). */
export const AMM_SWAP_GAS_LIMIT = 120_000n;
/** One TKN: the token has 18 decimals like ETH, so prices are wei per TKN-wei scaled by PRICE_SCALE. */
export const PRICE_SCALE = 10n ** 18n;

const WORD_BYTES = 32;

function selector(signature: string): string {
  return bytesToHex(keccak_256(new TextEncoder().encode(signature)).subarray(0, 4)).slice(2);
}

const word = (value: bigint) => value.toString(16).padStart(WORD_BYTES * 2, "0");
const addressWord = (address: string) =>
  address
    .toLowerCase()
    .replace(/^0x/, "")
    .padStart(WORD_BYTES * 2, "0");

export const AMM_SELECTORS = {
  swapEthForToken: selector("swapEthForToken(uint256)"),
  swapTokenForEth: selector("swapTokenForEth(uint256,uint256)"),
  transfer: selector("transfer(address,uint256)"),
  getReserves: selector("getReserves()"),
  balanceOf: selector("balanceOf(address)"),
  getAmountOut: selector("getAmountOut(uint256,uint256,uint256)"),
} as const;

/** Calldata of the AMM's functions (the ABI's head-only encoding: every argument is one word). */
export const ammCalldata = {
  swapEthForToken: (minOut: bigint) => hexToBytes(`0x${AMM_SELECTORS.swapEthForToken}${word(minOut)}`),
  swapTokenForEth: (amountIn: bigint, minOut: bigint) =>
    hexToBytes(`0x${AMM_SELECTORS.swapTokenForEth}${word(amountIn)}${word(minOut)}`),
  transfer: (to: string, amount: bigint) => hexToBytes(`0x${AMM_SELECTORS.transfer}${addressWord(to)}${word(amount)}`),
  getReserves: () => hexToBytes(`0x${AMM_SELECTORS.getReserves}`),
  balanceOf: (owner: string) => hexToBytes(`0x${AMM_SELECTORS.balanceOf}${addressWord(owner)}`),
  getAmountOut: (amountIn: bigint, reserveIn: bigint, reserveOut: bigint) =>
    hexToBytes(`0x${AMM_SELECTORS.getAmountOut}${word(amountIn)}${word(reserveIn)}${word(reserveOut)}`),
};

/** The i-th 32-byte word of an ABI return value. */
export function returnWord(data: Uint8Array, i: number): bigint {
  const slice = data.subarray(i * WORD_BYTES, (i + 1) * WORD_BYTES);
  return slice.length === WORD_BYTES ? BigInt(bytesToHex(slice)) : 0n;
}

export interface Reserves {
  eth: bigint;
  token: bigint;
}

/** What `amountIn` of one side buys of the other: the contract's `getAmountOut`, in bigint. */
export function getAmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const inWithFee = amountIn * (AMM_BPS - AMM_FEE_BPS);
  return (inWithFee * reserveOut) / (reserveIn * AMM_BPS + inWithFee);
}

/** The pool's marginal price (before fee): wei per TKN-wei, scaled by PRICE_SCALE. */
export function poolPrice(r: Reserves): bigint {
  return r.token === 0n ? 0n : (r.eth * PRICE_SCALE) / r.token;
}

/** floor(sqrt(n)) for n >= 0 (Newton's method on bigints, from a power of two above the root). */
export function bigintSqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("square root of a negative number");
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  let y = (x + n / x) >> 1n;
  while (y < x) {
    x = y;
    y = (x + n / x) >> 1n;
  }
  return x;
}
