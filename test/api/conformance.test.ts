import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { type ConformanceRow, conformanceTable, isConformant, runConformance } from "./conformance.ts";
import { ENDPOINT_PROBES, EVENT_TOPICS } from "./endpointProbes.ts";
import { BeaconApiSpec, matchesExampleShape } from "./openApiSpec.ts";

/**
 * Endpoints that conform today: right status, spec-valid answer, parsed by `@lodestar/api`. Each endpoint
 * made conformant (issue 11) is added here, so it stays so. Keys are the harness's row names.
 */
const CONFORMANT = [
  "GET /eth/v1/node/identity",
  "GET /eth/v1/node/peers",
  "GET /eth/v1/node/peer_count",
  "GET /eth/v1/node/version",
  "GET /eth/v1/node/syncing",
  "GET /eth/v1/node/health",
  "GET /eth/v1/beacon/genesis",
  "GET /eth/v1/beacon/headers",
  "GET /eth/v1/beacon/headers?slot=33",
  "GET /eth/v1/beacon/headers/head",
  "GET /eth/v1/beacon/headers/1",
  "GET /eth/v1/beacon/blocks/head/root",
  "GET /eth/v1/beacon/states/head/root",
  // The head state root at slot 34 of the harness chain (deterministic: seeded randomness, interop keys)
  // the probe names the genesis state by its root, which changes with the state's fields
  "GET /eth/v1/beacon/states/{state_root}/root",
  "GET /eth/v1/beacon/states/head/fork",
  "GET /eth/v1/beacon/states/head/finality_checkpoints",
  "GET /eth/v1/beacon/states/head/validators",
  "GET /eth/v1/beacon/states/head/validators/0",
  "GET /eth/v1/beacon/states/head/validator_balances",
  "GET /eth/v1/beacon/states/head/committees",
  "GET /eth/v1/beacon/pool/voluntary_exits",
  "GET /eth/v1/beacon/pool/proposer_slashings",
  "GET /eth/v1/config/spec",
  "GET /eth/v1/config/fork_schedule",
  "GET /eth/v1/config/deposit_contract",
  "GET /eth/v1/debug/fork_choice",
  // Events: the data of the first event of each topic, against the spec's example and the client's type
  "GET /eth/v1/events?topics=head",
  "GET /eth/v1/events?topics=head_v2",
  "GET /eth/v1/events?topics=block",
  "GET /eth/v1/events?topics=finalized_checkpoint",
  "GET /eth/v1/events?topics=chain_reorg",
  "GET /eth/v1/events?topics=execution_payload",
];

const ROOT = `0x${"ab".repeat(32)}`;
const json = new Headers({ "content-type": "application/json" });
const answer = (status: number, body: unknown, headers = json) => ({ status, headers, body: JSON.stringify(body) });

describe("vendored beacon-APIs spec as a validator", () => {
  const spec = new BeaconApiSpec();

  it("accepts a conformant genesis answer and names the field of a wrong one", () => {
    const data = { genesis_time: "0", genesis_validators_root: ROOT, genesis_fork_version: "0x00000000" };
    assert.deepEqual(spec.checkResponse("GET", "/eth/v1/beacon/genesis", answer(200, { data })), { ok: true });
    assert.deepEqual(
      spec.checkResponse("GET", "/eth/v1/beacon/genesis", answer(200, { data: { ...data, genesis_time: 0 } })),
      { ok: false, error: "/data/genesis_time must be string" },
    );
  });

  it("follows $refs across files and honours OpenAPI 3.1 nullability (a peer's enr may be null, not a number)", () => {
    const peer = { peer_id: "16Uiu2", enr: null, last_seen_p2p_address: "/ip4/1.2.3.4/tcp/9000" };
    const body = { data: [{ ...peer, state: "connected", direction: "inbound" }], meta: { count: 1 } };
    assert.deepEqual(spec.checkResponse("GET", "/eth/v1/node/peers", answer(200, body)), { ok: true });
    const bad = { ...body, data: [{ ...body.data[0], enr: 5 }] };
    assert.equal(spec.checkResponse("GET", "/eth/v1/node/peers", answer(200, bad)).ok, false);
  });

  it("fails an undocumented status, a missing required header and a non-JSON content type", () => {
    assert.deepEqual(spec.checkResponse("GET", "/eth/v1/node/peer_count", answer(404, { code: 404, message: "x" })), {
      ok: false,
      error: "status 404 not documented (spec: 200, 500)",
    });
    assert.deepEqual(spec.checkResponse("GET", "/eth/v2/beacon/blocks/{block_id}", answer(200, { data: {} })), {
      ok: false,
      error: "missing header Eth-Consensus-Version",
    });
    const text = new Headers({ "content-type": "text/plain" });
    assert.equal(spec.checkResponse("GET", "/eth/v1/beacon/genesis", answer(200, {}, text)).ok, false);
  });

  it("compares event data with the spec's example: every field, each of the same kind", () => {
    const example = spec.eventExample("head") as Record<string, unknown>;
    assert.deepEqual(matchesExampleShape(example, example), { ok: true });
    const { state: _, ...withoutState } = example;
    assert.deepEqual(matchesExampleShape(example, withoutState), { ok: false, error: "(root) lacks state" });
    assert.deepEqual(matchesExampleShape(example, { ...example, slot: 10 }), {
      ok: false,
      error: "/slot is number, example has decimal",
    });
  });
});

describe("Beacon-API conformance of the node", () => {
  let rows: ConformanceRow[] = [];
  before(async () => {
    rows = await runConformance();
  });

  it("probes every endpoint and event topic and prints the table", () => {
    assert.equal(rows.length, ENDPOINT_PROBES.length + EVENT_TOPICS.length);
    console.log(conformanceTable(rows));
  });

  it("every allow-listed endpoint conforms: status, schema and client parse", () => {
    for (const endpoint of CONFORMANT) {
      const row = rows.find((r) => r.endpoint.replace(/0x[0-9a-f]{64}/, "{state_root}") === endpoint);
      assert.ok(row, `${endpoint} is probed`);
      assert.ok(isConformant(row), `${endpoint}: ${conformanceTable([row])}`);
    }
  });
});
