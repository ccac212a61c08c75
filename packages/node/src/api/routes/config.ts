import * as constants from "@turnstile/ticket-state";
import { toHex } from "@turnstile/ticket-state";
import type { ApiContext } from "../context.ts";
import { send } from "../responses.ts";
import type { Route } from "../routeTable.ts";

/** uint64 max: how FAR_FUTURE_EPOCH and other "never" values read as decimal strings. */
const UINT64_MAX = "18446744073709551615";
/**
 * Turnstile has no deposit contract (the validator registry is fixed at genesis) and its execution
 * engine is in-process with no chain id: the spec's object with zero placeholders.
 */
const NO_DEPOSIT_CONTRACT = { chain_id: "0", address: `0x${"00".repeat(20)}` };

/** A config, preset or constant value as the spec writes it: decimal, 0x-hex or the string itself. */
function specValue(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : UINT64_MAX;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return toHex(v);
  return undefined;
}

/** Constants the spec lists under config/spec: the DOMAIN_* types and the other upper-case exports. */
function specConstants(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(constants)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) continue;
    const v = specValue(value);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** `/eth/v1/config/*`: the chain's spec values, fork schedule and deposit contract. */
export function configRoutes(api: ApiContext): Route[] {
  const { ctx } = api;
  const spec = () => {
    const out = specConstants();
    for (const [key, value] of [...Object.entries(ctx.preset), ...Object.entries(ctx.config)]) {
      const v = specValue(value);
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
  // One fork from genesis: its version is the genesis fork version
  const fork = {
    previous_version: toHex(ctx.config.GENESIS_FORK_VERSION),
    current_version: toHex(ctx.config.GENESIS_FORK_VERSION),
    epoch: String(constants.GENESIS_EPOCH),
  };
  return [
    { method: "GET", path: "/eth/v1/config/spec", handler: async (req, reply) => send(req, reply, { data: spec() }) },
    {
      method: "GET",
      path: "/eth/v1/config/fork_schedule",
      handler: async (req, reply) => send(req, reply, { data: [fork] }),
    },
    {
      method: "GET",
      path: "/eth/v1/config/deposit_contract",
      handler: async (req, reply) => send(req, reply, { data: NO_DEPOSIT_CONTRACT }),
    },
  ];
}
