import type { NodeMetrics } from "../../metrics/metrics.ts";
import type { ApiContext } from "../context.ts";
import type { Route } from "../routeTable.ts";

/** `/metrics`: Prometheus exposition; gauges read from the chain at scrape time. */
export function metricsRoutes(api: ApiContext, metrics: NodeMetrics): Route[] {
  const { node, chain, opts } = api;
  return [
    {
      method: "GET",
      path: "/metrics",
      handler: async (_req, reply) => {
        const head = chain.head();
        metrics.currentSlot.set(node.clock.currentSlot);
        metrics.headSlot.set(head.slot);
        metrics.finalizedEpoch.set(chain.forkChoice.finalized.epoch);
        metrics.justifiedEpoch.set(chain.forkChoice.justified.epoch);
        metrics.ticketPrice.set(head.state.state.ticket_price);
        metrics.ticketPoolSize.set(head.state.state.ticket_pool.length);
        metrics.peers.set(opts.network?.peers().length ?? 0);
        const sync = node.syncProgress();
        metrics.syncing.set(node.isSyncing() ? 1 : 0);
        metrics.syncTargetSlot.set(sync?.targetSlot ?? 0);
        metrics.syncBlocksPerSecond.set(sync?.blocksPerSecond ?? 0);
        void reply.header("content-type", metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    },
  ];
}
