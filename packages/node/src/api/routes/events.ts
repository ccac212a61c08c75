import { sszTypes, toHex } from "@turnstile/ticket-state";
import type { BlockEntry } from "../../chain/chain.ts";
import type { DroppedCommitment } from "../../node/beaconNode.ts";
import type { ApiContext } from "../context.ts";
import { badRequest } from "../errors.ts";
import { STATUS_NAMES } from "../responses.ts";
import type { Route } from "../routeTable.ts";

const TOPICS = ["head", "block", "payload", "finalized_checkpoint", "ticket_assigned", "commitment_dropped"] as const;

/** `/eth/v1/events`: Server-Sent Events for the topics asked for. */
export function eventRoutes(api: ApiContext): Route[] {
  const { node, chain, ctx } = api;
  return [
    {
      method: "GET",
      path: "/eth/v1/events",
      handler: async (req, reply) => {
        const requested = ([] as string[]).concat(req.query.topics ?? []).flatMap((t) => t.split(","));
        const unknown = requested.filter((t) => !(TOPICS as readonly string[]).includes(t));
        if (requested.length === 0 || unknown.length > 0) {
          throw badRequest(
            `topics must be some of ${TOPICS.join(", ")}${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}`,
          );
        }
        reply.raw.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          connection: "keep-alive",
        });
        // Headers now, not with the first event: a client sees the stream open at once
        reply.raw.flushHeaders();
        const send = (event: string, data: unknown) => {
          if (requested.includes(event)) reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        const onHead = (head: { root: string; slot: number; payloadStatus: number }) =>
          send("head", { slot: String(head.slot), block: head.root, payload_status: STATUS_NAMES[head.payloadStatus] });
        const onBlock = (entry: BlockEntry) => {
          send("block", { slot: String(entry.block.message.slot), block: entry.root });
          const s = chain.regen.getPostState(entry.root, false).state;
          const lookahead = s.slot + ctx.preset.TICKET_LOOKAHEAD_SLOTS;
          const assignment = s.ticket_assignments.getReadonly(lookahead % (ctx.preset.TICKET_LOOKAHEAD_SLOTS + 1));
          if (assignment.slot === lookahead)
            send("ticket_assigned", sszTypes.TicketAssignment.toJson(assignment.toValue()));
        };
        const onPayload = (entry: BlockEntry) =>
          send("payload", {
            slot: String(entry.block.message.slot),
            block: entry.root,
            block_hash: toHex(entry.envelope!.message.payload.block_hash),
          });
        const onFinalized = (cp: { epoch: number; root: string }) =>
          send("finalized_checkpoint", { epoch: String(cp.epoch), block: cp.root });
        const onDropped = (d: DroppedCommitment) =>
          send("commitment_dropped", {
            slot: String(d.slot),
            block: d.blockRoot,
            proposer_index: String(d.proposerIndex),
            ticket_id: String(d.ticketId),
            seconds_before_slot: d.secondsBeforeSlot,
          });
        chain.on("head", onHead);
        chain.on("block", onBlock);
        chain.on("payload", onPayload);
        chain.on("finalized", onFinalized);
        node.on("commitmentDropped", onDropped);
        req.raw.on("close", () => {
          node.off("commitmentDropped", onDropped);
          chain.off("head", onHead);
          chain.off("block", onBlock);
          chain.off("payload", onPayload);
          chain.off("finalized", onFinalized);
        });
        return reply;
      },
    },
  ];
}
