import { toHex } from "@turnstile/ticket-state";
import type { ApiContext } from "../context.ts";
import { badRequest, notFound } from "../errors.ts";
import type { Route } from "../routeTable.ts";

const MS_PER_SECOND = 1000;

/** `/eth/v1/tickets/inclusion_lists/*`: the inclusion lists this node has seen (documented in docs/api/tickets.yaml). */
export function inclusionListRoutes(api: ApiContext): Route[] {
  return [
    {
      method: "GET",
      path: "/eth/v1/tickets/inclusion_lists/:slot",
      handler: async (req) => {
        const raw = req.params.slot ?? "";
        const slot = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
        if (!Number.isSafeInteger(slot)) throw badRequest("slot must be a decimal number");
        const seen = api.node.inclusionLists.seen(slot);
        if (seen === undefined) throw notFound(`no inclusion list seen for slot ${slot}`);
        return {
          data: {
            slot: String(seen.slot),
            root: seen.root,
            proposer_index: String(seen.proposerIndex),
            transactions: seen.transactions.map((tx) => toHex(tx)),
            received_at_ms: String(Math.round(seen.receivedAt * MS_PER_SECOND)),
            equivocated: seen.equivocated,
            binding: seen.binding,
          },
        };
      },
    },
  ];
}
