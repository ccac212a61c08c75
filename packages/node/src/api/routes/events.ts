import type { ApiContext } from "../context.ts";
import { EventHub } from "../eventHub.ts";
import { parseTopics } from "../eventTopics.ts";
import type { Route } from "../routeTable.ts";

/**
 * `/eth/v1/events`: Server-Sent Events for the topics asked for. Every Beacon-API topic is accepted;
 * those Turnstile cannot produce (see eventTopics.ts) never fire. At most MAX_EVENT_SUBSCRIBERS streams
 * are open at once; beyond, 503.
 */
export function eventRoutes(api: ApiContext): Route[] {
  const hub = new EventHub(api.node, api.chain);
  return [
    {
      method: "GET",
      path: "/eth/v1/events",
      handler: async (req, reply) => {
        const topics = parseTopics(req.query.topics);
        const unsubscribe = hub.subscribe(topics, (topic, json) =>
          reply.raw.write(`event: ${topic}\ndata: ${json}\n\n`),
        );
        // The response closes when the client goes or the server shuts down
        reply.raw.on("close", unsubscribe);
        reply.raw.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          connection: "keep-alive",
        });
        // Headers now, not with the first event: a client sees the stream open at once
        reply.raw.flushHeaders();
        return reply;
      },
    },
  ];
}
