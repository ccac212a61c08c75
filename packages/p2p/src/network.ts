import { EventEmitter } from "node:events";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import type { Libp2p, PeerId, PrivateKey } from "@libp2p/interface";
import { ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import type { SszTypes } from "@turnstile/ticket-state";
import { createLibp2p } from "libp2p";
import { GoodbyeReason } from "./constants.ts";
import { Counters } from "./counters.ts";
import {
  createGossipsubInit,
  DEFAULT_GOSSIP_OPTIONS,
  Gossip,
  type GossipFault,
  type GossipHandler,
  type GossipOptions,
  type GossipRouter,
  type GossipValidator,
} from "./gossip/gossip.ts";
import { type GossipMessageTypes, type GossipTopicName, getGossipTypes } from "./gossip/topics.ts";
import {
  createConnectionGater,
  DEFAULT_PEER_MANAGER_OPTIONS,
  PeerManager,
  type PeerManagerOptions,
  toPeerId,
} from "./peers/peerManager.ts";
import { BanList, PeerAction, ReqRespScores } from "./peers/peerScore.ts";
import { type ReqRespHandlers, registerResponders } from "./reqresp/handlers.ts";
import { getProtocols, type Protocols } from "./reqresp/protocols.ts";
import { DEFAULT_REQRESP_OPTIONS, ReqResp, type ReqRespOptions } from "./reqresp/reqResp.ts";
import { createRequests, type NetworkRequests } from "./reqresp/requests.ts";
import * as p2pSsz from "./sszTypes.ts";

export interface NetworkOptions {
  /** SSZ types of the chain's preset: `createChainContext(config).ssz` or `getSszTypes(preset)`. */
  ssz: SszTypes;
  /** `computeForkDigest(current_fork_version, genesis_validators_root)`: names topics, checks Status. */
  forkDigest: Uint8Array;
  /** Default `/ip4/0.0.0.0/tcp/9000`; tests use `/ip4/127.0.0.1/tcp/0`. */
  listenAddresses?: string[];
  announceAddresses?: string[];
  /** Multiaddrs (with `/p2p/<peer id>`) dialled at start and whenever we are below the target. */
  bootnodes?: string[];
  /** The node identity; default a fresh secp256k1 key (as the consensus p2p spec asks). */
  privateKey?: PrivateKey;
  handlers?: ReqRespHandlers;
  peers?: Partial<PeerManagerOptions>;
  gossip?: Partial<GossipOptions>;
  reqResp?: Partial<ReqRespOptions>;
  /** Inbound connection attempts accepted per second from one IP (libp2p's default of 5 is too low for a loopback devnet). */
  inboundConnectionsPerSecond?: number;
  userAgent?: string;
}

export interface NetworkEvents {
  "peer:connected": [peer: PeerId, direction: "inbound" | "outbound"];
  "peer:disconnected": [peer: PeerId];
  /** A peer's Status, from our handshake (outbound) or its request (inbound), on our fork digest. */
  "peer:status": [peer: PeerId, status: p2pSsz.Status];
  "peer:goodbye": [peer: PeerId, reason: number];
  "peer:banned": [peer: PeerId, reason: string];
  /**
   * An error gossip caught instead of letting it escape: a validator's untyped throw (the message
   * was REJECTed, counting against the sender), a handler's, a validation job's. For the node's log.
   */
  "gossip:fault": [fault: GossipFault];
}

export interface PeerScore {
  gossip: number;
  reqResp: number;
}

type Services = { identify: unknown; ping: unknown; pubsub: GossipRouter };

/** Create a Network (the libp2p host is built but not started: call `start()`). */
export async function createNetwork(opts: NetworkOptions): Promise<Network> {
  const counters = new Counters();
  const banList = new BanList();
  const gossipOptions: GossipOptions = { ...DEFAULT_GOSSIP_OPTIONS, ...opts.gossip };
  const targetPeers = opts.peers?.targetPeers ?? DEFAULT_PEER_MANAGER_OPTIONS.targetPeers;
  const peerOptions: PeerManagerOptions = {
    ...DEFAULT_PEER_MANAGER_OPTIONS,
    maxPeers: Math.max(targetPeers + 2, Math.ceil(targetPeers * 1.2)),
    ...opts.peers,
  };
  const reqRespOptions: ReqRespOptions = { ...DEFAULT_REQRESP_OPTIONS, ...opts.reqResp };
  const gossipTypes = getGossipTypes(opts.ssz);
  const libp2p = (await createLibp2p({
    privateKey: opts.privateKey ?? (await generateKeyPair("secp256k1")),
    start: false,
    nodeInfo: { userAgent: opts.userAgent ?? "turnstile/0.1.0" },
    addresses: {
      listen: opts.listenAddresses ?? ["/ip4/0.0.0.0/tcp/9000"],
      announce: opts.announceAddresses ?? [],
    },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: createConnectionGater(banList),
    connectionManager: {
      // peers are counted by the peer manager; connections may briefly be doubled by simultaneous dials
      maxConnections: 2 * peerOptions.maxPeers,
      inboundConnectionThreshold: opts.inboundConnectionsPerSecond ?? 16,
      dialTimeout: reqRespOptions.dialTimeoutMs,
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub(createGossipsubInit(opts.forkDigest, gossipTypes, counters, gossipOptions)),
    },
  })) as unknown as Libp2p<Services>;
  return new Network(opts, libp2p, counters, banList, gossipOptions, peerOptions, reqRespOptions);
}

/**
 * The node's view of the network: typed gossip on the DESIGN.md §7 topics, typed req/resp, peer
 * events and counters. Inputs from peers are all bounded, decoded defensively and scored; nothing a
 * peer sends can throw out of this object.
 */
export class Network extends EventEmitter<NetworkEvents> {
  readonly libp2p: Libp2p<Services>;
  readonly forkDigest: Uint8Array;
  readonly request: NetworkRequests;
  private readonly ssz: SszTypes;
  private readonly counterSet: Counters;
  private readonly banList: BanList;
  private readonly reqRespScores: ReqRespScores;
  private readonly gossip: Gossip;
  private readonly reqResp: ReqResp;
  private readonly peerManager: PeerManager;
  private readonly protocols: Protocols;
  private readonly peerOptions: PeerManagerOptions;
  private readonly reqRespOptions: ReqRespOptions;
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  private handlers: ReqRespHandlers;
  private metadata: p2pSsz.Metadata;
  private running = false;

  constructor(
    opts: NetworkOptions,
    libp2p: Libp2p<Services>,
    counters: Counters,
    banList: BanList,
    gossipOptions: GossipOptions,
    peerOptions: PeerManagerOptions,
    reqRespOptions: ReqRespOptions,
  ) {
    super();
    this.libp2p = libp2p;
    this.forkDigest = Uint8Array.from(opts.forkDigest);
    this.ssz = opts.ssz;
    this.counterSet = counters;
    this.banList = banList;
    this.peerOptions = peerOptions;
    this.reqRespOptions = reqRespOptions;
    this.handlers = opts.handlers ?? {};
    this.metadata = { seq_number: 0, attnets: p2pSsz.Metadata.fields.attnets.defaultValue() };
    this.reqRespScores = new ReqRespScores(peerOptions.reqRespScoreHalfLifeMs);
    this.protocols = getProtocols(opts.ssz);
    this.gossip = new Gossip(
      libp2p.services.pubsub,
      this.forkDigest,
      getGossipTypes(opts.ssz),
      counters,
      gossipOptions,
      (fault) => this.safeEmit("gossip:fault", fault),
    );
    this.reqResp = new ReqResp({
      libp2p,
      forkDigest: this.forkDigest,
      counters,
      options: reqRespOptions,
      isBanned: (peer) => banList.isBanned(peer),
      penalise: (peer, action, reason) => this.reportPeer(peer, action, reason),
    });
    this.request = createRequests(this.reqResp, this.protocols, this.ssz, {
      localStatus: () => this.localStatus(),
      localMetadata: () => this.metadata,
    });
    this.peerManager = new PeerManager({
      libp2p,
      bootnodes: opts.bootnodes ?? [],
      banList,
      reqRespScores: this.reqRespScores,
      gossipScore: (peer) => this.gossip.getScore(peer),
      counters,
      options: peerOptions,
      sendGoodbye: (peer, reason) => this.sendGoodbye(peer, reason),
      onBanned: (peer, reason) => this.safeEmit("peer:banned", peer, reason),
      onHeartbeat: () => this.reqResp.prune(),
      requests: this.request,
      onStatus: (peer, status) => this.onRemoteStatus(peer, status),
    });
  }

  get peerId(): PeerId {
    return this.libp2p.peerId;
  }

  /** Listen addresses including `/p2p/<peer id>`: what other nodes put in their bootnodes. */
  get multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString());
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.registerProtocols();
    await this.libp2p.start();
    this.running = true;
    this.libp2p.addEventListener("peer:connect", this.onPeerConnect);
    this.libp2p.addEventListener("peer:disconnect", this.onPeerDisconnect);
    this.gossip.start();
    this.peerManager.start();
  }

  /** Goodbye to every peer (bounded to ~1 s), then stop the host. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.peerManager.stop();
    for (const t of this.pendingTimers) clearTimeout(t);
    this.pendingTimers.clear();
    await Promise.all(this.libp2p.getPeers().map((p) => this.sendGoodbye(p, GoodbyeReason.CLIENT_SHUTDOWN)));
    await this.gossip.stop();
    this.libp2p.removeEventListener("peer:connect", this.onPeerConnect);
    this.libp2p.removeEventListener("peer:disconnect", this.onPeerDisconnect);
    await this.reqResp.unregisterAll();
    await this.libp2p.stop();
  }

  // ---------------------------------------------------------------------------------------------
  // Gossip

  /**
   * Receive `name`: `validator` decides ACCEPT / IGNORE / REJECT for each new message (nothing is
   * forwarded before it accepts; REJECT penalises the sender), `handler` then gets each accepted one.
   */
  subscribe<K extends GossipTopicName>(
    name: K,
    validator: GossipValidator<GossipMessageTypes[K]>,
    handler: GossipHandler<GossipMessageTypes[K]>,
  ): void {
    this.gossip.subscribe(name, validator, handler);
  }

  unsubscribe(name: GossipTopicName): void {
    this.gossip.unsubscribe(name);
  }

  /** Publish; resolves to the number of peers the message was sent to. */
  publish<K extends GossipTopicName>(name: K, value: GossipMessageTypes[K]): Promise<number> {
    return this.gossip.publish(name, value);
  }

  /** Publish already-serialized SSZ of the topic's type. */
  publishSerialized(name: GossipTopicName, ssz: Uint8Array): Promise<number> {
    return this.gossip.publishBytes(name, ssz);
  }

  /** The topic string of `name` (`/eth2/<fork digest>/<name>/ssz_snappy`). */
  topic(name: GossipTopicName): string {
    return this.gossip.topic(name);
  }

  getMeshPeers(name: GossipTopicName): string[] {
    return this.gossip.getMeshPeers(name);
  }

  getTopicPeers(name: GossipTopicName): PeerId[] {
    return this.gossip.getTopicPeers(name);
  }

  // ---------------------------------------------------------------------------------------------
  // Peers

  getConnectedPeers(): PeerId[] {
    return this.libp2p.getPeers();
  }

  /** The last Status a peer gave us, if any. */
  getPeerStatus(peer: PeerId | string): p2pSsz.Status | undefined {
    return this.peerManager.getStatus(peer.toString());
  }

  /** A peer's metadata, once a ping found it (or found it changed). */
  getPeerMetadata(peer: PeerId | string): p2pSsz.Metadata | undefined {
    return this.peerManager.getMetadata(peer.toString());
  }

  getPeerScore(peer: PeerId | string): PeerScore {
    const peerStr = peer.toString();
    return { gossip: this.gossip.getScore(peerStr), reqResp: this.reqRespScores.score(peerStr) };
  }

  isBanned(peer: PeerId | string): boolean {
    return this.banList.isBanned(peer.toString());
  }

  async connect(addr: string): Promise<void> {
    await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(this.reqRespOptions.dialTimeoutMs) });
  }

  async disconnect(peer: PeerId | string, reason: GoodbyeReason = GoodbyeReason.CLIENT_SHUTDOWN): Promise<void> {
    await this.peerManager.disconnect(toPeerId(peer), reason);
  }

  /** Ban now (the node found the peer lying: an invalid block over req/resp, a wrong chain…). */
  async ban(peer: PeerId | string, reason: string): Promise<void> {
    await this.peerManager.ban(toPeerId(peer), reason);
  }

  /**
   * Record misbehaviour outside gossip (gossip is scored by gossipsub from validation results): the
   * node reports e.g. a range-sync batch that did not import. At the threshold the peer is banned.
   */
  reportPeer(peer: PeerId | string, action: PeerAction, reason: string): void {
    const id = toPeerId(peer);
    const peerStr = id.toString();
    const score = this.reqRespScores.apply(peerStr, action);
    this.counterSet.inc("peers.scored_down");
    this.counterSet.inc(`peers.penalty.${action}`);
    this.counterSet.inc(`peers.penalty_reason.${reason}`);
    if (action === PeerAction.FATAL || score <= this.peerOptions.reqRespScoreThreshold) {
      void this.peerManager.ban(id, "reqresp_score", GoodbyeReason.BAD_SCORE);
    }
  }

  setHandlers(handlers: ReqRespHandlers): void {
    this.handlers = handlers;
  }

  /** Our MetaData; bump `seq_number` when it changes (attnets are all zero until subnets exist). */
  getMetadata(): p2pSsz.Metadata {
    return this.metadata;
  }

  setAttnets(attnets: p2pSsz.Metadata["attnets"]): void {
    this.metadata = { seq_number: this.metadata.seq_number + 1, attnets };
  }

  /** Named event counts (see Counters) — a copy. */
  counters(): Record<string, number> {
    return this.counterSet.snapshot();
  }

  // ---------------------------------------------------------------------------------------------
  // internals

  private safeEmit<E extends keyof NetworkEvents>(event: E, ...args: NetworkEvents[E]): void {
    try {
      (this.emit as (e: E, ...a: NetworkEvents[E]) => boolean)(event, ...args);
    } catch {
      this.counterSet.inc("events.listener_error");
    }
  }

  private later(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.pendingTimers.delete(t);
      if (this.running) fn().catch(() => this.counterSet.inc("peers.deferred_error"));
    }, ms);
    t.unref();
    this.pendingTimers.add(t);
  }

  private localStatus(): p2pSsz.Status {
    const status = this.handlers.getStatus?.();
    if (status) return status;
    const zero = new Uint8Array(32);
    return { fork_digest: this.forkDigest, finalized_root: zero, finalized_epoch: 0, head_root: zero, head_slot: 0 };
  }

  /** A peer's Status: on another fork digest, goodbye and ban; else remember and announce it. */
  private onRemoteStatus(peer: PeerId, status: p2pSsz.Status): void {
    if (!bytesEqual(status.fork_digest, this.forkDigest)) {
      this.counterSet.inc("peers.irrelevant_network");
      this.later(0, () => this.peerManager.ban(peer, "irrelevant_network", GoodbyeReason.IRRELEVANT_NETWORK));
      return;
    }
    // An answer that arrives after the peer left (even just now, e.g. banned by the other side) is not kept
    if (!this.isConnected(peer)) return;
    this.peerManager.recordStatus(peer, status);
    this.safeEmit("peer:status", peer, status);
  }

  private readonly onPeerConnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail;
    this.counterSet.inc("peers.connected");
    if (this.banList.isBanned(peer.toString())) {
      void this.peerManager.disconnect(peer, GoodbyeReason.BANNED);
      return;
    }
    const direction = this.libp2p.getConnections(peer)[0]?.direction ?? "inbound";
    this.safeEmit("peer:connected", peer, direction);
    // the dialling side sends Status first
    if (direction === "outbound") this.later(0, () => this.handshake(peer));
  };

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail;
    this.counterSet.inc("peers.disconnected");
    this.peerManager.forget(peer.toString());
    this.safeEmit("peer:disconnected", peer);
  };

  private isConnected(peer: PeerId): boolean {
    return this.libp2p.getConnections(peer).length > 0;
  }

  private async handshake(peer: PeerId): Promise<void> {
    try {
      const status = await this.request.status(peer);
      this.onRemoteStatus(peer, status);
    } catch {
      this.counterSet.inc("peers.handshake_failed");
      if (this.running && this.libp2p.getConnections(peer).length > 0) {
        await this.peerManager.disconnect(peer, GoodbyeReason.FAULT_OR_ERROR);
      }
    }
  }

  /** Best effort, at most ~1 s. */
  private async sendGoodbye(peer: PeerId, reason: GoodbyeReason): Promise<void> {
    this.counterSet.inc(`peers.goodbye_sent.${reason}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.request.goodbye(peer, reason).catch(() => this.counterSet.inc(`peers.goodbye_failed.${reason}`)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
      }),
    ]);
    clearTimeout(timer);
  }

  private async registerProtocols(): Promise<void> {
    await registerResponders(this.reqResp, this.protocols, {
      handlers: () => this.handlers,
      localStatus: () => this.localStatus(),
      localMetadata: () => this.metadata,
      onStatus: (peer, status) => this.onRemoteStatus(peer, status),
      onGoodbye: (peer, reason) => {
        this.counterSet.inc(`peers.goodbye_received.${reason}`);
        this.peerManager.deferDial(peer.toString());
        this.safeEmit("peer:goodbye", peer, reason);
        this.later(100, () => this.libp2p.hangUp(peer));
      },
    });
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
