import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyEngineJwt } from "../engineApi/jwt.ts";
import type { ExecutionError } from "../errors.ts";
import type { RpcHandler } from "./ethMethods.ts";
import { RpcCode, toRpcError } from "./rpcError.ts";

/** Largest request body read (a full payload of large transactions fits). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const stringify = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));

async function dispatch(methods: Record<string, RpcHandler>, request: JsonRpcRequest): Promise<unknown> {
  const id = request.id ?? null;
  const handler = typeof request.method === "string" ? methods[request.method] : undefined;
  if (!handler)
    return {
      jsonrpc: "2.0",
      id,
      error: { code: RpcCode.METHOD_NOT_FOUND, message: `method not found: ${String(request.method)}` },
    };
  try {
    const result = await handler(Array.isArray(request.params) ? request.params : []);
    return { jsonrpc: "2.0", id, result: result ?? null };
  } catch (e) {
    return { jsonrpc: "2.0", id, error: toRpcError(e) };
  }
}

/** JSON-RPC 2.0 over HTTP POST (single or batch requests), optionally behind the Engine API JWT. */
export function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(stringify(body));
    };
    if (req.method !== "POST")
      return reply(405, { jsonrpc: "2.0", id: null, error: { code: RpcCode.INVALID_REQUEST, message: "POST only" } });
    if (opts.jwtSecret) {
      try {
        await verifyEngineJwt(req.headers.authorization, opts.jwtSecret);
      } catch (e) {
        // authentication.md: an unauthenticated request gets HTTP 401
        return reply(401, {
          jsonrpc: "2.0",
          id: null,
          error: { code: RpcCode.INVALID_REQUEST, message: (e as ExecutionError).message },
        });
      }
    }
    let parsed: JsonRpcRequest | JsonRpcRequest[];
    try {
      parsed = JSON.parse(await readBody(req));
    } catch {
      return reply(200, { jsonrpc: "2.0", id: null, error: { code: RpcCode.PARSE_ERROR, message: "parse error" } });
    }
    if (Array.isArray(parsed)) return reply(200, await Promise.all(parsed.map((r) => dispatch(opts.methods, r))));
    return reply(200, await dispatch(opts.methods, parsed));
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
