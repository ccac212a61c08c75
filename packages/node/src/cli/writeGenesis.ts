import { mkdirSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import {
  type CachedBeaconState,
  type ChainConfig,
  type ChainContext,
  chainConfigToYaml,
  createChainContext,
  createGenesisState,
  interopBuyerSecretKey,
  interopSecretKey,
} from "@turnstile/ticket-state";
import { withExecutionGenesis } from "../execution/genesis.ts";
import { loadOrCreateNodeKey, peerIdOf } from "../network/nodeKey.ts";

const GWEI_PER_ETH = 1e9;
/** What each interop ticket-holder account starts with. */
export const INTEROP_BUYER_BALANCE = 1000 * GWEI_PER_ETH;

export interface InteropGenesisOptions {
  genesisTime: number;
  /** Interop validators 0..validators-1. */
  validators: number;
  /** Interop buyer accounts 0..buyers-1, each with INTEROP_BUYER_BALANCE. */
  buyers: number;
  /** On an EVM execution layer: its genesis block, which the beacon genesis starts on. */
  executionGenesis?: { blockHash: Uint8Array; gasLimit: number };
}

/** The genesis state of an interop network: deterministic keys for every validator and buyer. */
export function interopGenesisState(ctx: ChainContext, opts: InteropGenesisOptions): CachedBeaconState {
  const state = createGenesisState(ctx, {
    genesisTime: opts.genesisTime,
    validatorPubkeys: Array.from({ length: opts.validators }, (_, i) => interopSecretKey(i).toPublicKey().toBytes()),
    buyers: Array.from({ length: opts.buyers }, (_, i) => ({
      pubkey: interopBuyerSecretKey(i).toPublicKey().toBytes(),
      balance: INTEROP_BUYER_BALANCE,
    })),
  });
  const el = opts.executionGenesis;
  return el ? withExecutionGenesis(state, el.blockHash, el.gasLimit) : state;
}

export interface WrittenGenesis {
  ctx: ChainContext;
  genesisTime: number;
  genesisPath: string;
  configPath: string;
}

/** Write `dir/genesis.ssz` and `dir/config.yaml`: what every `turnstile beacon` of one network starts from. */
export function writeGenesis(dir: string, config: ChainConfig, opts: InteropGenesisOptions): WrittenGenesis {
  mkdirSync(dir, { recursive: true });
  const ctx = createChainContext(config);
  const genesisPath = join(dir, "genesis.ssz");
  const configPath = join(dir, "config.yaml");
  writeFileSync(genesisPath, interopGenesisState(ctx, opts).serialize());
  writeFileSync(configPath, chainConfigToYaml(ctx.config));
  return { ctx, genesisTime: opts.genesisTime, genesisPath, configPath };
}

export interface NodeIdentity {
  /** The node's data dir: `dir/node-<i>`, holding its `node-key`. */
  dir: string;
  keyPath: string;
  peerId: string;
}

/** Create (or keep) `dir/node-<i>/node-key` for `count` nodes: their peer ids are then known before they start. */
export async function writeNodeKeys(dir: string, count: number): Promise<NodeIdentity[]> {
  const nodes: NodeIdentity[] = [];
  for (let i = 0; i < count; i++) {
    const nodeDir = join(dir, `node-${i}`);
    mkdirSync(nodeDir, { recursive: true });
    const keyPath = join(nodeDir, "node-key");
    nodes.push({ dir: nodeDir, keyPath, peerId: peerIdOf(await loadOrCreateNodeKey(keyPath)) });
  }
  return nodes;
}

/** A dialable TCP multiaddr with the peer id: `/ip4/…`, `/ip6/…`, or `/dns4/<name>/…` for a host name. */
export function p2pMultiaddr(host: string, port: number, peerId: string): string {
  const protocol = isIP(host) === 4 ? "ip4" : isIP(host) === 6 ? "ip6" : "dns4";
  return `/${protocol}/${host}/tcp/${port}/p2p/${peerId}`;
}

/** Node `index` of `parts`'s share of `count` interop indices, as `turnstile beacon` reads it ("16-31"; "" if none). */
export function indexRange(count: number, parts: number, index: number): string {
  const from = Math.floor((count * index) / parts);
  const to = Math.floor((count * (index + 1)) / parts) - 1;
  return to >= from ? `${from}-${to}` : "";
}
