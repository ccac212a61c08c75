/**
 * Schema check of the ticket endpoints (`/eth/v1/tickets/...`) against their own OpenAPI document,
 * docs/api/tickets.yaml: the beacon-APIs spec does not define them. Same validator as the Beacon-API harness,
 * second spec source; there is no typed client for these endpoints, so the client column is n/a.
 */
import { fileURLToPath } from "node:url";
import { NodeMetrics, startApi } from "@turnstile/node";
import { steppedNode } from "../../packages/node/test/unit/helpers.ts";
import type { ConformanceRow } from "./conformance.ts";
import { SpecLookupError } from "./errors.ts";
import { BeaconApiSpec, type Verdict } from "./openApiSpec.ts";

export const TICKETS_SPEC_DIR = fileURLToPath(new URL("../../docs/api/", import.meta.url));
export const TICKETS_SPEC_DOCUMENT = "tickets.yaml";

export const ticketsSpec = () => new BeaconApiSpec(TICKETS_SPEC_DIR, TICKETS_SPEC_DOCUMENT);

/** Facts about the running node that concrete requests need. */
export interface TicketProbeContext {
  /** Buyer accounts in the head state: index `buyerCount` is the first that does not exist. */
  buyerCount: number;
  /** A buyer owning at least one pooled ticket. */
  poolOwner: number;
}

export interface TicketProbe {
  /** Path template as in tickets.yaml's `paths`. */
  path: string;
  url(c: TicketProbeContext): string;
  /** 200 unless told. */
  expectedStatus?: number;
}

/** Largest `limit` the pool endpoint takes (tickets.yaml: "0 to 10000"). */
const POOL_LIMIT_MAX = 10_000;
const SMALL_LIMIT = 2;

export const TICKET_PROBES: readonly TicketProbe[] = [
  { path: "/eth/v1/tickets/price", url: () => "/eth/v1/tickets/price" },
  { path: "/eth/v1/tickets/pool", url: () => "/eth/v1/tickets/pool" },
  { path: "/eth/v1/tickets/pool", url: () => `/eth/v1/tickets/pool?limit=${SMALL_LIMIT}` },
  { path: "/eth/v1/tickets/pool", url: (c) => `/eth/v1/tickets/pool?owner=${c.poolOwner}` },
  { path: "/eth/v1/tickets/pool", url: () => `/eth/v1/tickets/pool?limit=${POOL_LIMIT_MAX + 1}`, expectedStatus: 400 },
  { path: "/eth/v1/tickets/assignments", url: () => "/eth/v1/tickets/assignments" },
  { path: "/eth/v1/tickets/buyers/{buyer_index}", url: () => "/eth/v1/tickets/buyers/0" },
  {
    path: "/eth/v1/tickets/buyers/{buyer_index}",
    url: (c) => `/eth/v1/tickets/buyers/${c.buyerCount}`,
    expectedStatus: 404,
  },
  { path: "/eth/v1/tickets/buyers/{buyer_index}", url: () => "/eth/v1/tickets/buyers/first", expectedStatus: 400 },
  // The opt-in market operations' pools (empty under the default pricing rule, still well-formed)
  { path: "/eth/v1/tickets/bids", url: () => "/eth/v1/tickets/bids" },
  { path: "/eth/v1/tickets/sell_backs", url: () => "/eth/v1/tickets/sell_backs" },
  { path: "/eth/v1/tickets/fills", url: () => "/eth/v1/tickets/fills" },
  { path: "/eth/v1/tickets/offers", url: () => "/eth/v1/tickets/offers" },
  { path: "/eth/v1/tickets/holder_slashings", url: () => "/eth/v1/tickets/holder_slashings" },
  // No user traffic in this node: no inclusion list is seen (test/api/inclusionLists.test.ts probes one that is)
  {
    path: "/eth/v1/tickets/inclusion_lists/{slot}",
    url: () => `/eth/v1/tickets/inclusion_lists/${SLOTS_BEFORE_PROBING}`,
    expectedStatus: 404,
  },
  {
    path: "/eth/v1/tickets/inclusion_lists/{slot}",
    url: () => "/eth/v1/tickets/inclusion_lists/next",
    expectedStatus: 400,
  },
];

/** Slots run before probing: enough for the ticket-holder agents to buy and the lottery to draw from the pool. */
const SLOTS_BEFORE_PROBING = 12;
const OK_STATUS = 200;
const NO_CLIENT: Verdict = { ok: "n/a", reason: "no typed client for the ticket endpoints" };

/** One probe's row and the answer it got (the test reads the bodies too). */
export interface TicketAnswer {
  row: ConformanceRow;
  probe: TicketProbe;
  body: unknown;
}

/** Every GET route under /eth/v1/tickets the server serves, as `GET <path template>` with `{}` for parameters. */
export type ServedRoutes = string[];

const TICKET_ROUTE = /(\/eth\/v1\/tickets\/\S*) \(([^)]*)\)/g;

/** The served ticket routes, read off Fastify's route tree (whatever module registers them). */
export function ticketRoutes(printedRoutes: string): ServedRoutes {
  const routes: string[] = [];
  for (const [, path, methods] of printedRoutes.matchAll(TICKET_ROUTE)) {
    for (const method of methods!.split(",").map((m) => m.trim())) {
      // HEAD comes with every GET in Fastify
      if (method !== "HEAD") routes.push(`${method} ${templateKey(path!)}`);
    }
  }
  return routes.sort();
}

/** `/a/:x/b` and `/a/{x}/b` compare equal: parameter names are the spec's business. */
export const templateKey = (path: string) => path.replace(/:[^/]+|\{[^}]+\}/g, "{}");

/** Start a node, let the market run, probe every ticket endpoint, stop the node. */
export async function runTicketProbes(
  spec: BeaconApiSpec = ticketsSpec(),
): Promise<{ answers: TicketAnswer[]; routes: ServedRoutes }> {
  const { node, run } = steppedNode();
  run(1, SLOTS_BEFORE_PROBING);
  const state = node.chain.head().state.state;
  const pool = state.ticket_pool;
  if (pool.length === 0) throw new Error(`no ticket pooled after ${SLOTS_BEFORE_PROBING} slots: nothing to probe`);
  const c: TicketProbeContext = { buyerCount: state.buyers.length, poolOwner: pool.getReadonly(0).owner };
  const server = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
  try {
    const baseUrl = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
    const answers: TicketAnswer[] = [];
    for (const probe of TICKET_PROBES) {
      const url = probe.url(c);
      const res = await fetch(`${baseUrl}${url}`, { headers: { accept: "application/json" } });
      const text = await res.text();
      const expectedStatus = probe.expectedStatus ?? OK_STATUS;
      let schema: Verdict;
      try {
        schema = spec.checkResponse("GET", probe.path, { status: res.status, headers: res.headers, body: text });
      } catch (e) {
        // A path tickets.yaml lacks: this row fails, the others still run
        if (!(e instanceof SpecLookupError)) throw e;
        schema = { ok: false, error: e.message };
      }
      if (schema.ok === true && res.status !== expectedStatus) {
        schema = { ok: false, error: `answered ${res.status}, not ${expectedStatus}` };
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      answers.push({
        row: { endpoint: `GET ${url}`, status: res.status, expectedStatus, schema, client: NO_CLIENT },
        probe,
        body,
      });
    }
    return { answers, routes: ticketRoutes(server.printRoutes({ commonPrefix: false })) };
  } finally {
    await server.close();
  }
}
