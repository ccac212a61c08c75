import { PayloadStatus } from "@turnstile/fork-choice";
import { sszTypes, toHex } from "@turnstile/ticket-state";
import { type ResolvedBlock, resolveBlock } from "../blockIds.ts";
import type { ApiContext } from "../context.ts";
import { badRequest, notFound } from "../errors.ts";
import { STATUS_NAMES, send } from "../responses.ts";
import type { Route } from "../routeTable.ts";

const ROOT = /^0x[0-9a-fA-F]{64}$/;
const SLOT = /^\d+$/;

/** Beacon namespace: genesis, blocks, headers and payload envelopes (history below finality from the database). */
export function beaconRoutes(api: ApiContext): Route[] {
  const { chain, ctx } = api;

  /** `BlockHeaderResponse`, plus Turnstile's payload status (revealed or not). */
  const headerOf = (b: ResolvedBlock) => {
    const m = b.block.message;
    const header = {
      slot: m.slot,
      proposer_index: m.proposer_index,
      parent_root: m.parent_root,
      state_root: m.state_root,
      body_root: ctx.ssz.BeaconBlockBody.hashTreeRoot(m.body),
    };
    return {
      root: b.root,
      canonical: b.canonical,
      payload_status: STATUS_NAMES[b.envelope ? PayloadStatus.FULL : PayloadStatus.EMPTY],
      header: { message: sszTypes.BeaconBlockHeader.toJson(header), signature: toHex(b.block.signature) },
    };
  };

  /** Blocks the chain holds in memory (since finality) that match. */
  const blocksInMemory = async (match: (slot: number, parentRoot: string) => boolean) => {
    const out: ResolvedBlock[] = [];
    for (const root of chain.forkChoice.protoArray.indices.keys()) {
      const entry = chain.getEntry(root);
      if (entry && match(entry.slot, toHex(entry.block.message.parent_root))) out.push(await resolveBlock(api, root));
    }
    return out;
  };

  return [
    {
      method: "GET",
      path: "/eth/v1/beacon/genesis",
      handler: async (req, reply) => {
        const s = chain.anchor.state;
        return send(req, reply, {
          data: {
            genesis_time: String(s.genesis_time),
            genesis_validators_root: toHex(s.genesis_validators_root),
            genesis_fork_version: toHex(ctx.config.GENESIS_FORK_VERSION),
          },
        });
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/headers",
      handler: async (req, reply) => {
        const { slot, parent_root: parentRoot } = req.query;
        if (slot !== undefined && (typeof slot !== "string" || !SLOT.test(slot)))
          throw badRequest("slot must be a number");
        if (parentRoot !== undefined && (typeof parentRoot !== "string" || !ROOT.test(parentRoot))) {
          throw badRequest("parent_root must be 0x followed by 32 bytes of hex");
        }
        let blocks: ResolvedBlock[];
        if (slot === undefined && parentRoot === undefined) blocks = [await resolveBlock(api, "head")];
        else {
          const wantParent = parentRoot?.toLowerCase();
          blocks = await blocksInMemory(
            (s, p) => (slot === undefined || s === Number(slot)) && (wantParent === undefined || p === wantParent),
          );
          // Below finality only the canonical chain is stored in order: its block at the slot
          if (blocks.length === 0 && slot !== undefined) {
            const old = await resolveBlock(api, slot).catch(() => undefined);
            if (old && (wantParent === undefined || toHex(old.block.message.parent_root) === wantParent))
              blocks = [old];
          }
        }
        return send(req, reply, {
          data: blocks.map(headerOf),
          position: { canonical: true, finalized: blocks.length > 0 && blocks.every((b) => b.finalized) },
        });
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/headers/:id",
      handler: async (req, reply) => {
        const block = await resolveBlock(api, req.params.id);
        return send(req, reply, { data: headerOf(block), position: block });
      },
    },
    {
      method: "GET",
      path: "/eth/v2/beacon/blocks/:id",
      handler: async (req, reply) => {
        const { block, ...position } = await resolveBlock(api, req.params.id);
        return send(req, reply, {
          data: ctx.ssz.SignedBeaconBlock.toJson(block),
          ssz: () => ctx.ssz.SignedBeaconBlock.serialize(block),
          versioned: true,
          position,
        });
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/blocks/:id/root",
      handler: async (req, reply) => {
        const block = await resolveBlock(api, req.params.id);
        return send(req, reply, { data: { root: block.root }, position: block });
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/execution_payload_envelopes/:id",
      handler: async (req, reply) => {
        const { envelope, ...position } = await resolveBlock(api, req.params.id);
        if (!envelope) throw notFound("no payload revealed for this block");
        return send(req, reply, {
          data: ctx.ssz.SignedExecutionPayloadEnvelope.toJson(envelope),
          ssz: () => ctx.ssz.SignedExecutionPayloadEnvelope.serialize(envelope),
          versioned: true,
          position,
        });
      },
    },
  ];
}
