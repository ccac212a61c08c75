/**
 * Beacon-API conformance harness: runs an in-process node with its REST API on an ephemeral port, calls every
 * probed endpoint, validates status, headers and body against the vendored beacon-APIs OpenAPI spec, and
 * parses the same call with `@lodestar/api`. Run as a script (`npm run api:conformance`) it prints the table
 * as Markdown.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiClient, routes } from "@lodestar/api";
import { type ApiOptions, BeaconDb, NodeMetrics, persistChain, startApi } from "@turnstile/node";
import { toHex } from "@turnstile/ticket-state";
import { reorgOneBlock } from "../../packages/node/test/unit/forkedHead.ts";
import { steppedNode } from "../../packages/node/test/unit/helpers.ts";
import { ENDPOINT_PROBES, type EndpointProbe, EVENT_TOPICS, type ProbeContext } from "./endpointProbes.ts";
import { BeaconApiSpec, matchesExampleShape, type Verdict } from "./openApiSpec.ts";

export type { Verdict };

export interface ConformanceRow {
  /** `GET <concrete url>`: the allow-list key. */
  endpoint: string;
  status: number;
  expectedStatus: number;
  schema: Verdict;
  client: Verdict;
}

/** Finality needs a few epochs: long enough that `finalized` and history below it mean something. */
const EPOCHS_BEFORE_PROBING = 4;
/** Events are watched over one more epoch, so an epoch transition (and a finality step) happens under watch. */
const EPOCHS_WATCHING_EVENTS = 1;
/** How long to wait for streamed events to reach the reader once the chain has moved. */
const EVENT_WAIT_MS = 2_000;
const OK_STATUS = 200;

/** A networked node's identity and one connected peer, so the node endpoints answer as they would live. */
const STUB_NETWORK: ApiOptions["network"] = {
  peerId: "16Uiu2HAmKLhW7HiWkVNSbsZjThQTiMAqDptiqyE5bD4DKq8uNtz4",
  listenAddresses: () => ["/ip4/127.0.0.1/tcp/9000"],
  metadata: () => ({ seqNumber: 1, attnets: new Uint8Array(8) }),
  peers: () => [
    {
      peerId: "16Uiu2HAm2vL4s4pPYT6LqTh6A9WsWyoxKQhhYo9Y9tBpE3w5bS2Q",
      address: "/ip4/127.0.0.1/tcp/9001",
      direction: "outbound",
    },
  ],
};

/**
 * `@lodestar/api` with a fork config where every fork up to Gloas is active from genesis (Turnstile has one
 * fork, and it is ePBS-shaped). Lodestar reads its preset once, on first import, so it is set before: the
 * harness node runs the minimal preset.
 */
interface Lodestar {
  client(baseUrl: string): ApiClient;
  /** Parse an event's data into the client's type for its topic; throws when it cannot. */
  parseEvent(topic: string, data: unknown): unknown;
  knowsTopic(topic: string): boolean;
}
let lodestar: Promise<Lodestar> | undefined;
function loadLodestar(): Promise<Lodestar> {
  lodestar ??= (async () => {
    const { setActivePreset, PresetName } = await import("@lodestar/params/setPreset");
    setActivePreset(PresetName.minimal);
    const { createChainForkConfig } = await import("@lodestar/config");
    const { getClient, routes } = await import("@lodestar/api");
    const config = createChainForkConfig({
      ALTAIR_FORK_EPOCH: 0,
      BELLATRIX_FORK_EPOCH: 0,
      CAPELLA_FORK_EPOCH: 0,
      DENEB_FORK_EPOCH: 0,
      ELECTRA_FORK_EPOCH: 0,
      FULU_FORK_EPOCH: 0,
      GLOAS_FORK_EPOCH: 0,
    });
    const serdes = routes.events.getEventSerdes(config);
    const topics = new Set<string>(Object.values(routes.events.EventType));
    return {
      client: (baseUrl: string) => getClient({ baseUrl }, { config }),
      parseEvent: (topic: string, data: unknown) => serdes.fromJson(topic as routes.events.EventType, data),
      knowsTopic: (topic: string) => topics.has(topic),
    };
  })();
  return lodestar;
}

