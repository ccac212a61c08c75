import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PayloadStatus } from "@turnstile/fork-choice";
import { NodeMetrics, startApi } from "@turnstile/node";
import { computeStartSlotAtEpoch, getBlockRootAtSlot, toHex } from "@turnstile/ticket-state";
import { MAX_EVENT_SUBSCRIBERS } from "../../src/api/eventHub.ts";
import { reorgOneBlock } from "./forkedHead.ts";
import { steppedNode } from "./helpers.ts";

type Stepped = ReturnType<typeof steppedNode>;

/** An API on `node` for the test's length, and a reader of its event stream. */
async function withApi(node: Stepped["node"], fn: (base: string) => Promise<void>): Promise<void> {
  const api = await startApi({ host: "127.0.0.1", port: 0, node, metrics: new NodeMetrics() });
  try {
    await fn(`http://127.0.0.1:${(api.server.address() as { port: number }).port}`);
  } finally {
    await api.close();
  }
}

interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: event data of many shapes, checked field by field
  data: any;
}

/** Subscribe and return what arrived so far on each call of `events()`. */
async function subscribe(url: string, signal: AbortSignal) {
  const res = await fetch(url, { signal });
  assert.equal(res.status, 200, url);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = "";
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        events.push({ event: field("event")!, data: JSON.parse(field("data")!) });
      }
    }
  };
  void pump().catch(() => {});
  /** Wait until `count` events of `topic` arrived (or fail after a while). */
  const waitFor = async (topic: string, count = 1) => {
    const deadline = Date.now() + 5_000;
    while (events.filter((e) => e.event === topic).length < count) {
      if (Date.now() > deadline) throw new Error(`no ${topic} event; got ${events.map((e) => e.event).join(", ")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return events.filter((e) => e.event === topic);
  };
  return { events, waitFor };
}

describe("event stream: chain_reorg", () => {
  it("streams the spec's chain_reorg when the head moves onto a block that does not descend from it", {
    timeout: 30_000,
  }, async () => {
    const node = steppedNode();
    const rival = steppedNode();
    const slot = 6;
    node.run(1, slot - 1);
    rival.run(1, slot - 1);
    assert.equal(node.node.chain.head().root, rival.node.chain.head().root, "the same chain up to the fork");
    await withApi(node.node, async (base) => {
      const controller = new AbortController();
      try {
        const stream = await subscribe(`${base}/eth/v1/events?topics=chain_reorg,head`, controller.signal);
        const { orphaned, winner } = reorgOneBlock(node, rival, slot);
        assert.equal(node.node.chain.head().root, winner.root, "the rival block won the head");
        const [reorg] = await stream.waitFor("chain_reorg");
        const head = node.node.chain.head();
        assert.deepEqual(reorg.data, {
          slot: String(slot + 1),
          // The abandoned chain: one block (the old head) above the common ancestor at slot - 1
          depth: "1",
          old_head_block: orphaned.root,
          new_head_block: winner.root,
          // The old head's payload was never revealed: its state is the post-block state
          old_head_state: toHex(orphaned.block.message.state_root),
          new_head_state: toHex(
            head.payloadStatus === PayloadStatus.FULL
              ? winner.envelope!.message.state_root
              : winner.block.message.state_root,
          ),
          epoch: "0",
          execution_optimistic: false,
        });
        // Heads that extend the old one are no reorg: the blocks before the fork made none
        assert.equal(stream.events.filter((e) => e.event === "chain_reorg").length, 1);
        // The head event of the move came first, naming the new head
        assert.equal(stream.events.find((e) => e.event === "head")?.data.block, orphaned.root);
        assert.equal(stream.events.findLast((e) => e.event === "head")?.data.block, winner.root);
      } finally {
        controller.abort();
      }
    });
  });
});

describe("event stream: head, head_v2, block, execution_payload, finalized_checkpoint", () => {
  it("carry the spec's fields: the head's state, the dependent roots, epoch_transition once per epoch", {
    timeout: 60_000,
  }, async () => {
    const { node, run, ctx } = steppedNode();
    const perEpoch = ctx.preset.SLOTS_PER_EPOCH;
    run(1, perEpoch - 2);
    await withApi(node, async (base) => {
      const controller = new AbortController();
      try {
        const stream = await subscribe(
          `${base}/eth/v1/events?topics=head,head_v2,block,execution_payload,finalized_checkpoint,payload`,
          controller.signal,
        );
        // Across the boundary into epoch 1, and on until something finalizes (epoch 4 at the latest)
        run(perEpoch - 1, 5 * perEpoch);
        const finalized = (await stream.waitFor("finalized_checkpoint")).at(-1)!;
        const heads = stream.events.filter((e) => e.event === "head").map((e) => e.data);
        const headsV2 = stream.events.filter((e) => e.event === "head_v2").map((e) => e.data);
        assert.equal(heads.length, headsV2.length);
        const transitions = heads.filter((h) => h.epoch_transition).map((h) => Number(h.slot));
        assert.deepEqual(
          transitions,
          [1, 2, 3, 4, 5].map((e) => computeStartSlotAtEpoch(ctx, e)),
          "the first head of each epoch",
        );

        const head = node.chain.head();
        const last = heads.at(-1);
        assert.equal(last.block, head.root);
        const epoch = Math.floor(head.slot / perEpoch);
        const rootAt = (s: number) => toHex(getBlockRootAtSlot(ctx, head.state.state, s));
        assert.equal(last.current_duty_dependent_root, rootAt(computeStartSlotAtEpoch(ctx, epoch) - 1));
        assert.equal(last.previous_duty_dependent_root, rootAt(computeStartSlotAtEpoch(ctx, epoch - 1) - 1));
        assert.equal(last.state, toHex(head.state.hashTreeRoot()), "the state the head leaves");
        assert.equal(last.execution_optimistic, false);
        const v2 = headsV2.at(-1);
        assert.deepEqual(v2.version, "gloas");
        assert.deepEqual(v2.data, {
          slot: last.slot,
          block: last.block,
          state: last.state,
          payload_status: last.payload_status.toLowerCase(),
          epoch_transition: last.epoch_transition,
          current_epoch_dependent_root: last.previous_duty_dependent_root,
          next_epoch_dependent_root: last.current_duty_dependent_root,
          execution_optimistic: false,
        });
        // Genesis underflow: the first epochs' dependent roots are the genesis block's
        const first = heads.find((h) => Number(h.slot) === perEpoch - 1);
        assert.equal(first.previous_duty_dependent_root, node.chain.anchorRoot);
        assert.equal(first.current_duty_dependent_root, node.chain.anchorRoot);

        const entry = node.chain.getEntry(head.root)!;
        const block = stream.events.find((e) => e.event === "block" && e.data.block === head.root);
        assert.deepEqual(block?.data, { slot: String(head.slot), block: head.root, execution_optimistic: false });
        const payload = stream.events.find((e) => e.event === "execution_payload" && e.data.block_root === head.root);
        assert.ok(entry.envelope, "the head's payload was revealed");
        assert.deepEqual(payload?.data, {
          slot: String(head.slot),
          // The ticket is the builder; a self-built payload's is 2^64-1 (Gloas's BUILDER_INDEX_SELF_BUILD)
          builder_index: Number.isFinite(entry.envelope.message.ticket_id)
            ? String(entry.envelope.message.ticket_id)
            : String(2n ** 64n - 1n),
          block_hash: toHex(entry.envelope.message.payload.block_hash),
          block_root: head.root,
          execution_optimistic: false,
        });
        assert.ok(
          stream.events.some((e) => e.event === "payload"),
          "Turnstile's own payload topic still fires",
        );

        const checkpoint = node.chain.forkChoice.finalized;
        const cpEntry = node.chain.getEntry(checkpoint.root)!;
        assert.deepEqual(finalized.data, {
          block: checkpoint.root,
          state: toHex(cpEntry.block.message.state_root),
          epoch: String(checkpoint.epoch),
          execution_optimistic: false,
        });
      } finally {
        controller.abort();
      }
    });
  });
});

describe("event stream: topics and subscribers", () => {
  it("accepts spec topics Turnstile never emits; 400 only for unknown names or none", async () => {
    const { node, run } = steppedNode();
    run(1, 2);
    await withApi(node, async (base) => {
      for (const [topics, status] of [
        ["blob_sidecar", 200],
        ["light_client_finality_update,light_client_optimistic_update", 200],
        ["contribution_and_proof", 200],
        ["payload_attributes,head", 200],
        ["ticket_assigned,commitment_dropped,payload", 200],
        ["weather_forecast", 400],
        ["head,weather_forecast", 400],
        ["", 400],
      ] as const) {
        const controller = new AbortController();
        const res = await fetch(`${base}/eth/v1/events?topics=${topics}`, { signal: controller.signal });
        assert.equal(res.status, status, topics);
        if (status === 400) {
          const body = (await res.json()) as { code: number; message: string };
          assert.equal(body.code, 400);
          if (topics.includes("weather")) assert.match(body.message, /Invalid topic: weather_forecast/);
        }
        controller.abort();
      }
      const none = await fetch(`${base}/eth/v1/events`);
      assert.equal(none.status, 400, "no topics parameter");
    });
  });

  it(`refuses the stream beyond ${MAX_EVENT_SUBSCRIBERS} subscribers with a 503 that says why; a closed stream frees its place`, {
    timeout: 30_000,
  }, async () => {
    const { node, run } = steppedNode();
    run(1, 2);
    await withApi(node, async (base) => {
      const controllers = Array.from({ length: MAX_EVENT_SUBSCRIBERS }, () => new AbortController());
      try {
        const open = await Promise.all(
          controllers.map((c) => fetch(`${base}/eth/v1/events?topics=head`, { signal: c.signal })),
        );
        assert.ok(open.every((r) => r.status === 200));
        const refused = await fetch(`${base}/eth/v1/events?topics=head`);
        assert.equal(refused.status, 503);
        const body = (await refused.json()) as { code: number; message: string };
        assert.equal(body.code, 503);
        assert.match(body.message, new RegExp(`at most ${MAX_EVENT_SUBSCRIBERS} streams`));
        // One client leaves: its place is free once the server sees the connection close
        controllers.pop()!.abort();
        const deadline = Date.now() + 5_000;
        let again: Response;
        for (;;) {
          const c = new AbortController();
          again = await fetch(`${base}/eth/v1/events?topics=head`, { signal: c.signal });
          controllers.push(c);
          if (again.status === 200 || Date.now() > deadline) break;
          controllers.pop();
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.equal(again.status, 200, "a place freed by a closed stream is taken again");
      } finally {
        for (const c of controllers) c.abort();
      }
    });
  });
});
