import { type Block, createBlock } from "@ethereumjs/block";
import { type Common, createCustomCommon, Hardfork, Mainnet } from "@ethereumjs/common";
import type { MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, Address, bytesToHex, hexToBytes, privateToAddress, setLengthLeft } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { AMM_ADDRESS } from "../amm/amm.ts";
import { ammGenesisContract, DEV_ACCOUNT_TOKENS, DEV_POOL_RESERVES } from "../amm/ammGenesis.ts";
import { ExecutionError, ExecutionErrorCode } from "../errors.ts";
import { fastEcrecover } from "./nativeEcrecover.ts";

/** Chain id of a Turnstile devnet's execution layer unless its genesis says otherwise. */
export const DEFAULT_CHAIN_ID = 7011;
/** Gas limit of the genesis block; payloads keep their parent's (the embedded EL does not vote it up or down). */
export const DEFAULT_EL_GAS_LIMIT = 30_000_000;
/** EIP-1559's initial base fee (1 Gwei). */
export const INITIAL_BASE_FEE = 1_000_000_000n;
/** Balance of each dev account: 1,000,000 ETH. */
export const DEV_ACCOUNT_BALANCE = 10n ** 24n;
export const DEFAULT_DEV_ACCOUNTS = 10;

/** An execution genesis in the shape of geth's genesis.json (the fields this EL reads). */
export interface ExecutionGenesis {
  chainId: number;
  gasLimit: number;
  baseFeePerGas: bigint;
  /** Address (0x hex) → balance in wei. */
  alloc: Record<string, bigint>;
  /** Address (0x hex) → code and storage (geth's alloc `code` and `storage`); the balance is the alloc's. */
  contracts?: Record<string, GenesisContract>;
}

/** A contract in the genesis: runtime code and storage slots, all 0x hex. */
export interface GenesisContract {
  code: string;
  storage: Record<string, string>;
}

export interface DevAccount {
  privateKey: Uint8Array;
  address: string;
}

/** Well-known dev keys: keccak256("turnstile-dev-account-" + i). Public on purpose: devnets only. */
export function devAccounts(count = DEFAULT_DEV_ACCOUNTS): DevAccount[] {
  const accounts: DevAccount[] = [];
  for (let i = 0; i < count; i++) {
    const privateKey = keccak_256(new TextEncoder().encode(`turnstile-dev-account-${i}`));
    accounts.push({ privateKey, address: bytesToHex(privateToAddress(privateKey)) });
  }
  return accounts;
}

/** Funded accounts that nodes' payload builders trade from (their arbitrage), apart from the users' dev accounts. */
export const DEFAULT_SEARCHER_ACCOUNTS = 8;

/** The i-th searcher key: keccak256("turnstile-searcher-" + i). Public on purpose: devnets only. */
export function searcherAccount(i: number): DevAccount {
  const privateKey = keccak_256(new TextEncoder().encode(`turnstile-searcher-${i}`));
  return { privateKey, address: bytesToHex(privateToAddress(privateKey)) };
}

/**
 * The devnet execution genesis: `accounts` funded dev accounts and DEFAULT_SEARCHER_ACCOUNTS
 * searcher accounts, each also holding TKN, and the
 * ETH/TKN constant-product AMM (contracts/ConstantProductAmm.sol) with its reserves at AMM_ADDRESS.
 */
export function devGenesis(chainId = DEFAULT_CHAIN_ID, accounts = DEFAULT_DEV_ACCOUNTS): ExecutionGenesis {
  const alloc: Record<string, bigint> = {};
  const searchers = Array.from({ length: DEFAULT_SEARCHER_ACCOUNTS }, (_, i) => searcherAccount(i).address);
  const holders = [...devAccounts(accounts).map((a) => a.address), ...searchers];
  for (const address of holders) alloc[address] = DEV_ACCOUNT_BALANCE;
  alloc[AMM_ADDRESS] = DEV_POOL_RESERVES.eth;
  const contracts = { [AMM_ADDRESS]: ammGenesisContract(DEV_POOL_RESERVES, holders, DEV_ACCOUNT_TOKENS) };
  return { chainId, gasLimit: DEFAULT_EL_GAS_LIMIT, baseFeePerGas: INITIAL_BASE_FEE, alloc, contracts };
}

