import { TicketStateError } from "@turnstile/ticket-state";
import type { ApiContext } from "../context.ts";
import { badRequest } from "../errors.ts";
import { CONSENSUS_VERSION, CONSENSUS_VERSION_HEADER } from "../responses.ts";
import type { Route } from "../routeTable.ts";

/** Parse a JSON body into an SSZ value; malformed input is the client's error. */
function parseBody<T>(type: { fromJson(json: unknown): T }, body: unknown, what: string): T {
  try {
    return type.fromJson(body);
  } catch (e) {
    throw badRequest(`invalid ${what}: ${(e as Error).message}`);
  }
}

/** Run a gossip-checked admission; a typed refusal is the client's error. */
function submit(admit: () => void): void {
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
