/**
 * How bad a peer's req/resp behaviour was. Penalties add up and decay exponentially, so that an
 * honest peer with an occasional fault recovers while a peer that keeps misbehaving crosses the
 * ban threshold. (Gossip behaviour is scored by gossipsub itself.)
 */
export const PeerAction = {
  /** Never acceptable: ban at once (e.g. a response on the wrong network). */
  FATAL: "FATAL",
  /** A clear protocol violation: malformed request or response. About 5 of them ban. */
  LOW_TOLERANCE: "LOW_TOLERANCE",
  /** Likely misbehaviour, possibly a slow link: a timeout. About 10 of them ban. */
  MID_TOLERANCE: "MID_TOLERANCE",
  /** Possibly benign: a rate-limited request. About 50 of them ban. */
  HIGH_TOLERANCE: "HIGH_TOLERANCE",
} as const;
export type PeerAction = (typeof PeerAction)[keyof typeof PeerAction];

export const PEER_ACTION_PENALTY: Readonly<Record<PeerAction, number>> = {
  FATAL: -100,
  LOW_TOLERANCE: -10,
  MID_TOLERANCE: -5,
  HIGH_TOLERANCE: -1,
};

/** Peers are banned at or below this req/resp score. */
export const DEFAULT_REQRESP_BAN_THRESHOLD = -50;
/** Half-life of req/resp penalties. */
export const DEFAULT_REQRESP_SCORE_HALF_LIFE_MS = 10 * 60 * 1000;

interface Entry {
  score: number;
  updatedAt: number;
}

export class ReqRespScores {
  private readonly entries = new Map<string, Entry>();
  private readonly halfLifeMs: number;
  private readonly now: () => number;

  constructor(halfLifeMs = DEFAULT_REQRESP_SCORE_HALF_LIFE_MS, now: () => number = Date.now) {
    this.halfLifeMs = halfLifeMs;
    this.now = now;
  }

  /** Apply `action`; returns the new score. */
  apply(peer: string, action: PeerAction): number {
    const score = this.score(peer) + PEER_ACTION_PENALTY[action];
    this.entries.set(peer, { score, updatedAt: this.now() });
    return score;
  }

  score(peer: string): number {
    const e = this.entries.get(peer);
    if (!e) return 0;
    const elapsed = this.now() - e.updatedAt;
    return e.score * 0.5 ** (elapsed / this.halfLifeMs);
  }

  /** Forget peers whose score has decayed to (almost) nothing. */
  prune(): void {
    for (const peer of this.entries.keys()) if (this.score(peer) > -0.1) this.entries.delete(peer);
  }
}

/** Peers not to talk to until a deadline: consulted by the connection gater and the dialer. */
export class BanList {
  private readonly until = new Map<string, number>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  ban(peer: string, durationMs: number): void {
    this.until.set(peer, Math.max(this.until.get(peer) ?? 0, this.now() + durationMs));
  }

  isBanned(peer: string): boolean {
    const t = this.until.get(peer);
    if (t === undefined) return false;
    if (t <= this.now()) {
      this.until.delete(peer);
      return false;
    }
    return true;
  }

  get size(): number {
    for (const peer of [...this.until.keys()]) this.isBanned(peer);
    return this.until.size;
  }
}
