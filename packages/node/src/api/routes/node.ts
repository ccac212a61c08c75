import type { ApiContext } from "../context.ts";
import type { Route } from "../routeTable.ts";

/** `/eth/v1/node/*`: version, health, sync status, identity and peers. */
export function nodeRoutes(api: ApiContext): Route[] {
  const { node, chain, opts } = api;
  return [
    {
      method: "GET",
      path: "/eth/v1/node/version",
      handler: async () => ({ data: { version: opts.version ?? "turnstile/0.1.0" } }),
    },
    { method: "GET", path: "/eth/v1/node/health", handler: async (_req, reply) => reply.code(200).send() },
    {
      method: "GET",
      path: "/eth/v1/node/syncing",
      handler: async () => {
        const head = chain.forkChoice.getHead();
        const current = node.clock.currentSlot;
        return {
          data: {
            head_slot: String(head.slot),
            sync_distance: String(Math.max(0, current - head.slot)),
            // Peers are ahead (range sync); a node alone on a stalled chain is not syncing
            is_syncing: node.isSyncing(),
            is_optimistic: false,
            el_offline: false,
          },
        };
      },
    },
    {
      method: "GET",
      path: "/eth/v1/node/identity",
      handler: async () => ({ data: { peer_id: opts.network?.peerId ?? null } }),
    },
    {
      method: "GET",
      path: "/eth/v1/node/peers",
      handler: async () => ({
        data: (opts.network?.peers() ?? []).map((p) => ({
          peer_id: p.peerId,
          last_seen_p2p_address: p.address,
          state: "connected",
        })),
      }),
    },
  ];
}