/** An answer with another status than a conformant node's is no schema pass, even if it is a documented error. */
function againstExpected(status: number, expected: number, verdict: Verdict): Verdict {
  if (status === expected || verdict.ok === false) return verdict;
  return { ok: false, error: `answered ${status}, not ${expected} (a documented error)` };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

async function probeEndpoint(
  spec: BeaconApiSpec,
  baseUrl: string,
  api: ApiClient,
  probe: EndpointProbe,
  c: ProbeContext,
): Promise<ConformanceRow> {
  const url = probe.url(c);
  const res = await fetch(`${baseUrl}${url}`, { headers: { accept: "application/json" } });
  const body = await res.text();
  const expectedStatus = probe.expectedStatus ?? OK_STATUS;
  const schema = againstExpected(
    res.status,
    expectedStatus,
    spec.checkResponse("GET", probe.path, { status: res.status, headers: res.headers, body }),
  );
  let client: Verdict;
  try {
    const answer = await probe.client(api, c);
    if (!answer.ok) client = { ok: false, error: `HTTP ${answer.status}` };
    else {
      answer.value();
      client = { ok: true };
    }
  } catch (e) {
    client = { ok: false, error: errorText(e) };
  }
  return {
    endpoint: `GET ${url}`,
    status: res.status,
    expectedStatus,
    schema,
    client,
  };
}

interface EventStream {
  topic: string;
  status: number;
  headers: Headers;
  body: string;
  events: { event: string; data: string }[];
}

/** Subscribe to one topic and collect what arrives until `signal` aborts. */
async function openEventStream(baseUrl: string, topic: string, signal: AbortSignal): Promise<EventStream> {
  const res = await fetch(`${baseUrl}/eth/v1/events?topics=${topic}`, { signal });
  const stream: EventStream = { topic, status: res.status, headers: res.headers, body: "", events: [] };
  if (res.status !== OK_STATUS || !res.body) {
    stream.body = await res.text();
    return stream;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        // SSE: messages end with a blank line; `event:` and `data:` lines within (comments start with `:`)
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const lines = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            lines
              .filter((l) => l.startsWith(`${name}:`))
              .map((l) => l.slice(name.length + 1).trimStart())
              .join("\n");
          if (lines.some((l) => l.startsWith("data:")))
            stream.events.push({ event: field("event"), data: field("data") });
        }
      }
    } catch {
      // aborted: the harness is done watching
    }
  })();
  return stream;
}

async function eventRow(
  spec: BeaconApiSpec,
  stream: EventStream,
  parseEvent: (topic: string, data: unknown) => unknown,
  knowsTopic: (topic: string) => boolean,
): Promise<ConformanceRow> {
  const endpoint = `GET /eth/v1/events?topics=${stream.topic}`;
  const row = { endpoint, status: stream.status, expectedStatus: OK_STATUS };
  const response = spec.checkResponse("GET", "/eth/v1/events", stream);
  if (stream.status !== OK_STATUS) {
    const schema = againstExpected(stream.status, OK_STATUS, response);
    return { ...row, schema, client: { ok: false, error: `HTTP ${stream.status}` } };
  }
  if (response.ok !== true) return { ...row, schema: response, client: { ok: "n/a", reason: "stream refused" } };
  const first = stream.events.find((e) => e.event === stream.topic);
  if (!first) {
    const none: Verdict = { ok: "n/a", reason: `no ${stream.topic} event while watched` };
    return { ...row, schema: none, client: none };
  }
  let data: unknown;
  try {
    data = JSON.parse(first.data);
  } catch {
    return {
      ...row,
      schema: { ok: false, error: "data is not JSON" },
      client: { ok: false, error: "data is not JSON" },
    };
  }
  const schema = matchesExampleShape(spec.eventExample(stream.topic), data);
  let client: Verdict;
  if (!knowsTopic(stream.topic)) client = { ok: "n/a", reason: "topic unknown to the client" };
  else {
    try {
      parseEvent(stream.topic, data);
      client = { ok: true };
    } catch (e) {
      client = { ok: false, error: errorText(e) };
    }
  }
  return { ...row, schema, client };
}

