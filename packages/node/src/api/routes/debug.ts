import { PayloadStatus } from "@turnstile/fork-choice";
import { resolveState } from "../blockIds.ts";
import type { ApiContext } from "../context.ts";
import { send } from "../responses.ts";
import type { Route } from "../routeTable.ts";

/** `/eth/v*\/debug/*`: fork choice and whole states. */
export function debugRoutes(api: ApiContext): Route[] {
  const { chain, ctx } = api;
  const checkpoint = (cp: { epoch: number; root: string }) => ({ epoch: String(cp.epoch), root: cp.root });
  return [
    {
      method: "GET",
      path: "/eth/v1/debug/fork_choice",
      handler: async (_req, reply) => {
        const fc = chain.forkChoice;
        const nodes = [];
        // One node per block (its PENDING node); the EMPTY and FULL variants' weights go in extra_data
        for (const [root, index] of fc.protoArray.indices) {
          const pending = fc.protoArray.nodes[index];
          const b = pending.block;
          nodes.push({
            slot: String(b.slot),
            block_root: root,
            parent_root: b.parentRoot,
            justified_epoch: String(b.justified.epoch),
            finalized_epoch: String(b.finalized.epoch),
            weight: String(pending.weight),
            // Payloads are verified before import: nothing is optimistic
            validity: "valid",
            execution_block_hash: b.committedBlockHash,
            extra_data: {
              state_root: b.stateRoot,
              payload_known: b.payloadKnown,
              empty_weight: String(fc.protoArray.nodes[index + PayloadStatus.EMPTY].weight),
              full_weight: String(fc.protoArray.nodes[index + PayloadStatus.FULL].weight),
            },
          });
        }
        return reply.send({
          justified_checkpoint: checkpoint(fc.justified),
          finalized_checkpoint: checkpoint(fc.finalized),
          fork_choice_nodes: nodes,
        });
      },
    },
    {
      method: "GET",
      path: "/eth/v2/debug/beacon/states/:id",
      handler: async (req, reply) => {
        const { state, ...position } = await resolveState(api, req.params.id);
        return send(req, reply, {
          data: ctx.ssz.BeaconState.toJson(state.state.toValue()),
          ssz: () => state.serialize(),
          versioned: true,
          position,
        });
      },
    },
  ];
}
