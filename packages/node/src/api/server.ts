import { PayloadStatus } from "@turnstile/fork-choice";
import { type CachedBeaconState, readAllValues, sszTypes, TicketStateError, toHex } from "@turnstile/ticket-state";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { BlockEntry } from "../chain/chain.ts";
import type { BeaconDb } from "../db/beaconDb.ts";
import type { NodeMetrics } from "../metrics/metrics.ts";
import type { BeaconNode, DroppedCommitment } from "../node/beaconNode.ts";

export interface ApiOptions {
  host: string;
  port: number;
  node: BeaconNode;
  metrics: NodeMetrics;
  db?: BeaconDb;
  /** Peer count and identity, when the node is networked. */
  network?: { peerId: string; peers(): { peerId: string; address: string }[] };
  version?: string;
}

class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const STATUS_NAMES = ["PENDING", "EMPTY", "FULL"] as const;
/** The fork name v2 endpoints answer with (`version`, `Eth-Consensus-Version`): the chain has one fork. */
const CONSENSUS_VERSION = "turnstile";

/**
 * REST API in Beacon-API conventions (`{data: …}`, numbers as decimal strings, bytes as 0x-hex),
 * plus the ticket endpoints and Server-Sent Events. Binds to 127.0.0.1 unless told otherwise.
 */
