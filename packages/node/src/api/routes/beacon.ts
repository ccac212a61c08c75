import { PayloadStatus } from "@turnstile/fork-choice";
import { sszTypes, toHex } from "@turnstile/ticket-state";
import { blockEntry, stateOf } from "../blockIds.ts";
import type { ApiContext } from "../context.ts";
import { notFound } from "../errors.ts";
import { CONSENSUS_VERSION, STATUS_NAMES } from "../responses.ts";
import type { Route } from "../routeTable.ts";

/** Beacon namespace: blocks, headers, envelopes and states. */
export function beaconRoutes(api: ApiContext): Route[] {
  const { chain, ctx } = api;
  return [
    {
      method: "GET",
      path: "/eth/v1/beacon/genesis",
      handler: async () => {
        const s = chain.anchor.state;
        return {
          data: {
            genesis_time: String(s.genesis_time),
            genesis_validators_root: toHex(s.genesis_validators_root),
            genesis_fork_version: toHex(ctx.config.GENESIS_FORK_VERSION),
          },
        };
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/headers/:id",
      handler: async (req) => {
        const entry = blockEntry(api, req.params.id);
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
      },
    },
    {
      method: "GET",
      path: "/eth/v2/beacon/blocks/:id",
      handler: async (req) => {
        const entry = blockEntry(api, req.params.id);
        return { version: CONSENSUS_VERSION, data: ctx.ssz.SignedBeaconBlock.toJson(entry.block) };
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/execution_payload_envelopes/:id",
      handler: async (req) => {
        const entry = blockEntry(api, req.params.id);
        if (!entry.envelope) throw notFound("no payload revealed for this block");
        return { data: ctx.ssz.SignedExecutionPayloadEnvelope.toJson(entry.envelope) };
      },
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/states/:id/root",
      handler: async (req) => ({ data: { root: toHex(stateOf(api, req.params.id).hashTreeRoot()) } }),
    },
    {
      method: "GET",
      path: "/eth/v1/beacon/states/:id/finality_checkpoints",
      handler: async (req) => {
        const s = stateOf(api, req.params.id).state;
        return {
          data: {
            previous_justified: sszTypes.Checkpoint.toJson(s.previous_justified_checkpoint.toValue()),
            current_justified: sszTypes.Checkpoint.toJson(s.current_justified_checkpoint.toValue()),
            finalized: sszTypes.Checkpoint.toJson(s.finalized_checkpoint.toValue()),
          },
        };
      },
    },
  ];
}
