import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "turnstile_process_" });
  }
}
