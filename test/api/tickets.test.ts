import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { NodeMetrics, startApi } from "@turnstile/node";
import {
  createChainContext,
  minimalChainConfig,
  TICKET_PRICING_RULES,
  TICKET_REVENUE_SINKS,
} from "@turnstile/ticket-state";
import { parse } from "yaml";
import { steppedNode } from "../../packages/node/test/unit/helpers.ts";
import { conformanceTable, isConformant } from "./conformance.ts";
import {
  runTicketProbes,
  type ServedRoutes,
  TICKET_PROBES,
  TICKETS_SPEC_DIR,
  TICKETS_SPEC_DOCUMENT,
  type TicketAnswer,
  templateKey,
  ticketRoutes,
  ticketsSpec,
} from "./ticketProbes.ts";
import { undocumentedFields } from "./undocumentedFields.ts";

type Json = Record<string, unknown>;

const doc = parse(readFileSync(join(TICKETS_SPEC_DIR, TICKETS_SPEC_DOCUMENT), "utf8")) as Json;
const paths = doc.paths as Record<string, Record<string, Json>>;
const schemas = (doc.components as Json).schemas as Record<string, Json>;
/** The schema of `GET path`'s 200 answer. */
const okSchema = (path: string) =>
  ((paths[path]!.get!.responses as Json)["200"] as { content: { "application/json": { schema: Json } } }).content[
    "application/json"
  ].schema;

const json = new Headers({ "content-type": "application/json; charset=utf-8" });
const answer = (status: number, body: unknown) => ({ status, headers: json, body: JSON.stringify(body) });
const TICKET = { ticket_id: "3", owner: "1", purchase_slot: "2", price: "10000000" };
const PRICE = {
  slot: "12",
  price: "10000000",
  pricing: "pool_target",
  min_price: "1000000",
  max_price: "281474976710656",
  target_pool_size: "16",
  pool_size: "5",
  tickets_sold: "7",
  revenue_pending: "0",
  revenue_sink: "burn",
};

describe("docs/api/tickets.yaml as a validator", () => {
  const spec = ticketsSpec();

  it("accepts a documented price answer and names a number where a decimal string belongs", () => {
    assert.deepEqual(spec.checkResponse("GET", "/eth/v1/tickets/price", answer(200, { data: PRICE })), { ok: true });
    assert.deepEqual(
      spec.checkResponse("GET", "/eth/v1/tickets/price", answer(200, { data: { ...PRICE, price: 10_000_000 } })),
      { ok: false, error: "/data/price must be string" },
    );
  });

  it("refuses a pooled ticket without its owner, a negative amount and an undocumented status", () => {
    const { owner: _, ...ownerless } = TICKET;
    const pool = (tickets: unknown[]) => answer(200, { data: { size: String(tickets.length), tickets } });
    assert.deepEqual(spec.checkResponse("GET", "/eth/v1/tickets/pool", pool([TICKET])), { ok: true });
    assert.deepEqual(spec.checkResponse("GET", "/eth/v1/tickets/pool", pool([ownerless])), {
      ok: false,
      error: "/data/tickets/0 must have required property 'owner'",
    });
    assert.equal(spec.checkResponse("GET", "/eth/v1/tickets/pool", pool([{ ...TICKET, price: "-1" }])).ok, false);
    assert.deepEqual(
      spec.checkResponse("GET", "/eth/v1/tickets/assignments", answer(404, { code: 404, message: "" })),
      {
        ok: false,
        error: "status 404 not documented (spec: 200, 500)",
      },
    );
  });

  it("names the fields an answer has and the document does not", () => {
    const data = { index: "0", pubkey: `0x${"aa".repeat(48)}`, balance: "1", nonce: "0" };
    const path = "/eth/v1/tickets/buyers/{buyer_index}";
    assert.deepEqual(undocumentedFields(doc, okSchema(path), { data }), []);
    assert.deepEqual(undocumentedFields(doc, okSchema(path), { data: { ...data, credit: "5" } }), ["/data/credit"]);
    const assignments = { data: [{ slot: "9", ticket: { ...TICKET, holder: "x" } }] };
    assert.deepEqual(undocumentedFields(doc, okSchema("/eth/v1/tickets/assignments"), assignments), [
      "/data/0/ticket/holder",
    ]);
  });

  it("lists exactly the chain config's pricing rules and revenue sinks", () => {
    assert.deepEqual(schemas.TicketPricing!.enum, [...TICKET_PRICING_RULES]);
    assert.deepEqual(schemas.TicketRevenueSink!.enum, [...TICKET_REVENUE_SINKS]);
  });

  it("reads ticket routes off Fastify's route tree, parameters named either way", () => {
    const printed = "├── /eth/v1/tickets/buyers/:index (GET, HEAD)\n└── /eth/v1/node/version (GET, HEAD)\n";
    assert.deepEqual(ticketRoutes(printed), ["GET /eth/v1/tickets/buyers/{}"]);
    assert.equal(templateKey("/eth/v1/tickets/buyers/{buyer_index}"), "/eth/v1/tickets/buyers/{}");
  });
});

