import { toHex } from "@turnstile/ticket-state";
import type { ApiContext } from "../context.ts";
import { badRequest } from "../errors.ts";
import { send } from "../responses.ts";
import type { Route } from "../routeTable.ts";

/** HTTP statuses of /node/health: ready, and syncing (beacon-APIs). */
const HEALTH_READY = 200;
const HEALTH_SYNCING = 206;
const VERSION = "0.1.0";
/**
 * beacon-APIs `ClientVersionV1`. The spec's `ClientCode` enum lists only Engine-API clients; Turnstile
 * has no code there and does not borrow another client's: "TS" (the row stays schema-invalid on `code`).
 */
const CLIENT_VERSION = { code: "TS", name: "Turnstile", version: `v${VERSION}`, commit: "0x00000000" };
/** Turnstile has no discv5: no ENR and no discovery address. An ENR is required by the spec: empty string. */
const NO_ENR = "";
const PEER_STATES = ["disconnected", "connecting", "connected", "disconnecting"] as const;
const DIRECTIONS = ["inbound", "outbound"] as const;
/** MetaData of a node without networking: sequence 0, no subnets (ATTESTATION_SUBNET_COUNT bits). */
const EMPTY_ATTNETS = "0x0000000000000000";
/**
 * MetaData fields of later Ethereum forks that typed clients expect: Turnstile has no sync committees
 * (SYNC_COMMITTEE_SUBNET_COUNT bits, none set) and no data-column custody.
 */
const NO_SYNCNETS = "0x00";
const NO_CUSTODY_GROUPS = "0";

function listParam(value: string | string[] | undefined): string[] {
  return ([] as string[]).concat(value ?? []).flatMap((v) => v.split(","));
}

/** `/eth/v*\/node/*`: version, health, sync status, identity and peers. */
export function nodeRoutes(api: ApiContext): Route[] {
  const { node, chain, opts } = api;
  const peers = () => opts.network?.peers() ?? [];
  return [
    {
      method: "GET",
      path: "/eth/v1/node/version",
      handler: async (req, reply) => send(req, reply, { data: { version: opts.version ?? `turnstile/v${VERSION}` } }),
    },
    {
      method: "GET",
      path: "/eth/v2/node/version",
      // No execution client is attached (the engine is in-process): only beacon_node
      handler: async (req, reply) => send(req, reply, { data: { beacon_node: CLIENT_VERSION } }),
    },
    {
      method: "GET",
      path: "/eth/v1/node/health",
      handler: async (req, reply) => {
        // beacon-APIs: syncing_status overrides the status answered while syncing
        const override = req.query.syncing_status;
        let syncingStatus = HEALTH_SYNCING;
        if (override !== undefined) {
          if (typeof override !== "string" || !/^\d{3}$/.test(override)) {
            throw badRequest("syncing_status must be an HTTP status code");
          }
          syncingStatus = Number(override);
        }
        return reply.code(node.isSyncing() ? syncingStatus : HEALTH_READY).send();
      },
    },
    {
      method: "GET",
      path: "/eth/v1/node/syncing",
      handler: async (req, reply) => {
        const head = chain.forkChoice.getHead();
        const current = node.clock.currentSlot;
        return send(req, reply, {
          data: {
            head_slot: String(head.slot),
            sync_distance: String(Math.max(0, current - head.slot)),
            // Peers are ahead (range sync); a node alone on a stalled chain is not syncing
            is_syncing: node.isSyncing(),
            // Every block is imported with its payload verified: never optimistic
            is_optimistic: false,
            el_offline: false,
          },
        });
      },
    },
    {
      method: "GET",
      path: "/eth/v1/node/identity",
      handler: async (req, reply) => {
        const network = opts.network;
        const metadata = network?.metadata?.();
        return send(req, reply, {
          data: {
            // A node without networking has no libp2p identity: an empty id, never null
            peer_id: network?.peerId ?? "",
            enr: NO_ENR,
            p2p_addresses: network?.listenAddresses?.() ?? [],
            discovery_addresses: [],
            metadata: {
              seq_number: String(metadata?.seqNumber ?? 0),
              attnets: metadata ? toHex(metadata.attnets) : EMPTY_ATTNETS,
              syncnets: NO_SYNCNETS,
              custody_group_count: NO_CUSTODY_GROUPS,
            },
          },
        });
      },
    },
    {
      method: "GET",
      path: "/eth/v1/node/peers",
      handler: async (req, reply) => {
        const states = listParam(req.query.state);
        const directions = listParam(req.query.direction);
        for (const s of states) if (!(PEER_STATES as readonly string[]).includes(s)) throw badRequest(`bad state ${s}`);
        for (const d of directions) {
          if (!(DIRECTIONS as readonly string[]).includes(d)) throw badRequest(`bad direction ${d}`);
        }
        // The network reports connected peers only
        const data = peers()
          .filter(
            (p) =>
              (states.length === 0 || states.includes("connected")) &&
              (directions.length === 0 || directions.includes(p.direction)),
          )
          .map((p) => ({
            peer_id: p.peerId,
            enr: null,
            last_seen_p2p_address: p.address,
            state: "connected",
            direction: p.direction,
          }));
        return send(req, reply, { data, meta: { count: data.length } });
      },
    },
    {
      method: "GET",
      path: "/eth/v1/node/peer_count",
      handler: async (req, reply) =>
        send(req, reply, {
          data: { disconnected: "0", connecting: "0", connected: String(peers().length), disconnecting: "0" },
        }),
    },
  ];
}
