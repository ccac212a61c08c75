import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BeaconDb, NodeMetrics, persistChain, startApi } from "@turnstile/node";
import { CachedBeaconState, toHex } from "@turnstile/ticket-state";
import type { FastifyInstance } from "fastify";
import { steppedNode } from "./helpers.ts";

/**
 * What the beacon-APIs schema cannot check (test/api validates shapes): filters select the right
 * validators, SSZ answers are the object's bytes, a 406 where no SSZ form exists, history below
 * finality read from the database, state roots as state ids, canonical/finalized flags, health while
 * syncing.
 */

/** Head at slot 34 of the minimal preset (8 slots per epoch): finality is past slot 16, slot 1 is history. */
const HEAD_SLOT = 34;
const OLD_SLOT = 1;
const SSZ = "application/octet-stream";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, checked field by field
type Json = any;

describe("Beacon-API behaviour beyond the schema", () => {
  const { node, run, ctx } = steppedNode();
  const dir = mkdtempSync(join(tmpdir(), "turnstile-api-"));
  const db = new BeaconDb(ctx, join(dir, "db"));
  let api: FastifyInstance;
  let bare: FastifyInstance;
  let base = "";
  let bareBase = "";
  const urlOf = (server: FastifyInstance) => `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  const get = async (path: string, accept?: string, from = base) => {
    const res = await fetch(`${from}${path}`, accept ? { headers: { accept } } : {});
    const type = res.headers.get("content-type") ?? "";
    const body: Json = type.includes("json") ? await res.json() : new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, body };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  before(async () => {
    await db.open();
    await db.putGenesis(node.chain.anchor.serialize(), "");
    const persistence = persistChain(node.chain, db, (e) => assert.fail(e as Error));
    run(1, HEAD_SLOT);
    await persistence.flush();
    api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics(), db });
    // The same node without a database: what it no longer holds in memory is gone
    bare = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
    base = urlOf(api);
    bareBase = urlOf(bare);
  });
  after(async () => {
    await api?.close();
    await bare?.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves blocks, headers, envelopes and states below finality from the database, flagged finalized", async () => {
    assert.ok(node.chain.forkChoice.finalized.epoch * ctx.preset.SLOTS_PER_EPOCH > OLD_SLOT, "slot 1 is finalized");
    assert.equal(node.chain.getEntry((await get(`/eth/v1/beacon/blocks/${OLD_SLOT}/root`)).body.data.root), undefined);
    const [stored] = await db.blockRootsBySlot(OLD_SLOT, OLD_SLOT + 1);
    const header = await get(`/eth/v1/beacon/headers/${OLD_SLOT}`);
    assert.equal(header.status, 200);
    assert.equal(header.body.data.root, stored.root);
    assert.deepEqual([header.body.data.canonical, header.body.finalized], [true, true]);
    const block = await get(`/eth/v2/beacon/blocks/${stored.root}`);
    assert.equal(block.body.data.message.slot, String(OLD_SLOT));
    const envelope = await db.getEnvelope(stored.root);
    assert.ok(envelope, "slot 1's payload was revealed");
    const storedEnvelope = await get(`/eth/v1/beacon/execution_payload_envelopes/${OLD_SLOT}`);
    assert.equal(storedEnvelope.body.data.message.slot, String(OLD_SLOT));
    // The regenerated state is the one the chain had: after slot 1's payload, as its envelope committed
    const stateRoot = await get(`/eth/v1/beacon/states/${OLD_SLOT}/root`);
    assert.equal(stateRoot.body.data.root, toHex(envelope.message.state_root));
    assert.equal(stateRoot.body.finalized, true);
    // Without the database the same requests find nothing
    assert.equal((await get(`/eth/v1/beacon/headers/${OLD_SLOT}`, undefined, bareBase)).status, 404);
  });

  it("regenerates history in any order: each state below finality is the one its block (or envelope) committed to", async () => {
    for (const slot of [9, 3, 12, 2, 13]) {
      const [{ root }] = await db.blockRootsBySlot(slot, slot + 1);
      const block = await db.getBlock(root);
      const envelope = await db.getEnvelope(root);
      const expected = toHex(envelope ? envelope.message.state_root : block!.message.state_root);
      assert.equal((await get(`/eth/v1/beacon/states/${slot}/root`)).body.data.root, expected, `slot ${slot}`);
    }
  });

  it("serves the genesis block as the spec defines it, hashing to the anchor root (not the chain's stand-in)", async () => {
    const header = (await get("/eth/v1/beacon/headers/genesis")).body.data;
    assert.equal(header.root, node.chain.anchorRoot);
    assert.equal(header.header.message.state_root, toHex(node.chain.anchor.hashTreeRoot()));
    const block = (await get("/eth/v2/beacon/blocks/0")).body.data;
    const message = ctx.ssz.BeaconBlock.fromJson(block.message);
    assert.equal(toHex(ctx.ssz.BeaconBlock.hashTreeRoot(message)), node.chain.anchorRoot);
    assert.equal((await get("/eth/v1/beacon/states/genesis/root")).body.data.root, header.header.message.state_root);
  });

  it("flags the head canonical and not finalized; a block on no chain is 404, a bad id 400", async () => {
    const head = await get("/eth/v1/beacon/headers/head");
    assert.deepEqual(
      [head.body.data.canonical, head.body.finalized, head.body.execution_optimistic],
      [true, false, false],
    );
    assert.equal((await get(`/eth/v1/beacon/headers/0x${"ab".repeat(32)}`)).status, 404);
    assert.equal((await get("/eth/v1/beacon/headers/nonsense")).status, 400);
    const bySlot = await get(`/eth/v1/beacon/headers?slot=${HEAD_SLOT}`);
    assert.deepEqual(
      bySlot.body.data.map((h: Json) => h.root),
      [head.body.data.root],
    );
    const byParent = await get(`/eth/v1/beacon/headers?parent_root=${head.body.data.header.message.parent_root}`);
    assert.deepEqual(
      byParent.body.data.map((h: Json) => h.root),
      [head.body.data.root],
    );
  });

  it("accepts a state root as state_id, from the head back to the states since finality", async () => {
    const headRoot = toHex(node.chain.head().state.hashTreeRoot());
    const fork = await get(`/eth/v1/beacon/states/${headRoot}/fork`);
    assert.equal(fork.status, 200);
    const justified = (await get("/eth/v1/beacon/headers/justified")).body.data.header.message.state_root;
    assert.equal((await get(`/eth/v1/beacon/states/${justified}/root`)).body.data.root, justified);
    assert.equal((await get(`/eth/v1/beacon/states/0x${"cd".repeat(32)}/root`)).status, 404);
  });

  it("answers SSZ for Accept: application/octet-stream, the object's own bytes; 406 where there is no SSZ form", async () => {
    const json = await get("/eth/v2/beacon/blocks/head");
    const ssz = await get("/eth/v2/beacon/blocks/head", `${SSZ};q=1,application/json;q=0.9`);
    assert.equal(ssz.headers.get("content-type"), SSZ);
    assert.equal(ssz.headers.get("eth-consensus-version"), "gloas");
    const decoded = ctx.ssz.SignedBeaconBlock.deserialize(ssz.body);
    assert.deepEqual(ctx.ssz.SignedBeaconBlock.toJson(decoded), json.body.data);
    // JSON preferred by quality: JSON
    const preferJson = await get("/eth/v2/beacon/blocks/head", `${SSZ};q=0.5,application/json`);
    assert.match(preferJson.headers.get("content-type") ?? "", /json/);

    const state = await get("/eth/v2/debug/beacon/states/head", SSZ);
    const root = (await get("/eth/v1/beacon/states/head/root")).body.data.root;
    assert.equal(toHex(CachedBeaconState.fromBytes(ctx, state.body).hashTreeRoot()), root);
    const stateJson = await get("/eth/v2/debug/beacon/states/head");
    assert.equal(stateJson.body.version, "gloas");
    assert.equal(stateJson.body.data.slot, String(node.chain.head().state.state.slot));

    const refused = await get("/eth/v1/beacon/headers/head", SSZ);
    assert.equal(refused.status, 406);
    assert.equal(refused.body.code, 406);
  });

  it("filters validators by index, pubkey and status (GET and POST), and balances by id", async () => {
    const pubkey = (await get("/eth/v1/beacon/states/head/validators/5")).body.data.validator.pubkey;
    const byIds = await get(`/eth/v1/beacon/states/head/validators?id=3,${pubkey}&id=99999`);
    assert.deepEqual(
      byIds.body.data.map((v: Json) => v.index),
      ["3", "5"],
      "unknown ids are left out",
    );
    assert.equal((await get(`/eth/v1/beacon/states/head/validators/${pubkey}`)).body.data.index, "5");
    assert.equal((await get("/eth/v1/beacon/states/head/validators/99999")).status, 404);
    const all = (await get("/eth/v1/beacon/states/head/validators")).body.data;
    assert.equal(all.length, 64);
    assert.ok(all.every((v: Json) => v.status === "active_ongoing"));
    assert.equal((await get("/eth/v1/beacon/states/head/validators?status=active")).body.data.length, 64);
    assert.equal((await get("/eth/v1/beacon/states/head/validators?status=exited,pending")).body.data.length, 0);
    assert.equal((await get("/eth/v1/beacon/states/head/validators?status=sleeping")).status, 400);
    const posted = await post("/eth/v1/beacon/states/head/validators", { ids: ["7"], statuses: ["active_ongoing"] });
    assert.deepEqual(
      posted.body.data.map((v: Json) => v.index),
      ["7"],
    );
    const balances = await post("/eth/v1/beacon/states/head/validator_balances", ["2", pubkey]);
    assert.deepEqual(
      balances.body.data.map((b: Json) => b.index),
      ["2", "5"],
    );
    assert.equal(balances.body.data[0].balance, String(node.chain.head().state.state.balances.get(2)));
  });

  it("lists committees of an epoch, filtered by slot and index; every validator once per epoch", async () => {
    const all = (await get("/eth/v1/beacon/states/head/committees")).body.data;
    const members = all.flatMap((c: Json) => c.validators);
    assert.equal(new Set(members).size, 64);
    assert.equal(members.length, 64);
    const one = (await get(`/eth/v1/beacon/states/head/committees?slot=${HEAD_SLOT}&index=0`)).body.data;
    assert.equal(one.length, 1);
    assert.deepEqual(
      one[0].validators,
      Array.from(node.chain.head().state.epochCtx.getBeaconCommittee(HEAD_SLOT, 0), String),
    );
    assert.equal((await get("/eth/v1/beacon/states/head/committees?epoch=0")).status, 400);
  });

  it("health is 206 while syncing (or the status asked for), 200 otherwise", async () => {
    assert.equal((await get("/eth/v1/node/health")).status, 200);
    const wasSyncing = node.isSyncing;
    node.isSyncing = () => true;
    try {
      assert.equal((await get("/eth/v1/node/health")).status, 206);
      assert.equal((await get("/eth/v1/node/health?syncing_status=503")).status, 503);
    } finally {
      node.isSyncing = wasSyncing;
    }
  });

  it("lists peers filtered by direction and state with meta.count; identity names the network's addresses", async () => {
    const peers = [
      { peerId: "16Uiu2HAmIn", address: "/ip4/10.0.0.1/tcp/9000", direction: "inbound" as const },
      { peerId: "16Uiu2HAmOut", address: "/ip4/10.0.0.2/tcp/9000", direction: "outbound" as const },
    ];
    const networked = await startApi({
      host: "127.0.0.1",
      port: 0,
      node,
      metrics: new NodeMetrics(),
      network: {
        peerId: "16Uiu2HAmSelf",
        peers: () => peers,
        listenAddresses: () => ["/ip4/127.0.0.1/tcp/9000"],
        metadata: () => ({ seqNumber: 3, attnets: new Uint8Array(8) }),
      },
    });
    try {
      const from = urlOf(networked);
      const inbound = (await get("/eth/v1/node/peers?direction=inbound", undefined, from)).body;
      assert.deepEqual(
        inbound.data.map((p: Json) => p.peer_id),
        ["16Uiu2HAmIn"],
      );
      assert.equal(inbound.meta.count, 1);
      assert.equal((await get("/eth/v1/node/peers?state=disconnected", undefined, from)).body.meta.count, 0);
      assert.equal((await get("/eth/v1/node/peers?direction=sideways", undefined, from)).status, 400);
      assert.equal((await get("/eth/v1/node/peer_count", undefined, from)).body.data.connected, "2");
      const identity = (await get("/eth/v1/node/identity", undefined, from)).body.data;
      assert.deepEqual(
        [identity.peer_id, identity.p2p_addresses, identity.metadata.seq_number],
        ["16Uiu2HAmSelf", ["/ip4/127.0.0.1/tcp/9000"], "3"],
      );
      // Without a network: an empty peer id, never null
      assert.equal((await get("/eth/v1/node/identity")).body.data.peer_id, "");
    } finally {
      await networked.close();
    }
  });
});
