import type { Head } from "@turnstile/fork-choice";
import { sszTypes } from "@turnstile/ticket-state";
import type { BlockEntry, Chain } from "../chain/chain.ts";
import type { Reorg } from "../chain/reorg.ts";
import type { BeaconNode, DroppedCommitment } from "../node/beaconNode.ts";
import { ApiError, ApiErrorCode } from "./errors.ts";
import {
  blockEvent,
  chainReorgEvent,
  executionPayloadEvent,
  finalizedEvent,
  headEvent,
  headV2Event,
  payloadEvent,
} from "./eventData.ts";
import type { EmittedTopic } from "./eventTopics.ts";

/**
 * Event-stream subscribers one API server keeps open at most: each holds a connection and is written
 * every event it asked for, so an unbounded number would let clients exhaust the node's sockets.
 */
export const MAX_EVENT_SUBSCRIBERS = 64;

interface Subscriber {
  topics: ReadonlySet<EmittedTopic>;
  /** Write one server-sent event (its data already JSON). */
  write(topic: EmittedTopic, json: string): void;
}

/**
 * The node's events as the Beacon API streams them: listens to the chain and node while anyone
 * subscribes, builds each event's data once (only for topics someone asked for) and writes it to every
 * subscriber of that topic.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  /** The head before the latest and the latest, for `epoch_transition` and the old head of a reorg. */
  private previousHead: Head | null = null;
  private currentHead: Head | null = null;
  private readonly detach: (() => void)[] = [];

  private readonly node: BeaconNode;
  private readonly chain: Chain;

  constructor(node: BeaconNode, chain: Chain) {
    this.node = node;
    this.chain = chain;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Start writing events of `topics`; returns what ends the subscription. Throws 503 beyond the cap. */
  subscribe(topics: ReadonlySet<EmittedTopic>, write: Subscriber["write"]): () => void {
    if (this.subscribers.size >= MAX_EVENT_SUBSCRIBERS) {
      throw new ApiError(
        ApiErrorCode.UNAVAILABLE,
        `too many event subscribers: this node serves at most ${MAX_EVENT_SUBSCRIBERS} streams at once; retry later`,
        { subscribers: this.subscribers.size },
      );
    }
    const subscriber: Subscriber = { topics, write };
    if (this.subscribers.size === 0) this.attach();
    this.subscribers.add(subscriber);
    return () => {
      if (this.subscribers.delete(subscriber) && this.subscribers.size === 0) this.stop();
    };
  }

  /** Build `topic`'s data (undefined: nothing to send) only if someone wants it, then write it to each who does. */
  private publish(topic: EmittedTopic, data: () => unknown): void {
    // undefined: not built yet; null: nothing to send
    let json: string | null | undefined;
    for (const s of this.subscribers) {
      if (!s.topics.has(topic)) continue;
      if (json === undefined) {
        try {
          const value = data();
          json = value === undefined ? null : JSON.stringify(value);
        } catch {
          // An event whose data cannot be built (e.g. a state pruned meanwhile) is skipped, never
          // thrown back into the chain's import that emitted it
          json = null;
        }
      }
      if (json !== null) s.write(topic, json);
    }
  }

  private attach(): void {
    const { chain, node } = this;
    // Events are relative to the head the hub last saw: start from the current one
    this.currentHead = chain.forkChoice.getHead();
    this.previousHead = null;
    const onHead = (head: Head) => {
      this.previousHead = this.currentHead;
      this.currentHead = head;
      const previous = this.previousHead;
      this.publish("head", () => headEvent(chain, head, previous));
      this.publish("head_v2", () => headV2Event(chain, head, previous));
    };
    // The chain emits `reorg` right after the `head` that made it: the heads seen are the old and new
    const onReorg = (reorg: Reorg) =>
      this.publish("chain_reorg", () => chainReorgEvent(chain, reorg, this.previousHead, this.currentHead));
    const onBlock = (entry: BlockEntry) => {
      this.publish("block", () => blockEvent(entry));
      this.publish("ticket_assigned", () => this.ticketAssigned(entry));
    };
    const onPayload = (entry: BlockEntry) => {
      this.publish("execution_payload", () => executionPayloadEvent(entry));
      this.publish("payload", () => payloadEvent(entry));
    };
    const onFinalized = (cp: { epoch: number; root: string }) =>
      this.publish("finalized_checkpoint", () => finalizedEvent(chain, cp));
    const onDropped = (d: DroppedCommitment) =>
      this.publish("commitment_dropped", () => ({
        slot: String(d.slot),
        block: d.blockRoot,
        proposer_index: String(d.proposerIndex),
        ticket_id: String(d.ticketId),
        seconds_before_slot: d.secondsBeforeSlot,
      }));
    chain.on("head", onHead);
    chain.on("reorg", onReorg);
    chain.on("block", onBlock);
    chain.on("payload", onPayload);
    chain.on("finalized", onFinalized);
    node.on("commitmentDropped", onDropped);
    this.detach.push(
      () => chain.off("head", onHead),
      () => chain.off("reorg", onReorg),
      () => chain.off("block", onBlock),
      () => chain.off("payload", onPayload),
      () => chain.off("finalized", onFinalized),
      () => node.off("commitmentDropped", onDropped),
    );
  }

  private stop(): void {
    for (const off of this.detach.splice(0)) off();
  }

  /**
   * `ticket_assigned`: the ticket a block's state drew for the slot TICKET_LOOKAHEAD_SLOTS ahead, if that
   * slot's assignment was made by this block (the ring buffer holds TICKET_LOOKAHEAD_SLOTS + 1 entries).
   */
  private ticketAssigned(entry: BlockEntry): unknown {
    const { ctx } = this.chain;
    const s = this.chain.regen.getPostState(entry.root, false).state;
    const lookahead = s.slot + ctx.preset.TICKET_LOOKAHEAD_SLOTS;
    const assignment = s.ticket_assignments.getReadonly(lookahead % (ctx.preset.TICKET_LOOKAHEAD_SLOTS + 1));
    return assignment.slot === lookahead ? sszTypes.TicketAssignment.toJson(assignment.toValue()) : undefined;
  }
}
