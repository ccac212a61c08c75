import type { Logger } from "../../logger.ts";
import type { NodeMetrics } from "../../metrics/metrics.ts";
import type { GossipVotes } from "./gossipVotes.ts";
import type { VoteQueue } from "./voteQueue.ts";

/**
 * Count and log what becomes of votes: every gossip refusal (counter and a debug line), every
 * vote handed to fork choice by outcome, votes waiting (for their slot, payload or block), and
 * fork-choice faults and unexpected errors at error level (bugs, never a peer's doing: they must
 * be seen).
 */
export function observeVotes(gossip: GossipVotes, queue: VoteQueue, metrics: NodeMetrics, log: Logger): void {
  const updateWaiting = () => {
    const { queued, awaitingPayload } = queue.waiting;
    metrics.votesWaiting.set({ reason: "queued" }, queued);
    metrics.votesWaiting.set({ reason: "awaiting_payload" }, awaitingPayload);
    metrics.votesWaiting.set({ reason: "awaiting_block" }, gossip.waitingForBlock);
  };
  gossip.on("refused", (topic, rejection) => {
    metrics.voteRefused.inc({ topic, code: rejection.code });
    log.debug({ topic, action: rejection.action, code: rejection.code, ...rejection.data }, rejection.message);
    updateWaiting();
  });
  gossip.on("unexpected", (topic, error) => {
    log.error({ topic, err: (error as Error).message }, "checking a vote failed unexpectedly");
  });
  queue.on("vote", (source, outcome, code) => {
    metrics.votes.inc({ source, outcome });
    if (code !== null) metrics.votesNotApplied.inc({ outcome, code });
    updateWaiting();
  });
  queue.on("fault", (error, vote) => {
    log.error(
      { err: (error as Error).message, code: (error as { code?: string }).code, vote },
      "fork choice refused a checked vote",
    );
  });
}
