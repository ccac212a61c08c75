import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type BeaconNode, NodeMetrics, startApi } from "@turnstile/node";
import { steppedNode } from "../../packages/node/test/unit/helpers.ts";
import { buildGossipWorld } from "../fuzz/gossipWorld.ts";

// POST /eth/v1/tickets/{bids,sell_backs,fills,holder_slashings,offers} with what a client may get
// wrong or try: bodies that are no JSON object, each field replaced by a non-canonical or
// out-of-range value or dropped, a body over the limit, a valid operation sent twice. Every
// refusal is a 4xx whose body is `{code: <status>, message}`, and changes nothing: no pool, no
// offer book, nothing published.

type Json = Record<string, unknown>;

const BAD_VALUES: unknown[] = [
  "-1",
  "1e3",
  "0x1",
  1,
  "18446744073709551616",
  "",
  "0x123",
  `0x${"00".repeat(4000)}`,
  null,
  {},
];
const BAD_BODIES = ["null", "5", '"x"', "[]", "{}", '{"message":', " "];

/** Every leaf of `json` (a JSON object), as a path of keys. */
function leafPaths(json: unknown, path: string[] = []): string[][] {
  if (json === null || typeof json !== "object") return [path];
  return Object.entries(json as Json).flatMap(([k, v]) => leafPaths(v, [...path, k]));
}

function withLeaf(json: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(json) as Json;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Json;
  if (value === undefined) delete at[path[path.length - 1]];
  else at[path[path.length - 1]] = value;
  return copy;
}

function poolsOf(node: BeaconNode): string {
  const { ticketBids, ticketSellBacks, ticketFills, holderSlashings } = node.pools;
  return JSON.stringify([
    ticketBids.size,
    ticketSellBacks.size,
    ticketFills.size,
    holderSlashings.size,
    node.offers.getAll().length,
  ]);
}

describe("ticket-market POST endpoints under malformed and replayed bodies", () => {
  it("answers every malformed body with a 4xx {code, message} and changes nothing; a replay is refused", async () => {
    const world = buildGossipWorld();
    world.reset();
    const { seeds } = world;
    const auction = seeds.ticket_bid.node;
    const endpoints: { path: string; node: BeaconNode; valid: unknown }[] = [
      { path: "bids", node: auction, valid: seeds.ticket_bid.type.toJson(seeds.ticket_bid.valid) },
      {
        path: "sell_backs",
        node: seeds.ticket_sell_back.node,
        valid: seeds.ticket_sell_back.type.toJson(seeds.ticket_sell_back.valid),
      },
      { path: "fills", node: auction, valid: seeds.ticket_fill.type.toJson(seeds.ticket_fill.valid) },
      {
        path: "holder_slashings",
        node: auction,
        valid: seeds.holder_slashing.type.toJson(seeds.holder_slashing.valid),
      },
      // The offer book takes the fill's offer
      {
        path: "offers",
        node: auction,
        valid: ((seeds.ticket_fill.type.toJson(seeds.ticket_fill.valid) as Json).message as Json).offer,
      },
    ];
    const apis = new Map<BeaconNode, { base: string; close: () => Promise<void>; published: string[] }>();
    for (const node of new Set(endpoints.map((e) => e.node))) {
      const published: string[] = [];
      node.publisher = (topic) => published.push(topic);
      const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
      apis.set(node, {
        base: `http://127.0.0.1:${(api.server.address() as { port: number }).port}`,
        close: () => api.close(),
        published,
      });
    }
    try {
      let cases = 0;
      for (const { path, node, valid } of endpoints) {
        const { base, published } = apis.get(node)!;
        const url = `${base}/eth/v1/tickets/${path}`;
        const post = async (body: string) => {
          const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
          const text = await res.text();
          return { status: res.status, text };
        };
        const refused = async (body: string, what: string) => {
          const before = poolsOf(node);
          const publishedBefore = published.length;
          const { status, text } = await post(body);
          cases++;
          assert.ok(status >= 400 && status < 500, `${path} ${what}: ${status} ${text}`);
          const answer = JSON.parse(text) as { code: number; message: string };
          assert.equal(answer.code, status, `${path} ${what}: ${text}`);
          assert.ok(typeof answer.message === "string" && answer.message.length > 0, `${path} ${what}: ${text}`);
          assert.equal(poolsOf(node), before, `${path} ${what} changed the pools`);
          assert.equal(published.length, publishedBefore, `${path} ${what} was published`);
        };
        for (const body of BAD_BODIES) await refused(body, `body ${body}`);
        for (const leaf of leafPaths(valid)) {
          await refused(JSON.stringify(withLeaf(valid, leaf, undefined)), `without ${leaf.join(".")}`);
          for (const value of BAD_VALUES) {
            await refused(JSON.stringify(withLeaf(valid, leaf, value)), `${leaf.join(".")} = ${JSON.stringify(value)}`);
          }
        }
        await refused(JSON.stringify({ ...(valid as Json), pad: "x".repeat(2 * 1024 * 1024) }), "2 MiB body");
        // Valid: taken once; the same again is refused
        const first = await post(JSON.stringify(valid));
        assert.equal(first.status, 200, `${path} valid: ${first.text}`);
        await refused(JSON.stringify(valid), "replay");
      }
      assert.ok(cases > 300, `${cases} cases`);
    } finally {
      for (const api of apis.values()) await api.close();
    }
  });
});

describe("router refusals", () => {
  it("a path parameter over the router's length limit, or a malformed %-escape, answers {code: <status>, message}", async () => {
    const { node } = steppedNode();
    const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      for (const path of [`/eth/v1/beacon/headers/${"a".repeat(200)}`, "/eth/v1/tickets/buyers/%E0%A4%A"]) {
        const res = await fetch(`${base}${path}`);
        const body = (await res.json()) as { code: unknown; message: unknown };
        assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
        assert.equal(body.code, res.status, `${path}: ${JSON.stringify(body)}`);
        assert.equal(typeof body.message, "string");
      }
    } finally {
      await api.close();
    }
  });
});
