import {
  type CachedBeaconState,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  readAllValues,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { resolveState } from "../blockIds.ts";
import type { ApiContext } from "../context.ts";
import { badRequest, notFound } from "../errors.ts";
import { send } from "../responses.ts";
import type { ApiRequest, Route } from "../routeTable.ts";
import { isKnownStatusFilter, statusMatches, validatorStatus } from "../validatorStatus.ts";

const INDEX_ID = /^\d+$/;
const PUBKEY_ID = /^0x[0-9a-fA-F]{96}$/;
const STATE = "/eth/v1/beacon/states/:id";

/** A query parameter given repeated or comma-separated, as a flat list. */
function listParam(value: string | string[] | undefined): string[] {
  return ([] as string[])
    .concat(value ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** A list in a POST body: absent or null is no filter. */
function bodyList(body: unknown, field: string): string[] {
  const value = (body as Record<string, unknown> | null | undefined)?.[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw badRequest(`${field} must be an array of strings`);
  }
  return value;
}

/**
 * Validator indices named by ids (an index or a 0x pubkey), in the order asked; ids that name no
 * validator are left out, as the spec says. No ids: every validator.
 */
function selectValidators(cs: CachedBeaconState, ids: readonly string[]): number[] {
  const count = cs.state.validators.length;
  if (ids.length === 0) return Array.from({ length: count }, (_, i) => i);
  let byPubkey: Map<string, number> | undefined;
  const out: number[] = [];
  for (const id of ids) {
    if (INDEX_ID.test(id)) {
      const index = Number(id);
      if (index < count) out.push(index);
    } else if (PUBKEY_ID.test(id)) {
      byPubkey ??= new Map(readAllValues(cs.state.validators).map((v, i) => [toHex(v.pubkey), i]));
      const index = byPubkey.get(id.toLowerCase());
      if (index !== undefined) out.push(index);
    } else throw badRequest(`invalid validator id: ${id}`);
  }
  return out;
}

/** `ValidatorResponse` of one validator in a state. */
function validatorJson(cs: CachedBeaconState, index: number) {
  const v = cs.state.validators.getReadonly(index).toValue();
  const balance = cs.state.balances.get(index);
  return {
    index: String(index),
    balance: String(balance),
    status: validatorStatus(v, balance, computeEpochAtSlot(cs.ctx, cs.state.slot)),
    validator: sszTypes.Validator.toJson(v),
  };
}

/** `/eth/v1/beacon/states/{state_id}/*`: reads of one state (head, a slot, a root, a checkpoint). */
export function stateRoutes(api: ApiContext): Route[] {
  const { ctx } = api;

  const validators = async (req: ApiRequest, ids: string[], statuses: string[]) => {
    const unknown = statuses.filter((s) => !isKnownStatusFilter(s));
    if (unknown.length > 0) throw badRequest(`unknown validator status: ${unknown.join(", ")}`);
    const { state, ...position } = await resolveState(api, req.params.id);
    const data = selectValidators(state, ids)
      .map((i) => validatorJson(state, i))
      .filter((v) => statusMatches(v.status, statuses));
    return { data, position };
  };
  const balances = async (req: ApiRequest, ids: string[]) => {
    const { state, ...position } = await resolveState(api, req.params.id);
    const data = selectValidators(state, ids).map((i) => ({
      index: String(i),
      balance: String(state.state.balances.get(i)),
    }));
    return { data, position };
  };

  return [
    {
      method: "GET",
      path: `${STATE}/root`,
      handler: async (req, reply) => {
        const { state, ...position } = await resolveState(api, req.params.id);
        return send(req, reply, { data: { root: toHex(state.hashTreeRoot()) }, position });
      },
    },
    {
      method: "GET",
      path: `${STATE}/fork`,
      handler: async (req, reply) => {
        const { state, ...position } = await resolveState(api, req.params.id);
        return send(req, reply, { data: sszTypes.Fork.toJson(state.state.fork.toValue()), position });
      },
    },
    {
      method: "GET",
      path: `${STATE}/finality_checkpoints`,
      handler: async (req, reply) => {
        const { state, ...position } = await resolveState(api, req.params.id);
        const s = state.state;
        return send(req, reply, {
          data: {
            previous_justified: sszTypes.Checkpoint.toJson(s.previous_justified_checkpoint.toValue()),
            current_justified: sszTypes.Checkpoint.toJson(s.current_justified_checkpoint.toValue()),
            finalized: sszTypes.Checkpoint.toJson(s.finalized_checkpoint.toValue()),
          },
          position,
        });
      },
    },
    {
      method: "GET",
      path: `${STATE}/validators`,
      handler: async (req, reply) =>
        send(req, reply, await validators(req, listParam(req.query.id), listParam(req.query.status))),
    },
    {
      method: "POST",
      path: `${STATE}/validators`,
      handler: async (req, reply) =>
        send(req, reply, await validators(req, bodyList(req.body, "ids"), bodyList(req.body, "statuses"))),
    },
    {
      method: "GET",
      path: `${STATE}/validators/:validatorId`,
      handler: async (req, reply) => {
        const { state, ...position } = await resolveState(api, req.params.id);
        const [index] = selectValidators(state, [req.params.validatorId]);
        if (index === undefined) throw notFound(`no validator ${req.params.validatorId}`);
        return send(req, reply, { data: validatorJson(state, index), position });
      },
    },
    {
      method: "GET",
      path: `${STATE}/validator_balances`,
      handler: async (req, reply) => send(req, reply, await balances(req, listParam(req.query.id))),
    },
    {
      method: "POST",
      path: `${STATE}/validator_balances`,
      handler: async (req, reply) => {
        const body = req.body ?? [];
        if (!Array.isArray(body) || !body.every((v) => typeof v === "string")) {
          throw badRequest("body must be an array of validator ids");
        }
        return send(req, reply, await balances(req, body));
      },
    },
    {
      method: "GET",
      path: `${STATE}/committees`,
      handler: async (req, reply) => {
        const { state, ...position } = await resolveState(api, req.params.id);
        const stateEpoch = computeEpochAtSlot(ctx, state.state.slot);
        const num = (name: string) => {
          const v = req.query[name];
          if (v === undefined) return undefined;
          if (typeof v !== "string" || !INDEX_ID.test(v)) throw badRequest(`${name} must be a number`);
          return Number(v);
        };
        const epoch = num("epoch") ?? stateEpoch;
        const index = num("index");
        const slot = num("slot");
        // The state knows the shufflings of its previous, current and next epochs
        if (epoch + 1 < stateEpoch || epoch > stateEpoch + 1) {
          throw badRequest(`epoch ${epoch} is not within one epoch of the state's epoch ${stateEpoch}`);
        }
        const shuffling = state.epochCtx.getShufflingAtEpoch(epoch);
        const start = computeStartSlotAtEpoch(ctx, epoch);
        if (slot !== undefined && computeEpochAtSlot(ctx, slot) !== epoch) {
          throw badRequest(`slot ${slot} is not in epoch ${epoch}`);
        }
        const data = [];
        for (let s = start; s < start + ctx.preset.SLOTS_PER_EPOCH; s++) {
          if (slot !== undefined && s !== slot) continue;
          const committees = shuffling.committees[s - start];
          for (let c = 0; c < committees.length; c++) {
            if (index !== undefined && c !== index) continue;
            data.push({ index: String(c), slot: String(s), validators: Array.from(committees[c], String) });
          }
        }
        return send(req, reply, { data, position });
      },
    },
  ];
}