describe("ticket endpoints of the node against docs/api/tickets.yaml", () => {
  let answers: TicketAnswer[] = [];
  let routes: ServedRoutes = [];
  before(async () => {
    ({ answers, routes } = await runTicketProbes());
  });

  it("documents every ticket route the node serves, and none it does not serve", () => {
    const documented = Object.entries(paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${templateKey(path)}`))
      .sort();
    assert.ok(routes.length > 0, "the node serves ticket routes");
    assert.deepEqual(routes, documented);
  });

  it("every ticket endpoint answers with the expected status and a body valid against tickets.yaml", () => {
    assert.equal(answers.length, TICKET_PROBES.length);
    console.log(conformanceTable(answers.map((a) => a.row)));
    for (const { row } of answers) assert.ok(isConformant(row), conformanceTable([row]));
  });

  it("successful answers carry only documented fields", () => {
    for (const { row, probe, body } of answers) {
      if (row.status !== 200) continue;
      assert.deepEqual(undocumentedFields(doc, okSchema(probe.path), body), [], `${row.endpoint}`);
    }
  });

  it("the pool and assignment answers hold items, so the item schemas were exercised", () => {
    const data = (endpoint: string): unknown => {
      const found = answers.find((a) => a.row.endpoint === endpoint);
      assert.ok(found, `${endpoint} is probed`);
      return (found.body as Json).data;
    };
    assert.ok(((data("GET /eth/v1/tickets/pool") as Json).tickets as unknown[]).length > 0);
    assert.ok((data("GET /eth/v1/tickets/assignments") as unknown[]).length > 0);
  });
});

describe("ticket-market pools of a node under first_price_auction against docs/api/tickets.yaml", () => {
  it("the holders' pooled bids are listed in the documented shape, and only documented fields", async () => {
    const ctx = createChainContext({ ...minimalChainConfig, TICKET_PRICING: "first_price_auction" });
    const { node, run } = steppedNode({ ctx });
    run(1, 3);
    const server = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const url = `http://127.0.0.1:${(server.server.address() as { port: number }).port}/eth/v1/tickets/bids`;
      const res = await fetch(url);
      const body = await res.text();
      const answer = { status: res.status, headers: res.headers, body };
      assert.deepEqual(ticketsSpec().checkResponse("GET", "/eth/v1/tickets/bids", answer), { ok: true });
      const parsed = JSON.parse(body) as { data: unknown[] };
      assert.ok(parsed.data.length > 0, "the holders' bids are pooled");
      assert.deepEqual(undocumentedFields(doc, okSchema("/eth/v1/tickets/bids"), parsed), []);
    } finally {
      await server.close();
    }
  });
});
