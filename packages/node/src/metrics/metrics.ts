import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry, Summary } from "prom-client";
import type { Reorg } from "../chain/reorg.ts";
import { EngineApiExecutionEngine } from "../execution/engineApiEngine.ts";
import type { BeaconNode } from "../node/beaconNode.ts";
import { registerP2pCounters } from "./p2pCounters.ts";
import { type EpochParticipation, previousEpochParticipation } from "./participation.ts";

/** What the network gauges read: the p2p package's `Network`. */
export interface MetricsNetwork {
  getConnectedPeers(): readonly unknown[];
  counters(): Record<string, number>;
}

/** Default Node.js gauges whose `_total` suffix marks them as counters to Prometheus; their per-type gauges stay. */
const DEFAULT_GAUGES_NAMED_TOTAL = ["active_resources_total", "active_handles_total", "active_requests_total"];
const DEFAULT_METRICS_PREFIX = "turnstile_process_";
const ROOT_TAIL_BYTES = 8;

/**
 * A root as beacon-metrics' `*_root` gauges carry it: the last 8 bytes as a little-endian signed
 * integer (a float64 sample holds it to 53 bits).
 */
export function rootToGaugeValue(rootHex: string): number {
  const tail = Buffer.from(rootHex.replace(/^0x/, ""), "hex").subarray(-ROOT_TAIL_BYTES);
  return Number(tail.readBigInt64LE(0));
}

