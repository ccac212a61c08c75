import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { NodeMetrics, startApi } from "@turnstile/node";
import { toHex } from "@turnstile/ticket-state";
import { parse } from "yaml";
import { steppedNode } from "../../packages/node/test/unit/helpers.ts";
import { TICKETS_SPEC_DIR, TICKETS_SPEC_DOCUMENT, ticketsSpec } from "./ticketProbes.ts";
import { undocumentedFields } from "./undocumentedFields.ts";

type Json = Record<string, unknown>;
const PATH = "/eth/v1/tickets/inclusion_lists/{slot}";
const SLOTS = 12;

describe("GET /eth/v1/tickets/inclusion_lists/{slot}", () => {
  it("serves the list the node saw for a slot, valid against tickets.yaml; 404 for a slot without one", async () => {
    // User traffic: every proposer lists a pending user transaction for the next slot
    const { node, run } = steppedNode({ userTraffic: true });
    run(1, SLOTS);
    const seen = node.inclusionLists.seen(SLOTS);
    assert.ok(seen !== undefined && seen.transactions.length > 0, "a list was seen for the last slot");
    const server = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    try {
      const base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
      const res = await fetch(`${base}/eth/v1/tickets/inclusion_lists/${SLOTS}`);
      const text = await res.text();
      assert.equal(res.status, 200, text);
      const spec = ticketsSpec();
      assert.deepEqual(spec.checkResponse("GET", PATH, { status: res.status, headers: res.headers, body: text }), {
        ok: true,
      });
      const body = JSON.parse(text) as { data: Json };
      assert.equal(body.data.slot, String(SLOTS));
      assert.equal(body.data.proposer_index, String(seen.proposerIndex));
      assert.deepEqual(
        body.data.transactions,
        seen.transactions.map((tx) => toHex(tx)),
      );
      assert.equal(body.data.binding, true);
      assert.equal(body.data.equivocated, false);
      const doc = parse(readFileSync(join(TICKETS_SPEC_DIR, TICKETS_SPEC_DOCUMENT), "utf8")) as Json;
      const paths = doc.paths as Record<string, Record<string, Json>>;
      const schema = (
        (paths[PATH]!.get!.responses as Json)["200"] as { content: { "application/json": { schema: Json } } }
      ).content["application/json"].schema;
      assert.deepEqual(undocumentedFields(doc, schema, body), []);
      // Slot 0 never has one (lists bind the next slot's payload)
      const missing = await fetch(`${base}/eth/v1/tickets/inclusion_lists/0`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { code: number }).code, 404);
      assert.equal((await fetch(`${base}/eth/v1/tickets/inclusion_lists/-1`)).status, 400);
    } finally {
      await server.close();
    }
  });
});
