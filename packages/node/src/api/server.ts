import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { type ApiOptions, apiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { beaconRoutes } from "./routes/beacon.ts";
import { configRoutes } from "./routes/config.ts";
import { debugRoutes } from "./routes/debug.ts";
import { eventRoutes } from "./routes/events.ts";
import { inclusionListRoutes } from "./routes/inclusionLists.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { nodeRoutes } from "./routes/node.ts";
import { poolRoutes } from "./routes/pool.ts";
import { stateRoutes } from "./routes/states.ts";
import { ticketMarketRoutes } from "./routes/ticketMarket.ts";
import { ticketRoutes } from "./routes/tickets.ts";
import { registerRoutes } from "./routeTable.ts";

export type { ApiMetadata, ApiNetwork, ApiOptions, ApiPeer } from "./context.ts";
export { ApiError, ApiErrorCode } from "./errors.ts";

/** Lowest HTTP status whose cause is the server's: its message is not shown to the client. */
const SERVER_ERROR = 500;
const NOT_FOUND = 404;
const BAD_REQUEST = 400;

/**
 * REST API in Beacon-API conventions (`{data: …}`, numbers as decimal strings, bytes as 0x-hex),
 * plus the ticket endpoints and Server-Sent Events, one route module per namespace. Binds to
 * 127.0.0.1 unless told otherwise.
 */
export async function startApi(opts: ApiOptions): Promise<FastifyInstance> {
  // Event streams never go idle: closing must end them, or an open subscriber would hold up shutdown
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    // The router's own refusals (a path parameter over its length limit: 414; a malformed URL: 400)
    // in the Beacon-API error shape too, not Fastify's `{error, code: "FST_…"}`
    frameworkErrors: (error, _request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? BAD_REQUEST;
      void (reply as FastifyReply).code(status).send({ code: status, message: error.message });
    },
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof ApiError ? error.status : (error.statusCode ?? SERVER_ERROR);
    const message = error instanceof ApiError ? error.reason : error.message;
    // An ApiError's reason is written for the client (a 503 says why); other server errors are not shown
    const shown = error instanceof ApiError || status < SERVER_ERROR;
    void reply.code(status).send({ code: status, message: shown ? message : "internal error" });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(NOT_FOUND).send({ code: NOT_FOUND, message: `no route ${request.method} ${request.url}` });
  });

  const api = apiContext(opts);
  registerRoutes(app, [
    ...nodeRoutes(api),
    ...beaconRoutes(api),
    ...stateRoutes(api),
    ...poolRoutes(api),
    ...configRoutes(api),
    ...debugRoutes(api),
    ...ticketRoutes(api),
    ...ticketMarketRoutes(api),
    ...inclusionListRoutes(api),
    ...eventRoutes(api),
    ...metricsRoutes(api, opts.metrics),
  ]);

  await app.listen({ host: opts.host, port: opts.port });
  return app;
}
