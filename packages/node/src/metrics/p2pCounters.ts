import { Counter, type Registry } from "prom-client";

/** Where a p2p event count goes: a family of ours and its label values. */
export interface P2pSample {
  family: P2pFamily;
  labels: Record<string, string>;
}

/** The Prometheus families the p2p package's dotted counter names map onto. */
export type P2pFamily = keyof typeof P2P_FAMILIES;

export const P2P_FAMILIES = {
  gossip: {
    name: "turnstile_p2p_gossip_messages_total",
    help: "Gossip messages by topic and event (received, accepted, ignored, rejected, published, publish_error, ...)",
    labelNames: ["topic", "event"],
  },
  gossipReasons: {
    name: "turnstile_p2p_gossip_verdict_reasons_total",
    help: "Gossip messages ignored or rejected by the p2p layer, by topic, verdict and reason",
    labelNames: ["topic", "verdict", "reason"],
  },
  gossipErrors: {
    name: "turnstile_p2p_gossip_errors_total",
    help: "Gossip machinery errors not tied to a topic, by event",
    labelNames: ["event"],
  },
  reqresp: {
    name: "turnstile_p2p_reqresp_events_total",
    help: "Req/resp requests, successes and chunks by direction, method and event",
    labelNames: ["direction", "method", "event"],
  },
  reqrespErrors: {
    name: "turnstile_p2p_reqresp_errors_total",
    help: "Req/resp failures by direction, method and reason",
    labelNames: ["direction", "method", "reason"],
  },
  peers: {
    name: "turnstile_p2p_peer_events_total",
    help: "Peer manager events (dial_attempt, dial_success, banned, pruned, ping_ok, ...)",
    labelNames: ["event"],
  },
  peerBans: {
    name: "turnstile_p2p_peer_bans_total",
    help: "Peers banned, by reason",
    labelNames: ["reason"],
  },
  other: {
    name: "turnstile_p2p_other_events_total",
    help: "p2p event counts of no family above, by their dotted name",
    labelNames: ["event"],
  },
} as const;

/**
 * Map one of the p2p package's counter names (`gossip.received.beacon_block`,
 * `gossip.reject_reason.beacon_block.SSZ_INVALID`, `reqresp.inbound.error.status.RATE_LIMITED`,
 * `peers.ban_reason.score`, `peers.banned`, ...) to a family and labels.
 */
export function mapP2pCounter(name: string): P2pSample {
  const s = name.split(".");
  if (s[0] === "gossip" && s.length === 4 && (s[1] === "ignore_reason" || s[1] === "reject_reason"))
    return {
      family: "gossipReasons",
      labels: { topic: s[2], verdict: s[1] === "ignore_reason" ? "ignore" : "reject", reason: s[3] },
    };
  if (s[0] === "gossip" && s.length === 3) return { family: "gossip", labels: { topic: s[2], event: s[1] } };
  if (s[0] === "gossip" && s.length === 2) return { family: "gossipErrors", labels: { event: s[1] } };
  if (s[0] === "reqresp" && s.length === 5 && s[2] === "error")
    return { family: "reqrespErrors", labels: { direction: s[1], method: s[3], reason: s[4] } };
  if (s[0] === "reqresp" && s.length === 4)
    return { family: "reqresp", labels: { direction: s[1], method: s[3], event: s[2] } };
  if (s[0] === "peers" && s.length === 3 && s[1] === "ban_reason")
    return { family: "peerBans", labels: { reason: s[2] } };
  if (s[0] === "peers" && s.length === 2) return { family: "peers", labels: { event: s[1] } };
  return { family: "other", labels: { event: name } };
}

/**
 * The p2p package's counters as Prometheus counters: each scrape copies the network's current
 * counts (they only grow, so the families stay counters).
 */
export function registerP2pCounters(registry: Registry, counts: () => Record<string, number> | undefined): void {
  for (const family of Object.keys(P2P_FAMILIES) as P2pFamily[]) {
    const spec = P2P_FAMILIES[family];
    const counter: Counter<string> = new Counter({
      name: spec.name,
      help: spec.help,
      labelNames: [...spec.labelNames],
      registers: [registry],
      collect() {
        counter.reset();
        for (const [name, value] of Object.entries(counts() ?? {})) {
          const sample = mapP2pCounter(name);
          if (sample.family === family) counter.inc(sample.labels, value);
        }
      },
    });
  }
}
