import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyEngineJwt } from "../engineApi/jwt.ts";
import type { ExecutionError } from "../errors.ts";
import type { RpcHandler } from "./ethMethods.ts";
import { RpcCode, toRpcError } from "./rpcError.ts";

/** Largest request body read (a full payload of large transactions fits). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Requests one batch may hold (geth's default BatchRequestLimit). */
export const MAX_BATCH_REQUESTS = 1000;

export interface RpcServerOptions {
  host?: string;
  port: number;
  methods: Record<string, RpcHandler>;
  /** When set, every request must carry a valid Engine API JWT (the authenticated port). */
  jwtSecret?: Uint8Array;
}

export interface RpcServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

interface JsonRpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size - chunk.length <= MAX_BODY_BYTES) {
        // Said once; the rest is read and dropped, so the client hears 413 rather than a reset
        chunks.length = 0;
        reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
      }
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const stringify = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));

const invalidRequest = (message: string) => ({
  jsonrpc: "2.0",
  id: null,
  error: { code: RpcCode.INVALID_REQUEST, message },
});

async function dispatch(methods: Record<string, RpcHandler>, request: unknown): Promise<unknown> {
  // Any JSON may arrive: only an object is a request (`null`, a number or a list is not)
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return invalidRequest("a request is a JSON object");
  }
  const { method, params } = request as JsonRpcRequest;
  const id = (request as JsonRpcRequest).id ?? null;
  // Own methods only: a name such as "constructor" or "toString" is no method of ours
  const handler = typeof method === "string" && Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler)
    return {
      jsonrpc: "2.0",
      id,
      error: { code: RpcCode.METHOD_NOT_FOUND, message: `method not found: ${String(method)}` },
    };
  try {
    const result = await handler(Array.isArray(params) ? params : []);
    return { jsonrpc: "2.0", id, result: result ?? null };
  } catch (e) {
    return { jsonrpc: "2.0", id, error: toRpcError(e) };
  }
}

/** Answer with `body` as JSON, unless an answer has already gone out (or the client has gone). */
function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(stringify(body));
}

/** JSON-RPC 2.0 over HTTP POST (single or batch requests), optionally behind the Engine API JWT. */
export function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST") return reply(res, 405, invalidRequest("POST only"));
    if (opts.jwtSecret) {
      try {
        await verifyEngineJwt(req.headers.authorization, opts.jwtSecret);
      } catch (e) {
        // authentication.md: an unauthenticated request gets HTTP 401
        return reply(res, 401, invalidRequest((e as ExecutionError).message));
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        res.setHeader("connection", "close");
        return reply(res, 413, invalidRequest(e.message));
      }
      return reply(res, 200, {
        jsonrpc: "2.0",
        id: null,
        error: { code: RpcCode.PARSE_ERROR, message: "parse error" },
      });
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return reply(res, 200, invalidRequest("empty batch"));
      if (parsed.length > MAX_BATCH_REQUESTS) {
        return reply(res, 200, invalidRequest(`batch of ${parsed.length} requests, more than ${MAX_BATCH_REQUESTS}`));
      }
      return reply(res, 200, await Promise.all(parsed.map((r) => dispatch(opts.methods, r))));
    }
    return reply(res, 200, await dispatch(opts.methods, parsed));
  };
  // Nothing a client sends may escape as an unhandled rejection (it would end the process)
  const server = createServer((req, res) => {
    // Handling threw where no check foresaw it: an internal error, and the server goes on
    handle(req, res).catch((e: unknown) => {
      reply(res, 500, { jsonrpc: "2.0", id: null, error: toRpcError(e) });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => {
      const address = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${opts.host ?? "127.0.0.1"}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
