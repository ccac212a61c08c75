import { TicketStateError } from "@turnstile/ticket-state";
import type { ApiContext } from "../context.ts";
import { badRequest } from "../errors.ts";
import { CONSENSUS_VERSION, CONSENSUS_VERSION_HEADER } from "../responses.ts";
import type { Route } from "../routeTable.ts";

/**
 * Parse a JSON body into an SSZ value; malformed input is the client's error. ssz's `fromJson`
 * is lenient with numbers ("1.5" reads as 1, "1e3" as 1000, "-1" as -1, which then serializes as
 * 2^64-1), so the body must also be the canonical JSON of what it decodes to, bytes and back.
 */
export function parseBody<T>(
  type: {
    fromJson(json: unknown): T;
    toJson(value: T): unknown;
    serialize(value: T): Uint8Array;
    deserialize(bytes: Uint8Array): T;
  },
  body: unknown,
  what: string,
): T {
  let value: T;
  try {
    value = type.fromJson(body);
  } catch (e) {
    throw badRequest(`invalid ${what}: ${(e as Error).message}`);
  }
  const path = nonCanonicalPath(body, type.toJson(type.deserialize(type.serialize(value))), "");
  if (path !== null) throw badRequest(`invalid ${what}: ${path || "body"} is not a canonical value`);
  return value;
}

const HEX = /^0x[0-9a-fA-F]*$/;

/** Where `sent` differs from the canonical `canonical` (hex compared without case), or null. */
function nonCanonicalPath(sent: unknown, canonical: unknown, path: string): string | null {
  if (typeof sent === "string" && typeof canonical === "string") {
    const same = HEX.test(sent) && HEX.test(canonical) ? sent.toLowerCase() === canonical : sent === canonical;
    return same ? null : path;
  }
  if (Array.isArray(sent) && Array.isArray(canonical)) {
    if (sent.length !== canonical.length) return path;
    for (let i = 0; i < sent.length; i++) {
      const at = nonCanonicalPath(sent[i], canonical[i], `${path}[${i}]`);
      if (at !== null) return at;
    }
    return null;
  }
  if (sent !== null && canonical !== null && typeof sent === "object" && typeof canonical === "object") {
    for (const [key, v] of Object.entries(canonical)) {
      const at = nonCanonicalPath((sent as Record<string, unknown>)[key], v, path ? `${path}.${key}` : key);
      if (at !== null) return at;
    }
    return null;
  }
  return sent === canonical ? null : path;
}

/** Run a gossip-checked admission; a typed refusal is the client's error. */
export function submit(admit: () => void): void {
  try {
    admit();
  } catch (e) {
    if (!(e instanceof TicketStateError)) throw e;
    throw badRequest(e.message);
  }
}

/** Operation pools (exits and slashings): a submitted operation passes the gossip checks, then is pooled and published. */
export function poolRoutes(api: ApiContext): Route[] {
  const { node, ctx } = api;
  const ops = node.exitsAndSlashings;
  return [
    {
      method: "GET",
      path: "/eth/v1/beacon/pool/voluntary_exits",
      handler: async () => ({
        data: node.pools.voluntaryExits.getAll().map((e) => ctx.ssz.SignedVoluntaryExit.toJson(e)),
      }),
    },
    {
      method: "POST",
      path: "/eth/v1/beacon/pool/voluntary_exits",
      handler: async (req, reply) => {
        const exit = parseBody(ctx.ssz.SignedVoluntaryExit, req.body, "voluntary exit");
        submit(() => ops.submitVoluntaryExit(exit));
        return reply.code(200).send();
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/pool/proposer_slashings",
      handler: async () => ({
        data: node.pools.proposerSlashings.getAll().map((s) => ctx.ssz.ProposerSlashing.toJson(s)),
      }),
    },
    {
      method: "POST",
      path: "/eth/v1/beacon/pool/proposer_slashings",
      handler: async (req, reply) => {
        const slashing = parseBody(ctx.ssz.ProposerSlashing, req.body, "proposer slashing");
        submit(() => ops.submitProposerSlashing(slashing));
        return reply.code(200).send();
      },
    },
    {
      method: "GET",
      path: "/eth/v2/beacon/pool/attester_slashings",
      handler: async (_req, reply) => {
        void reply.header(CONSENSUS_VERSION_HEADER, CONSENSUS_VERSION);
        return {
          version: CONSENSUS_VERSION,
          data: node.pools.attesterSlashings.getAll().map((s) => ctx.ssz.AttesterSlashing.toJson(s)),
        };
      },
    },
    {
      method: "POST",
      path: "/eth/v2/beacon/pool/attester_slashings",
      handler: async (req, reply) => {
        // beacon-APIs: the v2 body is fork-dependent and names its fork in this header
        if (!req.headers["eth-consensus-version"]) throw badRequest("Eth-Consensus-Version header required");
        const slashing = parseBody(ctx.ssz.AttesterSlashing, req.body, "attester slashing");
        submit(() => ops.submitAttesterSlashing(slashing));
        return reply.code(200).send();
      },
    },
  ];
}