export async function startApi(opts: ApiOptions): Promise<FastifyInstance> {
  const { node, metrics } = opts;
  const { chain, ctx } = node;
  // Event streams never go idle: closing must end them, or an open subscriber would hold up shutdown
  const app = Fastify({ logger: false, forceCloseConnections: true });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof ApiError ? error.status : (error.statusCode ?? 500);
    void reply.code(status).send({ code: status, message: status >= 500 ? "internal error" : error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 404, message: `no route ${request.method} ${request.url}` });
  });

  /** Resolve a block id: head | genesis | finalized | justified | <slot> | 0x<root> (among imported blocks). */
  const blockEntry = (id: string): BlockEntry => {
    const head = chain.forkChoice.getHead();
    let root: string | undefined;
    if (id === "head") root = head.root;
    else if (id === "finalized") root = chain.forkChoice.finalized.root;
    else if (id === "justified") root = chain.forkChoice.justified.root;
    else if (id === "genesis") root = chain.anchorRoot;
    else if (/^0x[0-9a-fA-F]{64}$/.test(id)) root = id.toLowerCase();
    else if (/^\d+$/.test(id)) {
      const slot = Number(id);
      for (
        let entry = chain.getEntry(head.root);
        entry;
        entry = chain.getEntry(toHex(entry.block.message.parent_root))
      ) {
        if (entry.block.message.slot === slot) {
          root = entry.root;
          break;
        }
        if (entry.block.message.slot < slot) break;
      }
    } else throw new ApiError(400, `invalid block id: ${id}`);
    const entry = root === undefined ? undefined : chain.getEntry(root);
    if (!entry) throw new ApiError(404, `block not found: ${id}`);
    return entry;
  };
  const stateOf = (id: string): CachedBeaconState => {
    if (id === "head") return chain.head().state;
    return chain.regen.getLatestState(blockEntry(id).root);
  };

  app.get("/eth/v1/node/version", async () => ({ data: { version: opts.version ?? "turnstile/0.1.0" } }));
  app.get("/eth/v1/node/health", async (_req, reply: FastifyReply) => reply.code(200).send());
  app.get("/eth/v1/node/syncing", async () => {
    const head = chain.forkChoice.getHead();
    const current = node.clock.currentSlot;
    return {
      data: {
        head_slot: String(head.slot),
        sync_distance: String(Math.max(0, current - head.slot)),
        // Peers are ahead (range sync); a node alone on a stalled chain is not syncing
        is_syncing: node.isSyncing(),
        is_optimistic: false,
        el_offline: false,
      },
    };
  });
  app.get("/eth/v1/node/identity", async () => ({ data: { peer_id: opts.network?.peerId ?? null } }));
  app.get("/eth/v1/node/peers", async () => ({
    data: (opts.network?.peers() ?? []).map((p) => ({
      peer_id: p.peerId,
      last_seen_p2p_address: p.address,
      state: "connected",
    })),
  }));

  app.get("/eth/v1/beacon/genesis", async () => {
    const s = chain.anchor.state;
    return {
      data: {
        genesis_time: String(s.genesis_time),
        genesis_validators_root: toHex(s.genesis_validators_root),
        genesis_fork_version: toHex(ctx.config.GENESIS_FORK_VERSION),
      },
    };
  });
  app.get<{ Params: { id: string } }>("/eth/v1/beacon/headers/:id", async (req) => {
    const entry = blockEntry(req.params.id);
    const b = entry.block.message;
    const header = {
      slot: b.slot,
      proposer_index: b.proposer_index,
      parent_root: b.parent_root,
      state_root: b.state_root,
      body_root: ctx.ssz.BeaconBlockBody.hashTreeRoot(b.body),
    };
    return {
      data: {
        root: entry.root,
        canonical: true,
        payload_status: STATUS_NAMES[entry.payloadKnown ? PayloadStatus.FULL : PayloadStatus.EMPTY],
        header: { message: sszTypes.BeaconBlockHeader.toJson(header), signature: toHex(entry.block.signature) },
      },
    };
  });
  app.get<{ Params: { id: string } }>("/eth/v2/beacon/blocks/:id", async (req) => {
    const entry = blockEntry(req.params.id);
    return { version: CONSENSUS_VERSION, data: ctx.ssz.SignedBeaconBlock.toJson(entry.block) };
  });
  app.get<{ Params: { id: string } }>("/eth/v1/beacon/execution_payload_envelopes/:id", async (req) => {
    const entry = blockEntry(req.params.id);
    if (!entry.envelope) throw new ApiError(404, "no payload revealed for this block");
    return { data: ctx.ssz.SignedExecutionPayloadEnvelope.toJson(entry.envelope) };
  });
  app.get<{ Params: { id: string } }>("/eth/v1/beacon/states/:id/root", async (req) => ({
    data: { root: toHex(stateOf(req.params.id).hashTreeRoot()) },
  }));
  app.get<{ Params: { id: string } }>("/eth/v1/beacon/states/:id/finality_checkpoints", async (req) => {
    const s = stateOf(req.params.id).state;
    return {
      data: {
        previous_justified: sszTypes.Checkpoint.toJson(s.previous_justified_checkpoint.toValue()),
        current_justified: sszTypes.Checkpoint.toJson(s.current_justified_checkpoint.toValue()),
        finalized: sszTypes.Checkpoint.toJson(s.finalized_checkpoint.toValue()),
      },
    };
  });

  // Operation pools (exits and slashings): a submitted operation passes the gossip checks, then is pooled and published
  const parseBody = <T>(type: { fromJson(json: unknown): T }, body: unknown, what: string): T => {
    try {
      return type.fromJson(body);
    } catch (e) {
      throw new ApiError(400, `invalid ${what}: ${(e as Error).message}`);
    }
  };
  const submit = (admit: () => void): void => {
    try {
      admit();
    } catch (e) {
      if (!(e instanceof TicketStateError)) throw e;
      throw new ApiError(400, e.message);
    }
  };
  const ops = node.exitsAndSlashings;
  app.get("/eth/v1/beacon/pool/voluntary_exits", async () => ({
    data: node.pools.voluntaryExits.getAll().map((e) => ctx.ssz.SignedVoluntaryExit.toJson(e)),
  }));
  app.post("/eth/v1/beacon/pool/voluntary_exits", async (req, reply) => {
    const exit = parseBody(ctx.ssz.SignedVoluntaryExit, req.body, "voluntary exit");
    submit(() => ops.submitVoluntaryExit(exit));
    return reply.code(200).send();
  });
  app.get("/eth/v1/beacon/pool/proposer_slashings", async () => ({
    data: node.pools.proposerSlashings.getAll().map((s) => ctx.ssz.ProposerSlashing.toJson(s)),
  }));
  app.post("/eth/v1/beacon/pool/proposer_slashings", async (req, reply) => {
    const slashing = parseBody(ctx.ssz.ProposerSlashing, req.body, "proposer slashing");
    submit(() => ops.submitProposerSlashing(slashing));
    return reply.code(200).send();
  });
  app.get("/eth/v2/beacon/pool/attester_slashings", async (_req, reply) => {
    void reply.header("eth-consensus-version", CONSENSUS_VERSION);
    return {
      version: CONSENSUS_VERSION,
      data: node.pools.attesterSlashings.getAll().map((s) => ctx.ssz.AttesterSlashing.toJson(s)),
    };
  });
  app.post("/eth/v2/beacon/pool/attester_slashings", async (req, reply) => {
    // beacon-APIs: the v2 body is fork-dependent and names its fork in this header
    if (!req.headers["eth-consensus-version"]) throw new ApiError(400, "Eth-Consensus-Version header required");
    const slashing = parseBody(ctx.ssz.AttesterSlashing, req.body, "attester slashing");
    submit(() => ops.submitAttesterSlashing(slashing));
    return reply.code(200).send();
  });

  // Ticket market
  app.get("/eth/v1/tickets/price", async () => {
    const s = chain.head().state.state;
    const c = ctx.config;
    return {
      data: {
        slot: String(s.slot),
        price: String(s.ticket_price),
        pricing: c.TICKET_PRICING,
        min_price: String(c.MIN_TICKET_PRICE),
        max_price: String(c.MAX_TICKET_PRICE),
        target_pool_size: String(c.TARGET_TICKET_POOL_SIZE),
        pool_size: String(s.ticket_pool.length),
        tickets_sold: String(s.next_ticket_id),
        revenue_pending: String(s.ticket_revenue),
        revenue_sink: c.TICKET_REVENUE_SINK,
      },
    };
  });
  app.get<{ Querystring: { limit?: string; owner?: string } }>("/eth/v1/tickets/pool", async (req) => {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > 10_000) throw new ApiError(400, "limit must be 0..10000");
    const owner = req.query.owner === undefined ? undefined : Number(req.query.owner);
    if (owner !== undefined && !Number.isSafeInteger(owner)) throw new ApiError(400, "owner must be a buyer index");
    const pool = chain.head().state.state.ticket_pool;
    const tickets = [];
    for (let i = 0; i < pool.length && tickets.length < limit; i++) {
      const t = pool.getReadonly(i).toValue();
      if (owner === undefined || t.owner === owner) tickets.push(sszTypes.ExecutionTicket.toJson(t));
    }
    return { data: { size: String(pool.length), tickets } };
  });
  app.get("/eth/v1/tickets/assignments", async () => {
    const s = chain.head().state.state;
    const entries = readAllValues(s.ticket_assignments).filter((a) => a.slot >= s.slot);
    entries.sort((a, b) => a.slot - b.slot);
    return { data: entries.map((a) => sszTypes.TicketAssignment.toJson(a)) };
  });
  app.get<{ Params: { index: string } }>("/eth/v1/tickets/buyers/:index", async (req) => {
    if (!/^\d+$/.test(req.params.index)) throw new ApiError(400, "buyer index must be a number");
    const index = Number(req.params.index);
    const buyers = chain.head().state.state.buyers;
    if (index >= buyers.length) throw new ApiError(404, `no buyer ${index}`);
    return {
      data: { index: String(index), ...(sszTypes.Buyer.toJson(buyers.getReadonly(index).toValue()) as object) },
    };
  });

  // Events (SSE)
  const TOPICS = ["head", "block", "payload", "finalized_checkpoint", "ticket_assigned", "commitment_dropped"] as const;
  app.get<{ Querystring: { topics?: string | string[] } }>("/eth/v1/events", async (req, reply) => {
    const requested = ([] as string[]).concat(req.query.topics ?? []).flatMap((t) => t.split(","));
    const unknown = requested.filter((t) => !(TOPICS as readonly string[]).includes(t));
    if (requested.length === 0 || unknown.length > 0) {
      throw new ApiError(
        400,
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
  });

  app.get("/metrics", async (_req, reply) => {
    const head = chain.head();
    metrics.currentSlot.set(node.clock.currentSlot);
    metrics.headSlot.set(head.slot);
    metrics.finalizedEpoch.set(chain.forkChoice.finalized.epoch);
    metrics.justifiedEpoch.set(chain.forkChoice.justified.epoch);
    metrics.ticketPrice.set(head.state.state.ticket_price);
    metrics.ticketPoolSize.set(head.state.state.ticket_pool.length);
    metrics.peers.set(opts.network?.peers().length ?? 0);
    const sync = node.syncProgress();
    metrics.syncing.set(node.isSyncing() ? 1 : 0);
    metrics.syncTargetSlot.set(sync?.targetSlot ?? 0);
    metrics.syncBlocksPerSecond.set(sync?.blocksPerSecond ?? 0);
    void reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  await app.listen({ host: opts.host, port: opts.port });
  return app;
}
