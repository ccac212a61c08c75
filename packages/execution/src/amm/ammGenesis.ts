import { bytesToHex, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { GenesisContract } from "../el/genesis.ts";
import { AMM_ADDRESS, PRICE_SCALE, type Reserves } from "./amm.ts";
import { AMM_RUNTIME_BYTECODE, AMM_STORAGE_SLOTS } from "./ammArtifact.ts";

const ETHER = 10n ** 18n;
/** The devnet pool: 10,000 ETH against 10,000,000 TKN (0.001 ETH per TKN). */
export const DEV_POOL_RESERVES: Reserves = { eth: 10_000n * ETHER, token: 10_000_000n * ETHER };
/** TKN each dev account holds at genesis (so that it can sell and transfer). */
export const DEV_ACCOUNT_TOKENS = 1_000_000n * ETHER;

const slotKey = (slot: number) => bytesToHex(setLengthLeft(hexToBytes(`0x${slot.toString(16).padStart(2, "0")}`), 32));

/** Storage key of `balanceOf[owner]`: keccak256(pad32(owner) ‖ pad32(slot)), solc's mapping layout. */
export function balanceSlot(owner: string): string {
  const preimage = new Uint8Array(64);
  preimage.set(setLengthLeft(hexToBytes(owner as `0x${string}`), 32), 0);
  preimage.set(setLengthLeft(hexToBytes(`0x${AMM_STORAGE_SLOTS.balanceOf.toString(16).padStart(2, "0")}`), 32), 32);
  return bytesToHex(keccak_256(preimage));
}

const value = (v: bigint) => {
  const hex = v.toString(16);
  return `0x${hex.length % 2 === 0 ? hex : `0${hex}`}`;
};

/**
 * The AMM as a genesis account: its runtime code, its reserves and each holder's TKN balance in
 * storage (the layout `contracts/compile.ts` read from solc). Its ETH balance (the ETH reserve) is
 * the alloc's to give.
 */
export function ammGenesisContract(
  reserves: Reserves,
  holders: readonly string[],
  tokensEach: bigint,
): GenesisContract {
  const storage: Record<string, string> = {
    [slotKey(AMM_STORAGE_SLOTS.reserveEth)]: value(reserves.eth),
    [slotKey(AMM_STORAGE_SLOTS.reserveToken)]: value(reserves.token),
  };
  for (const holder of holders) storage[balanceSlot(holder)] = value(tokensEach);
  return { code: AMM_RUNTIME_BYTECODE, storage };
}

/** The genesis pool's price: wei per TKN-wei scaled by PRICE_SCALE. */
export function devPoolPrice(): bigint {
  return (DEV_POOL_RESERVES.eth * PRICE_SCALE) / DEV_POOL_RESERVES.token;
}

export { AMM_ADDRESS };