/** Start a node, probe every endpoint and event topic, stop the node. */
export async function runConformance(): Promise<ConformanceRow[]> {
  const spec = new BeaconApiSpec();
  const { client, parseEvent, knowsTopic } = await loadLodestar();
  const stepped = steppedNode();
  const { node, run, ctx } = stepped;
  // A database as a running node keeps one: history below finality is read from it
  const dir = mkdtempSync(join(tmpdir(), "turnstile-conformance-"));
  const db = new BeaconDb(ctx, join(dir, "db"));
  await db.open();
  await db.putGenesis(node.chain.anchor.serialize(), "");
  const persistence = persistChain(node.chain, db, (e) => {
    throw e;
  });
  const slotsPerEpoch = ctx.preset.SLOTS_PER_EPOCH;
  const probedSlot = EPOCHS_BEFORE_PROBING * slotsPerEpoch + 2;
  run(1, probedSlot);
  await persistence.flush();
  const head = node.chain.head();
  const c: ProbeContext = { headSlot: head.slot, headStateRoot: toHex(head.state.hashTreeRoot()), oldSlot: 1 };
  const server = await startApi({
    host: "127.0.0.1",
    port: 0,
    node,
    metrics: new NodeMetrics(),
    db,
    network: STUB_NETWORK,
  });
  const controller = new AbortController();
  try {
    const baseUrl = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
    const api = client(baseUrl);
    const rows: ConformanceRow[] = [];
    for (const probe of ENDPOINT_PROBES) rows.push(await probeEndpoint(spec, baseUrl, api, probe, c));

    const streams = await Promise.all(EVENT_TOPICS.map((t) => openEventStream(baseUrl, t, controller.signal)));
    const lastWatched = probedSlot + EPOCHS_WATCHING_EVENTS * slotsPerEpoch;
    run(probedSlot + 1, lastWatched);
    // A reorg under watch, for chain_reorg: a rival node that ran the same slots outbids the next block
    const rival = steppedNode();
    rival.run(1, lastWatched);
    reorgOneBlock(stepped, rival, lastWatched + 1);
    const deadline = Date.now() + EVENT_WAIT_MS;
    const waiting = () => streams.some((s) => s.status === OK_STATUS && s.events.length === 0);
    while (waiting() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const stream of streams) rows.push(await eventRow(spec, stream, parseEvent, knowsTopic));
    return rows;
  } finally {
    controller.abort();
    await server.close();
    await persistence.flush();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A row passes when the status is the expected one and neither check failed (n/a is not a failure). */
export const isConformant = (row: ConformanceRow): boolean =>
  row.status === row.expectedStatus && row.schema.ok !== false && row.client.ok !== false;

const cell = (v: Verdict) =>
  (v.ok === true ? "yes" : v.ok === false ? `no: ${v.error}` : `n/a: ${v.reason}`).replaceAll("|", "\\|");

export function conformanceTable(rows: readonly ConformanceRow[]): string {
  const lines = [
    "| endpoint | HTTP status | schema valid (first error) | client parses (@lodestar/api) |",
    "| --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const status = r.status === r.expectedStatus ? String(r.status) : `${r.status} (want ${r.expectedStatus})`;
    lines.push(`| \`${r.endpoint}\` | ${status} | ${cell(r.schema)} | ${cell(r.client)} |`);
  }
  const passing = rows.filter(isConformant).length;
  const parsing = rows.filter((r) => r.client.ok === true).length;
  const valid = rows.filter((r) => r.status === r.expectedStatus && r.schema.ok === true).length;
  lines.push(
    "",
    `${passing} of ${rows.length} conformant; ${valid} schema-valid with the expected status; the client parses ${parsing}.`,
  );
  return lines.join("\n");
}

if (import.meta.main) {
  console.log(conformanceTable(await runConformance()));
}
