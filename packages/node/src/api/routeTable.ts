import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Path parameters, query and body as Fastify parsed them (ids and queries are strings). */
export type ApiRequest = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | string[] | undefined>;
  Body: unknown;
}>;

/** One endpoint: method, path (Fastify syntax, `:param`) and what answers it. */
export interface Route {
  method: "GET" | "POST";
  path: string;
  handler(req: ApiRequest, reply: FastifyReply): Promise<unknown>;
}

export function registerRoutes(app: FastifyInstance, routes: readonly Route[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: (req, reply) => route.handler(req as ApiRequest, reply),
    });
  }
}
