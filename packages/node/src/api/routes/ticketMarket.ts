import type { ApiContext } from "../context.ts";
import type { Route } from "../routeTable.ts";
import { parseBody, submit } from "./pool.ts";

/**
 * `/eth/v1/tickets/{bids,sell_backs,offers,fills,holder_slashings}`: the opt-in ticket-market operations
 * (documented in docs/api/tickets.yaml). GET lists what waits in the node's pool for a block; POST
 * submits one: it passes the gossip checks (a refusal is a 400 with the reason, nothing is pooled),
 * is pooled and published on its gossip topic, as the beacon pool endpoints do for exits and slashings.
 * `/eth/v1/tickets/offers` is the node's offer book (not consensus: a block carries an offer only
 * inside its fill); an offer posted there passes the `ticket_offer` checks, enters the book and is
 * published on `ticket_offer` to the peers' books.
 */
export function ticketMarketRoutes(api: ApiContext): Route[] {
  const { node, ctx } = api;
  const { pools } = node;
  return [
    {
      method: "GET",
      path: "/eth/v1/tickets/bids",
      handler: async () => ({ data: pools.ticketBids.getAll().map((b) => ctx.ssz.SignedTicketBid.toJson(b)) }),
    },
    {
      method: "POST",
      path: "/eth/v1/tickets/bids",
      handler: async (req, reply) => {
        const bid = parseBody(ctx.ssz.SignedTicketBid, req.body, "ticket bid");
        submit(() => node.submitMarketOperation("ticket_bid", bid));
        return reply.code(200).send();
      },
    },
    {
      method: "GET",
      path: "/eth/v1/tickets/sell_backs",
      handler: async () => ({
        data: pools.ticketSellBacks.getAll().map((s) => ctx.ssz.SignedTicketSellBack.toJson(s)),
      }),
    },
    {
      method: "POST",
      path: "/eth/v1/tickets/sell_backs",
      handler: async (req, reply) => {
        const sellBack = parseBody(ctx.ssz.SignedTicketSellBack, req.body, "ticket sell-back");
        submit(() => node.submitMarketOperation("ticket_sell_back", sellBack));
        return reply.code(200).send();
      },
    },
    {
      method: "GET",
      path: "/eth/v1/tickets/fills",
      handler: async () => ({ data: pools.ticketFills.getAll().map((f) => ctx.ssz.SignedTicketFill.toJson(f)) }),
    },
    {
      method: "POST",
      path: "/eth/v1/tickets/fills",
      handler: async (req, reply) => {
        const fill = parseBody(ctx.ssz.SignedTicketFill, req.body, "ticket fill");
        submit(() => node.submitMarketOperation("ticket_fill", fill));
        return reply.code(200).send();
      },
    },
    {
      method: "GET",
      path: "/eth/v1/tickets/offers",
      handler: async () => ({ data: node.offers.getAll().map((o) => ctx.ssz.SignedTicketOffer.toJson(o)) }),
    },
    {
      method: "POST",
      path: "/eth/v1/tickets/offers",
      handler: async (req, reply) => {
        const offer = parseBody(ctx.ssz.SignedTicketOffer, req.body, "ticket offer");
        submit(() => node.submitMarketOperation("ticket_offer", offer));
        return reply.code(200).send();
      },
    },
    {
      method: "GET",
      path: "/eth/v1/tickets/holder_slashings",
      handler: async () => ({
        data: pools.holderSlashings.getAll().map((s) => ctx.ssz.HolderSlashing.toJson(s)),
      }),
    },
    {
      method: "POST",
      path: "/eth/v1/tickets/holder_slashings",
      handler: async (req, reply) => {
        const slashing = parseBody(ctx.ssz.HolderSlashing, req.body, "holder slashing");
        submit(() => node.submitMarketOperation("holder_slashing", slashing));
        return reply.code(200).send();
      },
    },
  ];
}
