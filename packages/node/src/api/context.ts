import type { ChainContext } from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { BeaconDb } from "../db/beaconDb.ts";
import type { NodeMetrics } from "../metrics/metrics.ts";
import type { BeaconNode } from "../node/beaconNode.ts";

/** A connected peer as the node endpoints report it. */
export interface ApiPeer {
  peerId: string;
  address: string;
}

/** What the API reads of the p2p layer, when the node is networked. */
export interface ApiNetwork {
  peerId: string;
  peers(): ApiPeer[];
}

export interface ApiOptions {
  host: string;
  port: number;
  node: BeaconNode;
  metrics: NodeMetrics;
  db?: BeaconDb;
  /** Peer count and identity, when the node is networked. */
  network?: ApiNetwork;
  version?: string;
}

/** What every route module reads: the node, its chain and options. */
export interface ApiContext {
  readonly opts: ApiOptions;
  readonly node: BeaconNode;
  readonly chain: Chain;
  readonly ctx: ChainContext;
}

export function apiContext(opts: ApiOptions): ApiContext {
  return { opts, node: opts.node, chain: opts.node.chain, ctx: opts.node.ctx };
}
