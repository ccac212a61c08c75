import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from "@libp2p/gossipsub/score";
import { type GossipTopicName, gossipTopicString } from "./topics.ts";

/**
 * Gossipsub v1.1 parameters in the style the consensus p2p spec and Ethereum clients use.
 * Mesh shape (D = 8, D_low = 6, D_high = 12, D_lazy = 6, heartbeat 0.7 s, mcache 6/3, fanout ttl 60 s,
 * seen ttl 550 heartbeats) comes from the spec. The score function is ours; the rationale:
 *
 * - One invalid message (P4) costs as much as the largest positive score a peer can earn, on any topic:
 *   `invalidMessageDeliveriesWeight = -MAX_POSITIVE_SCORE / topicWeight`. P4 is quadratic, so after
 *   `c` REJECTs a peer is at about `-100·c²`: 7 REJECTs take it below the gossip threshold (-4000),
 *   where it is disconnected and banned (peers/peerManager.ts). Honest peers never forward a message
 *   that fails validation (async validation), so they never collect P4.
 * - P4 decays to 1% over 50 epochs' worth of slots: a peer cannot wash out its record by waiting a little.
 * - P1 (time in mesh) and P2 (first deliveries) reward steady, useful peers, capped so that together
 *   they stay under MAX_POSITIVE_SCORE (topicScoreCap): good behaviour cannot bank credit against abuse.
 * - P3/P3b (mesh delivery rate) are off: on a small chain message rates are low and bursty, and the
 *   penalty would hit honest peers in quiet slots.
 * - P6 (IP colocation) penalises more than 3 peers from one IP, except whitelisted addresses (loopback
 *   by default, so a devnet on 127.0.0.1 works).
 * - P7 (behaviour: broken IWANT promises, GRAFT during backoff) costs 16 strikes to reach the gossip threshold.
 */
export const MAX_POSITIVE_SCORE = 100;

export const GOSSIP_SCORE_THRESHOLDS: PeerScoreThresholds = {
  /** Below: no gossip (IHAVE/IWANT) exchanged with the peer, and our peer manager disconnects and bans it. */
  gossipThreshold: -4000,
  /** Below: our own messages are not published to the peer. */
  publishThreshold: -8000,
  /** Below: every RPC from the peer is ignored. */
  graylistThreshold: -16000,
  /** Peer exchange is only accepted from well-scored peers. */
  acceptPXThreshold: 100,
  /** Median mesh score below which opportunistic grafting kicks in. */
  opportunisticGraftThreshold: 5,
};

/** Relative importance of each topic (the weight of its positive contributions). */
export const TOPIC_WEIGHTS: Readonly<Record<GossipTopicName, number>> = {
  beacon_block: 0.5,
  execution_payload: 0.5,
  execution_payload_commitment: 0.5,
  beacon_attestation: 0.5,
  payload_attestation_message: 0.25,
  ticket_purchase: 0.1,
  ticket_transfer: 0.1,
  proposer_slashing: 0.05,
  attester_slashing: 0.05,
  voluntary_exit: 0.05,
  inclusion_list: 0.1,
  ticket_bid: 0.1,
  ticket_sell_back: 0.1,
  ticket_offer: 0.1,
  ticket_fill: 0.1,
  holder_slashing: 0.05,
  transaction: 0.05,
};

/** The per-interval factor that decays a counter to 1% (decayToZero) in `intervals` intervals. */
export function scoreDecay(intervals: number): number {
  return 0.01 ** (1 / intervals);
}

export interface ScoringOptions {
  forkDigest: Uint8Array;
  topics: readonly GossipTopicName[];
  /** Decay interval: one slot. */
  slotDurationMs: number;
  slotsPerEpoch: number;
  /** IPs that P6 does not penalise. */
  ipColocationWhitelist: readonly string[];
}

export function computeTopicScoreParams(name: GossipTopicName, o: ScoringOptions): TopicScoreParams {
  const topicWeight = TOPIC_WEIGHTS[name];
  const epochSlots = o.slotsPerEpoch;
  // P1 + P2 at most MAX_POSITIVE_SCORE / 2 each, before the topic weight
  const timeInMeshCap = 3600_000 / o.slotDurationMs; // an hour of slots
  const firstMessageDeliveriesCap = 50;
  return {
    topicWeight,
    timeInMeshWeight: MAX_POSITIVE_SCORE / 2 / timeInMeshCap,
    timeInMeshQuantum: o.slotDurationMs,
    timeInMeshCap,
    firstMessageDeliveriesWeight: MAX_POSITIVE_SCORE / 2 / firstMessageDeliveriesCap,
    firstMessageDeliveriesDecay: scoreDecay(epochSlots),
    firstMessageDeliveriesCap,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: scoreDecay(epochSlots),
    meshMessageDeliveriesCap: 1,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 2000,
    meshMessageDeliveriesActivation: 4 * o.slotDurationMs * epochSlots,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: scoreDecay(epochSlots),
    invalidMessageDeliveriesWeight: -MAX_POSITIVE_SCORE / topicWeight,
    invalidMessageDeliveriesDecay: scoreDecay(50 * epochSlots),
  };
}

export function computePeerScoreParams(o: ScoringOptions): Partial<PeerScoreParams> {
  const topics: Record<string, TopicScoreParams> = {};
  for (const name of o.topics) topics[gossipTopicString(o.forkDigest, name)] = computeTopicScoreParams(name, o);
  const behaviourPenaltyThreshold = 6;
  return {
    topics,
    topicScoreCap: MAX_POSITIVE_SCORE,
    appSpecificScore: () => 0,
    appSpecificWeight: 1,
    IPColocationFactorWeight: -MAX_POSITIVE_SCORE,
    IPColocationFactorThreshold: 3,
    IPColocationFactorWhitelist: new Set(o.ipColocationWhitelist),
    behaviourPenaltyWeight: GOSSIP_SCORE_THRESHOLDS.gossipThreshold / 10 ** 2,
    behaviourPenaltyThreshold,
    behaviourPenaltyDecay: scoreDecay(10 * o.slotsPerEpoch),
    decayInterval: Math.max(1000, o.slotDurationMs),
    decayToZero: 0.01,
    retainScore: 100 * o.slotsPerEpoch * o.slotDurationMs,
  };
}
