import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bigIntToHex, bytesToHex, hexToBytes, intToHex } from "@ethereumjs/util";
import type { ExecutionLayer } from "../el/executionLayer.ts";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";
import { formatBlock, formatReceipt, formatTx } from "./format.ts";
import { RpcCode, RpcError } from "./rpcError.ts";

export type RpcHandler = (params: unknown[]) => Promise<unknown>;

/** Tip suggested to wallets (1 Gwei): the embedded EL has no fee market to sample. */
const SUGGESTED_TIP = 1_000_000_000n;
/** eth_estimateGas pads the measured gas (calls that refund or branch on gas left need room). */
const ESTIMATE_PADDING_PERCENT = 20n;

type CallParams = { from?: string; to?: string; data?: string; input?: string; value?: string; gas?: string };

function hexParam(value: unknown, name: string): `0x${string}` {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]*$/.test(value)) {
    throw new RpcError(RpcCode.INVALID_PARAMS, `${name} must be 0x-prefixed hex`);
  }
  return value as `0x${string}`;
}

/** 0x-hex of exactly `bytes` bytes (an address, a hash). */
function fixedHexParam(value: unknown, name: string, bytes: number): `0x${string}` {
  const hex = hexParam(value, name);
  if (hex.length !== 2 + 2 * bytes) throw new RpcError(RpcCode.INVALID_PARAMS, `${name} must be ${bytes} bytes`);
  return hex;
}

/** 0x-hex of whole bytes (an even number of digits). */
function bytesParam(value: unknown, name: string): `0x${string}` {
  const hex = hexParam(value, name);
  if (hex.length % 2 !== 0) throw new RpcError(RpcCode.INVALID_PARAMS, `${name} must be whole bytes`);
  return hex;
}

const BLOCK_TAGS = new Set(["latest", "pending", "safe", "finalized", "earliest"]);
const QUANTITY = /^0x[0-9a-fA-F]{1,16}$/;

/** A block tag or number (a bare one, or `{blockNumber}`); "latest" when absent. */
function tagParam(value: unknown): string {
  if (value === undefined || value === null) return "latest";
  const tag = typeof value === "object" && "blockNumber" in value ? value.blockNumber : value;
  if (typeof tag !== "string" || !(BLOCK_TAGS.has(tag) || QUANTITY.test(tag))) {
    throw new RpcError(RpcCode.INVALID_PARAMS, "block must be a tag or a 0x quantity of at most 64 bits");
  }
  return tag;
}

/** A call object: an object whose given fields are hex; its `data` is `input` when only that is given. */
function callParam(value: unknown): CallParams {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RpcError(RpcCode.INVALID_PARAMS, "call must be an object");
  }
  const c = value as Record<string, unknown>;
  if (c.from !== undefined) fixedHexParam(c.from, "from", 20);
  if (c.to !== undefined && c.to !== null) fixedHexParam(c.to, "to", 20);
  for (const field of ["data", "input"] as const) if (c[field] !== undefined) bytesParam(c[field], field);
  for (const field of ["value", "gas"] as const) if (c[field] !== undefined) hexParam(c[field], field);
  const call = c as CallParams;
  return { ...call, to: call.to ?? undefined, data: call.data ?? call.input };
}

export interface EthMethodsOptions {
  /** Told of each transaction `eth_sendRawTransaction` pooled (the node gossips users' transactions to its peers). */
  onTransaction?: (raw: Uint8Array, hash: string) => void;
}

/** The user-facing subset of the eth_ namespace, enough for viem/ethers scripts. */
export function ethMethods(el: ExecutionLayer, opts: EthMethodsOptions = {}): Record<string, RpcHandler> {
  return {
    eth_chainId: async () => intToHex(el.chainId),
    net_version: async () => String(el.chainId),
    web3_clientVersion: async () => "turnstile-embedded-el",
    eth_syncing: async () => false,
    eth_blockNumber: async () => bigIntToHex(el.headBlock().header.number),
    eth_gasPrice: async () => bigIntToHex(el.headBlock().header.calcNextBaseFee() + SUGGESTED_TIP),
    eth_maxPriorityFeePerGas: async () => bigIntToHex(SUGGESTED_TIP),
    eth_getBalance: async ([address, tag]) =>
      bigIntToHex((await el.getAccount(fixedHexParam(address, "address", 20), tagParam(tag))).balance),
    eth_getTransactionCount: async ([address, tag]) =>
      bigIntToHex((await el.getAccount(fixedHexParam(address, "address", 20), tagParam(tag))).nonce),
    eth_sendRawTransaction: async ([raw]) => {
      const bytes = hexToBytes(bytesParam(raw, "transaction"));
      const hash = await el.sendRawTransaction(bytes);
      opts.onTransaction?.(bytes, hash);
      return hash;
    },
    eth_getTransactionReceipt: async ([hash]) => {
      const found = await el.receipt(fixedHexParam(hash, "hash", 32).toLowerCase());
      return found ? formatReceipt(found.block, found.index, found.receipts) : null;
    },
    eth_getTransactionByHash: async ([hash]) => {
      const key = fixedHexParam(hash, "hash", 32).toLowerCase();
      const found = await el.receipt(key);
      if (found) return formatTx(found.block.transactions[found.index], found.block, found.index);
      const pending = el.mempool.get(key);
      return pending ? formatTx(pending, null, null) : null;
    },
    eth_getBlockByNumber: async ([tag, full]) => {
      try {
        return formatBlock(await el.blockAt(tagParam(tag)), full === true);
      } catch (e) {
        if (e instanceof ExecutionError && e.code === ExecutionErrorCode.UNKNOWN_BLOCK) return null;
        throw e;
      }
    },
    eth_getBlockByHash: async ([hash, full]) => {
      const block = await el.store.getBlock(fixedHexParam(hash, "hash", 32).toLowerCase());
      return block ? formatBlock(block, full === true) : null;
    },
    eth_call: async ([call, tag]) => {
      const result = await el.call(callParam(call), tagParam(tag));
      if (result.error !== null) throw new RpcError(RpcCode.SERVER_ERROR, `execution reverted: ${result.error}`);
      return bytesToHex(result.returnValue);
    },
    eth_estimateGas: async ([call, tag]) => {
      const c = callParam(call);
      const result = await el.call(c, tagParam(tag));
      if (result.error !== null) throw new RpcError(RpcCode.SERVER_ERROR, `execution reverted: ${result.error}`);
      // What the transaction pays before any code runs (base, calldata, creation): EIP-2028 rules
      const intrinsic = createFeeMarket1559Tx(
        { to: c.to as `0x${string}` | undefined, data: c.data ? hexToBytes(c.data as `0x${string}`) : undefined },
        { common: el.common },
      ).getIntrinsicGas();
      return bigIntToHex(intrinsic + (result.gasUsed * (100n + ESTIMATE_PADDING_PERCENT)) / 100n);
    },
  };
}