/** The node's Prometheus metrics, served at /metrics. */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly currentSlot = new Gauge({
    name: "turnstile_current_slot",
    help: "Wall-clock slot",
    registers: [this.registry],
  });
  readonly headSlot = new Gauge({
    name: "turnstile_head_slot",
    help: "Slot of the head block",
    registers: [this.registry],
  });
  readonly finalizedEpoch = new Gauge({
    name: "turnstile_finalized_epoch",
    help: "Finalized epoch",
    registers: [this.registry],
  });
  readonly justifiedEpoch = new Gauge({
    name: "turnstile_justified_epoch",
    help: "Justified epoch",
    registers: [this.registry],
  });
  readonly ticketPrice = new Gauge({
    name: "turnstile_ticket_price_gwei",
    help: "Ticket price at the head, in Gwei",
    registers: [this.registry],
  });
  readonly ticketPoolSize = new Gauge({
    name: "turnstile_ticket_pool_size",
    help: "Tickets sold and not yet drawn, at the head",
    registers: [this.registry],
  });
  readonly payloads = new Counter({
    name: "turnstile_payloads_total",
    help: "Blocks imported by what became of their payload slot",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly peers = new Gauge({ name: "turnstile_peers", help: "Connected peers", registers: [this.registry] });
  readonly commitmentsDropped = new Counter({
    name: "turnstile_commitments_dropped_total",
    help: "Blocks with an empty commitment although a fitting holder commitment reached us before the slot",
    registers: [this.registry],
  });
  readonly inclusionListPayloads = new Counter({
    name: "turnstile_inclusion_list_payloads_total",
    help: "Revealed payloads an inclusion list bound, by whether they satisfied it and whether the head chain carries them",
    labelNames: ["satisfied", "canonical"] as const,
    registers: [this.registry],
  });
  readonly elPayloadSeconds = new Summary({
    name: "turnstile_el_new_payload_seconds",
    help: "engine_newPayloadV1 round trip for payloads with transactions (the EL's import: execution, roots)",
    percentiles: [0.5, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [this.registry],
  });
  readonly holderMevRealised = new Counter({
    name: "turnstile_holder_mev_realised_gwei_total",
    help: "MEV our ticket holders' revealed payloads realised (their own arbitrage at the reference price), Gwei",
    registers: [this.registry],
  });
  readonly holderPayloadsWithMev = new Counter({
    name: "turnstile_holder_mev_payloads_total",
    help: "Our holders' revealed payloads whose EL reported realised MEV, by whether it was positive",
    labelNames: ["positive"] as const,
    registers: [this.registry],
  });
  readonly syncing = new Gauge({
    name: "turnstile_syncing",
    help: "1 while peers are ahead of this node (range sync), else 0",
    registers: [this.registry],
  });
  readonly syncTargetSlot = new Gauge({
    name: "turnstile_sync_target_slot",
    help: "Head slot of the peer being synced from (0 when not syncing)",
    registers: [this.registry],
  });
  readonly syncBlocksPerSecond = new Gauge({
    name: "turnstile_sync_blocks_per_second",
    help: "Blocks imported per second by the range sync under way (0 when not syncing)",
    registers: [this.registry],
  });
  readonly imported = new Counter({
    name: "turnstile_imported_total",
    help: "Objects imported, by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "turnstile_rejected_total",
    help: "Objects rejected, by kind and error code",
    labelNames: ["kind", "code"] as const,
    registers: [this.registry],
  });
  readonly gossipVerdicts = new Counter({
    name: "turnstile_gossip_verdicts_total",
    help: "Gossip messages by topic, verdict (ACCEPT, IGNORE, REJECT) and reason code",
    labelNames: ["topic", "action", "code"] as const,
    registers: [this.registry],
  });
  readonly gossipUnexpectedErrors = new Counter({
    name: "turnstile_gossip_unexpected_errors_total",
    help: "Untyped errors thrown while handling a peer's gossip message (REJECTed: they count against the peer)",
    labelNames: ["topic"] as const,
    registers: [this.registry],
  });
  readonly publishFailures = new Counter({
    name: "turnstile_gossip_publish_failures_total",
    help: "Messages of ours not published, by topic and reason (no_peers: nobody on the topic yet)",
    labelNames: ["topic", "reason"] as const,
    registers: [this.registry],
  });
  readonly importSeconds = new Histogram({
    name: "turnstile_block_import_seconds",
    help: "Time to import a block (state transition + fork choice)",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly voteRefused = new Counter({
    name: "turnstile_gossip_vote_refused_total",
    help: "Votes (attestations, PTC messages) refused at the gossip door and not forwarded, by topic and code",
    labelNames: ["topic", "code"] as const,
    registers: [this.registry],
  });
  readonly votes = new Counter({
    name: "turnstile_fork_choice_votes_total",
    help: "Votes handed to fork choice by source (gossip, block) and outcome (applied, queued, awaiting_payload, dropped, fault)",
    labelNames: ["source", "outcome"] as const,
    registers: [this.registry],
  });
  readonly votesNotApplied = new Counter({
    name: "turnstile_fork_choice_votes_not_applied_total",
    help: "Votes fork choice did not take, by outcome (dropped: stale or unusable; fault: a bug) and code",
    labelNames: ["outcome", "code"] as const,
    registers: [this.registry],
  });
  readonly votesWaiting = new Gauge({
    name: "turnstile_fork_choice_votes_waiting",
    help: "Votes waiting now: for their slot to pass (queued), their payload (awaiting_payload) or their block (awaiting_block)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly reorgs = new Counter({
    name: "beacon_reorgs_total",
    help: "Head changes onto a branch that does not contain the previous head",
    registers: [this.registry],
  });
  readonly reorgDepth = new Histogram({
    name: "turnstile_reorg_depth_slots",
    help: "Slots from the common ancestor to the abandoned head, per reorg",
    buckets: [1, 2, 3, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });
  readonly reorgDepthMax = new Gauge({
    name: "turnstile_reorg_depth_max_slots",
    help: "Deepest reorg since the node started, in slots",
    registers: [this.registry],
  });
  readonly ticketsDrawn = new Counter({
    name: "turnstile_tickets_drawn_total",
    help: "Tickets drawn from the pool by the slots of imported blocks (blocks of abandoned forks included)",
    registers: [this.registry],
  });

  // ethereum/beacon-metrics names, read from the node at each scrape (bindNode)
  private node: BeaconNode | undefined;
  private network: () => MetricsNetwork | undefined = () => undefined;
  private participation: { key: string; value: EpochParticipation } | undefined;
  private deepestReorg = 0;

  readonly beaconSlot = this.chainGauge("beacon_slot", "Wall-clock slot", (n) => n.clock.currentSlot);
  readonly executionAvailable = this.chainGauge(
    "turnstile_execution_available",
    "1 while the Engine API EL answers, 0 while it is unreachable (probed with backoff); 1 with the built-in engine",
    (n) => (n.chain.engine instanceof EngineApiExecutionEngine && !n.chain.engine.isAvailable ? 0 : 1),
  );
  readonly executionInvalidated = this.chainGauge(
    "turnstile_execution_invalidated_payloads",
    "Payloads imported optimistically that the EL later found INVALID (taken out of fork choice), since start",
    (n) => n.chain.invalidatedPayloadCount,
  );
  readonly beaconHeadSlot = this.chainGauge("beacon_head_slot", "Slot of the head block", (n) => n.chain.head().slot);
  readonly beaconHeadRoot = this.chainGauge(
    "beacon_head_root",
    "Head block root: its last 8 bytes as a little-endian int64",
    (n) => rootToGaugeValue(n.chain.head().root),
  );
  readonly beaconFinalizedEpoch = this.chainGauge(
    "beacon_finalized_epoch",
    "Finalized epoch (fork choice store)",
    (n) => n.chain.forkChoice.finalized.epoch,
  );
  readonly beaconFinalizedRoot = this.chainGauge(
    "beacon_finalized_root",
    "Finalized block root: its last 8 bytes as a little-endian int64",
    (n) => rootToGaugeValue(n.chain.forkChoice.finalized.root),
  );
  readonly beaconCurrentJustifiedEpoch = this.chainGauge(
    "beacon_current_justified_epoch",
    "Justified epoch (fork choice store)",
    (n) => n.chain.forkChoice.justified.epoch,
  );
  readonly beaconCurrentJustifiedRoot = this.chainGauge(
    "beacon_current_justified_root",
    "Justified block root: its last 8 bytes as a little-endian int64",
    (n) => rootToGaugeValue(n.chain.forkChoice.justified.root),
  );
  readonly beaconPreviousJustifiedEpoch = this.chainGauge(
    "beacon_previous_justified_epoch",
    "Previous justified epoch of the head state",
    (n) => n.chain.head().state.state.previous_justified_checkpoint.epoch,
  );
  readonly beaconCurrentActiveValidators = this.chainGauge(
    "beacon_current_active_validators",
    "Validators active in the head state's current epoch",
    (n) => this.headParticipation(n).currentActiveValidators,
  );
  readonly participationEpoch = this.chainGauge(
    "turnstile_participation_epoch",
    "The epoch the beacon_previous_epoch_*_gwei gauges describe",
    (n) => this.headParticipation(n).epoch,
  );
  readonly beaconPreviousEpochActiveGwei = this.chainGauge(
    "beacon_previous_epoch_active_gwei",
    "Effective balance of the validators active in the previous epoch, in Gwei",
    (n) => this.headParticipation(n).activeGwei,
  );
  readonly beaconPreviousEpochSourceGwei = this.chainGauge(
    "beacon_previous_epoch_source_gwei",
    "Effective balance of the previous epoch's timely correct source votes in the head state, in Gwei",
    (n) => this.headParticipation(n).sourceGwei,
  );
  readonly beaconPreviousEpochTargetGwei = this.chainGauge(
    "beacon_previous_epoch_target_gwei",
    "Effective balance of the previous epoch's timely correct target votes in the head state, in Gwei",
    (n) => this.headParticipation(n).targetGwei,
  );
  readonly beaconPreviousEpochHeadGwei = this.chainGauge(
    "beacon_previous_epoch_head_gwei",
    "Effective balance of the previous epoch's timely correct head votes in the head state, in Gwei",
    (n) => this.headParticipation(n).headGwei,
  );
  readonly libp2pPeers = new Gauge({
    name: "libp2p_peers",
    help: "Connected libp2p peers",
    registers: [this.registry],
    collect: () => {
      const network = this.network();
      if (network) this.libp2pPeers.set(network.getConnectedPeers().length);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: DEFAULT_METRICS_PREFIX });
    for (const name of DEFAULT_GAUGES_NAMED_TOTAL)
      this.registry.removeSingleMetric(`${DEFAULT_METRICS_PREFIX}nodejs_${name}`);
    registerP2pCounters(this.registry, () => this.network()?.counters());
  }

  /** Read the beacon-metrics gauges and the network's counters from this node at each scrape. */
  bindNode(node: BeaconNode, network: () => MetricsNetwork | undefined = () => undefined): void {
    this.node = node;
    this.network = network;
  }

  onReorg(reorg: Reorg): void {
    this.reorgs.inc();
    this.reorgDepth.observe(reorg.depth);
    this.deepestReorg = Math.max(this.deepestReorg, reorg.depth);
    this.reorgDepthMax.set(this.deepestReorg);
  }

  private chainGauge(name: string, help: string, read: (node: BeaconNode) => number): Gauge {
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: () => {
        if (this.node) gauge.set(read(this.node));
      },
    });
    return gauge;
  }

  /** The head state's previous-epoch participation, summed once per head. */
  private headParticipation(node: BeaconNode): EpochParticipation {
    const head = node.chain.head();
    const key = `${head.root}:${head.payloadStatus}`;
    if (this.participation?.key !== key) this.participation = { key, value: previousEpochParticipation(head.state) };
    return this.participation.value;
  }
}
