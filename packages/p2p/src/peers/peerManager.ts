import type { ConnectionGater, Libp2p, PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { GoodbyeReason } from "../constants.ts";
import type { Counters } from "../counters.ts";
import { GOSSIP_SCORE_THRESHOLDS } from "../gossip/scoringParams.ts";
import type { NetworkRequests } from "../reqresp/requests.ts";
import type { Metadata, Status } from "../sszTypes.ts";
import {
  type BanList,
  DEFAULT_REQRESP_BAN_THRESHOLD,
  DEFAULT_REQRESP_SCORE_HALF_LIFE_MS,
  type ReqRespScores,
} from "./peerScore.ts";

export interface PeerManagerOptions {
  /** Peers to keep connected: below it we dial, above it (plus slack) we prune. */
  targetPeers: number;
  /** Hard connection limit (libp2p maxConnections); default targetPeers × 1.2, at least targetPeers + 2. */
  maxPeers: number;
  /** How often scores are checked, dials topped up and excess peers pruned. */
  heartbeatMs: number;
  /** How long a banned peer is refused (inbound) and not dialled. */
  banDurationMs: number;
  /** Disconnect and ban when gossipsub's score falls below this. */
  gossipScoreThreshold: number;
  /** Disconnect and ban when the req/resp score falls to or below this. */
  reqRespScoreThreshold: number;
  reqRespScoreHalfLifeMs: number;
  /** A failed dial of an address is not retried for this long. */
  redialBackoffMs: number;
  /** Each peer's Status is asked for again this long after the last one (a node that fell behind learns it). */
  statusIntervalMs: number;
  /** Each peer is pinged this often; a new metadata sequence number fetches its metadata. */
  pingIntervalMs: number;
}

export const DEFAULT_PEER_MANAGER_OPTIONS: Omit<PeerManagerOptions, "maxPeers"> = {
  targetPeers: 25,
  heartbeatMs: 2000,
  banDurationMs: 30 * 60 * 1000,
  gossipScoreThreshold: GOSSIP_SCORE_THRESHOLDS.gossipThreshold,
  reqRespScoreThreshold: DEFAULT_REQRESP_BAN_THRESHOLD,
  reqRespScoreHalfLifeMs: DEFAULT_REQRESP_SCORE_HALF_LIFE_MS,
  redialBackoffMs: 10_000,
  statusIntervalMs: 60_000,
  pingIntervalMs: 15_000,
};

export interface PeerManagerDeps {
  libp2p: Libp2p;
  bootnodes: readonly string[];
  banList: BanList;
  reqRespScores: ReqRespScores;
  gossipScore(peer: string): number;
  counters: Counters;
  options: PeerManagerOptions;
  /** Send a goodbye (bounded in time, never throws). */
  sendGoodbye(peer: PeerId, reason: GoodbyeReason): Promise<void>;
  onBanned(peer: PeerId, reason: string): void;
  /** Called on every heartbeat (rate limiter pruning and the like). */
  onHeartbeat(): void;
  /** The requests the upkeep of connected peers sends. */
  requests: Pick<NetworkRequests, "status" | "ping" | "metadata">;
  /** A refreshed Status came back: the network checks it and, if it is on our fork, records it. */
  onStatus(peer: PeerId, status: Status): void;
}

/** Refuse dials to and connections from banned peers. */
export function createConnectionGater(banList: BanList): ConnectionGater {
  return {
    denyDialPeer: (peerId) => banList.isBanned(peerId.toString()),
    denyInboundEncryptedConnection: (peerId) => banList.isBanned(peerId.toString()),
    denyOutboundEncryptedConnection: (peerId) => banList.isBanned(peerId.toString()),
    denyInboundUpgradedConnection: (peerId) => banList.isBanned(peerId.toString()),
  };
}

/**
 * Keeps the peer set healthy: dials bootnodes and known peers up to the target count, prunes the
 * worst-scored peers above it, and disconnects and bans peers whose gossip or req/resp score fell
 * below its threshold. Keeps what it knows of each connected peer up to date: its Status asked for
 * again every statusIntervalMs, a ping every pingIntervalMs, its metadata when the ping says it
 * changed. Runs on a timer; every step is guarded, a failure never stops the loop.
 */
export class PeerManager {
  private readonly deps: PeerManagerDeps;
  private readonly bootnodes: Multiaddr[] = [];
  /** Dial key (address or peer id) → time before which it is not dialled (after a failure or a goodbye). */
  private readonly dialBackoffUntil = new Map<string, number>();
  private readonly dialing = new Set<string>();
  private readonly statuses = new Map<string, Status>();
  /** When each connected peer last sent its Status, and was last pinged (ms). */
  private readonly statusAt = new Map<string, number>();
  private readonly pingedAt = new Map<string, number>();
  private readonly metadata = new Map<string, Metadata>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(deps: PeerManagerDeps) {
    this.deps = deps;
    for (const addr of deps.bootnodes) {
      try {
        this.bootnodes.push(multiaddr(addr));
      } catch {
        deps.counters.inc("peers.bad_bootnode");
      }
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = setInterval(() => void this.heartbeat(), this.deps.options.heartbeatMs);
    void this.heartbeat();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Keep a connected peer's Status (on our fork digest); the next refresh is due statusIntervalMs later. */
  recordStatus(peer: PeerId, status: Status): void {
    const key = peer.toString();
    this.statuses.set(key, status);
    this.statusAt.set(key, Date.now());
  }

  /** The last Status a connected peer gave us, if any. */
  getStatus(peer: string): Status | undefined {
    return this.statuses.get(peer);
  }

  /** A peer's metadata, once a ping found it (or found it changed). */
  getMetadata(peer: string): Metadata | undefined {
    return this.metadata.get(peer);
  }

  /** Drop what we knew of a peer that disconnected. */
  forget(peer: string): void {
    this.statuses.delete(peer);
    this.statusAt.delete(peer);
    this.pingedAt.delete(peer);
    this.metadata.delete(peer);
  }

  /**
   * Do not dial `peer` for a while: it said goodbye (too many peers, shutting down). Not a ban: it may
   * still connect to us. Six redial backoffs (a minute by default).
   */
  deferDial(peer: string): void {
    this.dialBackoffUntil.set(peer, Date.now() + 6 * this.deps.options.redialBackoffMs);
  }

  /** Disconnect `peer` (with a goodbye) and refuse it for banDurationMs. */
  async ban(peer: PeerId, reason: string, goodbye: GoodbyeReason = GoodbyeReason.BANNED): Promise<void> {
    const peerStr = peer.toString();
    if (this.deps.banList.isBanned(peerStr)) return;
    this.deps.banList.ban(peerStr, this.deps.options.banDurationMs);
    this.deps.counters.inc("peers.banned");
    this.deps.counters.inc(`peers.ban_reason.${reason}`);
    try {
      this.deps.onBanned(peer, reason);
    } catch {
      // listeners' errors are theirs; the ban goes on
      this.deps.counters.inc("events.listener_error");
    }
    await this.disconnect(peer, goodbye);
  }

  /** Goodbye, then close every connection to `peer`. */
  async disconnect(peer: PeerId, reason: GoodbyeReason): Promise<void> {
    await this.deps.sendGoodbye(peer, reason);
    try {
      await this.deps.libp2p.hangUp(peer);
    } catch {
      this.deps.counters.inc("peers.hangup_failed");
    }
  }

  /** Score checks, then pruning above the target, then dials below it. */
  async heartbeat(): Promise<void> {
    if (!this.running) return;
    try {
      this.deps.reqRespScores.prune();
      void this.deps.banList.size; // drops expired bans
      const now = Date.now();
      for (const [key, until] of this.dialBackoffUntil) if (until <= now) this.dialBackoffUntil.delete(key);
      this.deps.onHeartbeat();
      this.refreshPeers(now);
      await this.checkScores();
      await this.pruneExcess();
      this.dialMore();
    } catch {
      this.deps.counters.inc("peers.heartbeat_error");
    }
  }

  /**
   * Status again when the last one is old (the network's peer:status event then tells the node
   * whether it fell behind), and a ping, whose answer, the peer's metadata sequence number, says
   * when to fetch its metadata again. Failures count against the peer in the request path.
   */
  private refreshPeers(now: number): void {
    const { statusIntervalMs, pingIntervalMs } = this.deps.options;
    for (const peer of this.connectedPeers()) {
      const key = peer.toString();
      // A peer without a Status yet is still in its handshake
      const statusAt = this.statusAt.get(key);
      if (statusAt !== undefined && now - statusAt >= statusIntervalMs) {
        this.statusAt.set(key, now);
        void this.refreshStatus(peer);
      }
      if (!this.pingedAt.has(key)) this.pingedAt.set(key, now);
      else if (now - this.pingedAt.get(key)! >= pingIntervalMs) {
        this.pingedAt.set(key, now);
        void this.pingPeer(peer);
      }
    }
  }

  /** Unlike the handshake, a failed refresh does not disconnect: a busy or rate-limited peer is still a peer. */
  private async refreshStatus(peer: PeerId): Promise<void> {
    try {
      const status = await this.deps.requests.status(peer);
      if (this.running) this.deps.onStatus(peer, status);
    } catch {
      this.deps.counters.inc("peers.status_refresh_failed");
    }
  }

  private async pingPeer(peer: PeerId): Promise<void> {
    const key = peer.toString();
    try {
      const seq = await this.deps.requests.ping(peer);
      this.deps.counters.inc("peers.ping_ok");
      if (this.metadata.get(key)?.seq_number !== seq) {
        const metadata = await this.deps.requests.metadata(peer);
        // It may have gone meanwhile: keep nothing of a disconnected peer
        if (this.isConnected(peer)) this.metadata.set(key, metadata);
      }
    } catch {
      this.deps.counters.inc("peers.ping_failed");
    }
  }

  private isConnected(peer: PeerId): boolean {
    return this.deps.libp2p.getConnections(peer).length > 0;
  }

  private connectedPeers(): PeerId[] {
    return this.deps.libp2p.getPeers();
  }

  private async checkScores(): Promise<void> {
    const { options } = this.deps;
    const bans: Array<Promise<void>> = [];
    for (const peer of this.connectedPeers()) {
      const peerStr = peer.toString();
      if (this.deps.banList.isBanned(peerStr)) {
        bans.push(this.disconnect(peer, GoodbyeReason.BANNED));
        continue;
      }
      if (this.deps.gossipScore(peerStr) < options.gossipScoreThreshold) {
        bans.push(this.ban(peer, "gossip_score", GoodbyeReason.BAD_SCORE));
      } else if (this.deps.reqRespScores.score(peerStr) <= options.reqRespScoreThreshold) {
        bans.push(this.ban(peer, "reqresp_score", GoodbyeReason.BAD_SCORE));
      }
    }
    await Promise.all(bans);
  }

  /** Above the target (with 10% slack), disconnect the lowest-scored peers. */
  private async pruneExcess(): Promise<void> {
    const { options } = this.deps;
    const peers = this.connectedPeers();
    const limit = Math.ceil(options.targetPeers * 1.1);
    if (peers.length <= limit) return;
    const ranked = peers
      .map((p) => ({ p, s: this.deps.gossipScore(p.toString()) + this.deps.reqRespScores.score(p.toString()) }))
      .sort((a, b) => a.s - b.s);
    const excess = ranked.slice(0, peers.length - options.targetPeers);
    this.deps.counters.inc("peers.pruned", excess.length);
    await Promise.all(excess.map(({ p }) => this.disconnect(p, GoodbyeReason.TOO_MANY_PEERS)));
  }

  /** Below the target: dial bootnodes first, then peers the peer store knows addresses of. */
  private dialMore(): void {
    const { libp2p, options } = this.deps;
    const connected = new Set(this.connectedPeers().map((p) => p.toString()));
    let deficit = options.targetPeers - connected.size - this.dialing.size;
    if (deficit <= 0) return;
    const self = libp2p.peerId.toString();
    for (const addr of this.bootnodes) {
      if (deficit <= 0) return;
      const peerStr = addr.getComponents().find((c) => c.name === "p2p")?.value ?? null;
      if (peerStr && (peerStr === self || connected.has(peerStr))) continue;
      if (this.tryDial(addr.toString(), peerStr, addr)) deficit--;
    }
    void this.dialKnownPeers(deficit, connected, self);
  }

  private async dialKnownPeers(deficit: number, connected: Set<string>, self: string): Promise<void> {
    if (deficit <= 0) return;
    try {
      const known = await this.deps.libp2p.peerStore.all({
        filters: [(p) => p.addresses.length > 0],
        limit: 4 * this.deps.options.targetPeers,
      });
      for (const p of known) {
        if (deficit <= 0) return;
        const peerStr = p.id.toString();
        if (peerStr === self || connected.has(peerStr)) continue;
        if (this.tryDial(peerStr, peerStr, p.id)) deficit--;
      }
    } catch {
      this.deps.counters.inc("peers.peerstore_error");
    }
  }

  /** Start a dial unless banned, already dialling, or in backoff after a failure. */
  private tryDial(key: string, peerStr: string | null, target: Multiaddr | PeerId): boolean {
    const { counters, options, libp2p, banList } = this.deps;
    if (peerStr && banList.isBanned(peerStr)) return false;
    if (this.dialing.has(key)) return false;
    const now = Date.now();
    if ((this.dialBackoffUntil.get(key) ?? 0) > now) return false;
    if (peerStr && (this.dialBackoffUntil.get(peerStr) ?? 0) > now) return false;
    this.dialing.add(key);
    counters.inc("peers.dial_attempt");
    libp2p
      .dial(target, { signal: AbortSignal.timeout(10_000) })
      .then(() => {
        counters.inc("peers.dial_success");
      })
      .catch(() => {
        this.dialBackoffUntil.set(key, Date.now() + options.redialBackoffMs);
        counters.inc("peers.dial_failed");
      })
      .finally(() => this.dialing.delete(key));
    return true;
  }
}

export function toPeerId(peer: PeerId | string): PeerId {
  return typeof peer === "string" ? peerIdFromString(peer) : peer;
}
