import type { ChainContext } from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { BeaconDb } from "../db/beaconDb.ts";
import type { NodeMetrics } from "../metrics/metrics.ts";
import type { BeaconNode } from "../node/beaconNode.ts";

/** A connected peer as the node endpoints report it. */
export interface ApiPeer {
  peerId: string;
  /** The multiaddr the connection runs over. */
  address: string;
  /** Who dialled: the remote peer (inbound) or this node (outbound). */
  direction: "inbound" | "outbound";
}

/** The node's p2p MetaData (consensus p2p spec): its sequence number and attestation subnets. */
export interface ApiMetadata {
  seqNumber: number;
  /** Bitvector of persistent attestation subnets, SSZ bytes. */
  attnets: Uint8Array;
}

/** What the API reads of the p2p layer, when the node is networked. */
export interface ApiNetwork {
  peerId: string;
  peers(): ApiPeer[];
  /** Multiaddrs the node listens on for libp2p (none known: an empty list). */
  listenAddresses?(): string[];
  metadata?(): ApiMetadata;
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
