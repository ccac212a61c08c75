import type { Logger } from "../../logger.ts";
import type { NodeMetrics } from "../../metrics/metrics.ts";
import type { GossipVotes } from "./gossipVotes.ts";
import type { VoteQueue } from "./voteQueue.ts";

/**
 * Count and log what becomes of votes: every gossip refusal (counter and a debug line), every
 * vote handed to fork choice by outcome, and fork-choice faults at error level (a bug, never a
 * peer's doing, so it must be seen).
 */
export function observeVotes(gossip: GossipVotes, queue: VoteQueue, metrics: NodeMetrics, log: Logger): void {
  gossip.on("refused", (topic, rejection) => {
    metrics.voteRefused.inc({ topic, code: rejection.code });
    log.debug({ topic, action: rejection.action, code: rejection.code, ...rejection.data }, rejection.message);
  });
  queue.on("vote", (source, outcome, code) => {
    metrics.votes.inc({ source, outcome });
    if (code !== null) metrics.votesNotApplied.inc({ outcome, code });
    const waiting = queue.waiting;
    metrics.votesWaiting.set({ reason: "queued" }, waiting.queued);
    metrics.votesWaiting.set({ reason: "awaiting_payload" }, waiting.awaitingPayload);
  });
  queue.on("fault", (error, vote) => {
    log.error(
      { err: (error as Error).message, code: (error as { code?: string }).code, vote },
      "fork choice refused a checked vote",
    );
  });
}
