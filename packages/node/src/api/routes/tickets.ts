import { readAllValues, sszTypes } from "@turnstile/ticket-state";
import type { ApiContext } from "../context.ts";
import { badRequest, notFound } from "../errors.ts";
import type { Route } from "../routeTable.ts";

/** Tickets listed when the request names no limit, and the most one request may ask for. */
const DEFAULT_POOL_LIMIT = 100;
const MAX_POOL_LIMIT = 10_000;

/** `/eth/v1/tickets/*`: the ticket market (documented in docs/api/tickets.yaml). */
/** A query or path number: decimal digits only ("0x1", "1e3", "" and "-1" are refused), a safe integer. */
function decimalQuery(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`${name} must be a decimal number`);
  return n;
}

export function ticketRoutes(api: ApiContext): Route[] {
  const { chain, ctx } = api;
  return [
    {
      method: "GET",
      path: "/eth/v1/tickets/price",
      handler: async () => {
        const s = chain.head().state.state;
        const c = ctx.config;
        return {
          data: {
            slot: String(s.slot),
            price: String(s.ticket_price),
            pricing: c.TICKET_PRICING,
            min_price: String(c.MIN_TICKET_PRICE),
            max_price: String(c.MAX_TICKET_PRICE),
            target_pool_size: String(c.TARGET_TICKET_POOL_SIZE),
            pool_size: String(s.ticket_pool.length),
            tickets_sold: String(s.next_ticket_id),
            revenue_pending: String(s.ticket_revenue),
            revenue_sink: c.TICKET_REVENUE_SINK,
          },
        };
      },
    },
    {
      method: "GET",
      path: "/eth/v1/tickets/pool",
      handler: async (req) => {
        const limit = decimalQuery(req.query.limit, "limit") ?? DEFAULT_POOL_LIMIT;
        if (limit > MAX_POOL_LIMIT) throw badRequest(`limit must be 0..${MAX_POOL_LIMIT}`);
        const owner = decimalQuery(req.query.owner, "owner");
        const pool = chain.head().state.state.ticket_pool;
        const tickets = [];
        for (let i = 0; i < pool.length && tickets.length < limit; i++) {
          const t = pool.getReadonly(i).toValue();
          if (owner === undefined || t.owner === owner) tickets.push(sszTypes.ExecutionTicket.toJson(t));
        }
        return { data: { size: String(pool.length), tickets } };
      },
    },
    {
      method: "GET",
      path: "/eth/v1/tickets/assignments",
      handler: async () => {
        const s = chain.head().state.state;
        const entries = readAllValues(s.ticket_assignments).filter((a) => a.slot >= s.slot);
        entries.sort((a, b) => a.slot - b.slot);
        return { data: entries.map((a) => sszTypes.TicketAssignment.toJson(a)) };
      },
    },
    {
      method: "GET",
      path: "/eth/v1/tickets/buyers/:index",
      handler: async (req) => {
        const index = decimalQuery(req.params.index ?? "", "buyer index") ?? 0;
        const buyers = chain.head().state.state.buyers;
        if (index >= buyers.length) throw notFound(`no buyer ${index}`);
        return {
          data: { index: String(index), ...(sszTypes.Buyer.toJson(buyers.getReadonly(index).toValue()) as object) },
        };
      },
    },
  ];
}