/** Parse a genesis.json: `{config: {chainId}, gasLimit, baseFeePerGas, alloc: {addr: {balance, code?, storage?}}}`. */
export function parseGenesisJson(text: string): ExecutionGenesis {
  try {
    const json = JSON.parse(text) as {
      config?: { chainId?: number };
      gasLimit?: string | number;
      baseFeePerGas?: string | number;
      alloc?: Record<string, { balance: string | number; code?: string; storage?: Record<string, string> }>;
    };
    const alloc: Record<string, bigint> = {};
    const contracts: Record<string, GenesisContract> = {};
    for (const [address, account] of Object.entries(json.alloc ?? {})) {
      const hex = address.startsWith("0x") ? address : `0x${address}`;
      const key = new Address(hexToBytes(hex as `0x${string}`)).toString();
      alloc[key] = BigInt(account.balance);
      if (account.code !== undefined) {
        hexToBytes(account.code as `0x${string}`);
        contracts[key] = { code: account.code, storage: account.storage ?? {} };
      }
    }
    return {
      chainId: json.config?.chainId ?? DEFAULT_CHAIN_ID,
      gasLimit: json.gasLimit === undefined ? DEFAULT_EL_GAS_LIMIT : Number(BigInt(json.gasLimit)),
      baseFeePerGas: json.baseFeePerGas === undefined ? INITIAL_BASE_FEE : BigInt(json.baseFeePerGas),
      alloc,
      ...(Object.keys(contracts).length > 0 ? { contracts } : {}),
    };
  } catch (e) {
    throw new ExecutionError(ExecutionErrorCode.BAD_GENESIS, `malformed execution genesis: ${(e as Error).message}`);
  }
}

/** Paris rules (the merge, no withdrawals): what Bellatrix's ExecutionPayload carries. */
export function parisCommon(chainId: number): Common {
  return createCustomCommon({ chainId, name: "turnstile" }, Mainnet, {
    hardfork: Hardfork.Paris,
    customCrypto: { ecrecover: fastEcrecover },
  });
}

/** Write the alloc into `sm` (on an empty trie) and return the genesis block at `timestamp`. */
export async function buildGenesisBlock(
  common: Common,
  sm: MerkleStateManager,
  genesis: ExecutionGenesis,
  timestamp: number,
): Promise<Block> {
  await sm.checkpoint();
  for (const [address, balance] of Object.entries(genesis.alloc)) {
    await sm.putAccount(new Address(hexToBytes(address as `0x${string}`)), new Account(0n, balance));
  }
  for (const [address, contract] of Object.entries(genesis.contracts ?? {})) {
    const at = new Address(hexToBytes(address as `0x${string}`));
    if ((await sm.getAccount(at)) === undefined) await sm.putAccount(at, new Account(0n, 0n));
    await sm.putCode(at, hexToBytes(contract.code as `0x${string}`));
    for (const [slot, value] of Object.entries(contract.storage)) {
      await sm.putStorage(at, setLengthLeft(hexToBytes(slot as `0x${string}`), 32), hexToBytes(value as `0x${string}`));
    }
  }
  await sm.commit();
  const stateRoot = await sm.getStateRoot();
  return createBlock(
    {
      header: {
        number: 0n,
        gasLimit: BigInt(genesis.gasLimit),
        baseFeePerGas: genesis.baseFeePerGas,
        timestamp: BigInt(timestamp),
        stateRoot,
        difficulty: 0n,
      },
    },
    { common },
  );
}

/** The genesis block hash of `genesis` at `timestamp`, without a database (for the beacon genesis state). */
export async function computeGenesisBlock(genesis: ExecutionGenesis, timestamp: number): Promise<Block> {
  const common = parisCommon(genesis.chainId);
  const { MerkleStateManager } = await import("@ethereumjs/statemanager");
  return buildGenesisBlock(common, new MerkleStateManager({ common }), genesis, timestamp);
}
