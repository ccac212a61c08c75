/**
 * Gossip fuzz cases: a valid ticket-market or inclusion-list message, mutated (its snappy block,
 * its SSZ bytes, a field, a signature) or sent as is and replayed, then taken through what a node
 * does with a peer's message: the gossip inbound transform (snappy, the topic's size bounds), SSZ
 * decoding, and the node's validator with its verdict. A case passes when every refusal is typed,
 * a refusal changes nothing (head, state, pools, inclusion lists), an accepted message that was
 * changed after signing would have been re-signed, and an accepted message's replay is IGNOREd.
 */
import {
  Counters,
  compressBlock,
  type GossipTopicName,
  GossipValidationError,
  getGossipTypes,
  gossipTopicString,
  P2pError,
} from "@turnstile/p2p";
import { type ChainContext, deserializeSsz, TicketStateError, toHex } from "@turnstile/ticket-state";
import { UNEXPECTED_ERROR_CODE } from "../../packages/node/src/chain/errors.ts";
import { InclusionListPoolErrorCode } from "../../packages/node/src/chain/inclusionLists.ts";
import { gossipValidator } from "../../packages/node/src/network/verdict.ts";
import { createGossipsubInit, DEFAULT_GOSSIP_OPTIONS } from "../../packages/p2p/src/gossip/gossip.ts";
import { GOSSIP_FUZZ_TOPICS, type GossipWorld, type TopicSeed } from "./gossipWorld.ts";
import { BYTE_MUTATIONS, mutateBytes, mutateNumber, OVERFLOW_VALUES, otherBytes } from "./mutate.ts";
import { caseSeed, Rng } from "./rng.ts";

export const OUTCOME_ACCEPTED = "ACCEPTED";
/** The generator made a value its own SSZ type cannot serialize: no message was sent. */
export const OUTCOME_UNSENDABLE = "UNSENDABLE";

export interface GossipCaseResult {
  index: number;
  topic: string;
  mutation: string;
  outcome: string;
  failure: string | null;
}

const FORK_DIGEST = new Uint8Array(4);
const PEER = { toString: () => "16Uiu2HAmFuzzPeer" };

type Inbound = (name: GossipTopicName, data: Uint8Array) => Uint8Array;

/** The inbound transform gossipsub runs on every message of our topics (snappy and size bounds). */
export function inboundTransform(world: GossipWorld): Inbound {
  return inboundTransformFor(world.nodes[0].ctx);
}

/** The inbound transform for `ctx`'s topics, by topic name. */
export function inboundTransformFor(ctx: ChainContext): (name: GossipTopicName, data: Uint8Array) => Uint8Array {
  const init = createGossipsubInit(FORK_DIGEST, getGossipTypes(ctx.ssz), new Counters(), DEFAULT_GOSSIP_OPTIONS);
  const transform = init.dataTransform;
  if (!transform) throw new Error("no gossip data transform");
  return (name, data) => transform.inboundTransform(gossipTopicString(FORK_DIGEST, name), data);
}

interface Leaf {
  path: string;
  get: () => unknown;
  set: (v: unknown) => void;
}

/** Every number, byte string and list of byte strings in `value`, signatures aside. */
function leaves(value: unknown, path = ""): Leaf[] {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return [];
  const out: Leaf[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    const leaf = {
      path: at,
      get: () => (value as Record<string, unknown>)[key],
      set: (x: unknown) => {
        (value as Record<string, unknown>)[key] = x;
      },
    };
    if (key === "signature") continue;
    if (typeof v === "number" || v instanceof Uint8Array || Array.isArray(v)) out.push(leaf);
    else out.push(...leaves(v, at));
  }
  return out;
}

/** The paths of every signature in `value`. */
function signatureLeaves(value: unknown, path = ""): Leaf[] {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return [];
  const out: Leaf[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${key}` : key;
    if (key === "signature" && v instanceof Uint8Array) {
      out.push({
        path: at,
        get: () => (value as Record<string, unknown>)[key],
        set: (x) => {
          (value as Record<string, unknown>)[key] = x;
        },
      });
    } else out.push(...signatureLeaves(v, at));
  }
  return out;
}

function mutateLeaf(rng: Rng, leaf: Leaf, slotsPerEpoch: number, currentSlot: number): void {
  const v = leaf.get();
  if (typeof v === "number") {
    // Slots and nonces near the windows' edges, far ahead and far back, and the integer edges
    leaf.set(
      rng.chance(0.5)
        ? mutateNumber(rng, v)
        : rng.pick([
            v + 1,
            Math.max(v - 1, 0),
            v + slotsPerEpoch,
            v + 5 * slotsPerEpoch,
            currentSlot,
            currentSlot + 1,
            Math.max(0, currentSlot - 1),
            ...OVERFLOW_VALUES,
          ]),
    );
  } else if (v instanceof Uint8Array) {
    leaf.set(otherBytes(rng, v));
  } else if (Array.isArray(v)) {
    const items = v as Uint8Array[];
    switch (rng.int(5)) {
      case 0: // a duplicated item
        leaf.set(items.length > 0 ? [...items, items[0]] : [new Uint8Array(1)]);
        break;
      case 1: // an empty item
        leaf.set([...items, new Uint8Array(0)]);
        break;
      case 2: // no item at all
        leaf.set([]);
        break;
      case 3: // many items
        leaf.set(Array.from({ length: 1 + rng.int(40) }, (_, i) => new Uint8Array(8).fill(i)));
        break;
      default: // one large item
        leaf.set([...items, rng.bytes(1000 + rng.int(20_000))]);
    }
  }
}

const clone = <T>(seed: TopicSeed<T>): T => seed.type.clone(seed.valid);

interface Built {
  mutation: string;
  /** The snappy block a peer sends. */
  data: Uint8Array | null;
  /** Whether the sender re-signed what it changed (else an accepted change is a signature bypass). */
  resigned: boolean;
}

const KINDS = ["snappy", "ssz", "field", "signature", "oversized", "valid"] as const;
const KIND_WEIGHTS = [2, 3, 4, 3, 1, 1];

function pickKind(rng: Rng): (typeof KINDS)[number] {
  let r = rng.int(KIND_WEIGHTS.reduce((a, b) => a + b, 0));
  for (let i = 0; i < KINDS.length; i++) {
    r -= KIND_WEIGHTS[i];
    if (r < 0) return KINDS[i];
  }
  return "valid";
}

function serialize<T>(seed: TopicSeed<T>, value: T): Uint8Array | null {
  try {
    return seed.type.serialize(value);
  } catch {
    return null;
  }
}

/** What `fn` returns, or null if the generator cannot make it (a key for an index out of range). */
function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

function buildMessage<T>(world: GossipWorld, seed: TopicSeed<T>, rng: Rng): Built {
  const kind = pickKind(rng);
  const valid = seed.type.serialize(seed.valid);
  const node = seed.node;
  switch (kind) {
    case "valid":
      return { mutation: "valid", data: compressBlock(valid), resigned: false };
    case "snappy": {
      const how = rng.pick(BYTE_MUTATIONS);
      return { mutation: `snappy/${how}`, data: mutateBytes(rng, compressBlock(valid), how), resigned: false };
    }
    case "ssz": {
      const how = rng.pick(BYTE_MUTATIONS);
      return { mutation: `ssz/${how}`, data: compressBlock(mutateBytes(rng, valid, how)), resigned: false };
    }
    case "oversized": {
      // Beyond the topic's SSZ bound, or announcing more than it holds
      const [, max] = [seed.type.minSize, seed.type.maxSize];
      const size = Math.min(max, 11 * 1024 * 1024) + 1 + rng.int(1024);
      if (rng.chance(0.5)) {
        const big = new Uint8Array(size);
        big.set(valid);
        return { mutation: "oversized/body", data: compressBlock(big), resigned: false };
      }
      const block = compressBlock(valid);
      const lie = Uint8Array.from([0x80 | (size & 0x7f), 0x80 | ((size >> 7) & 0x7f), (size >> 14) & 0x7f]);
      const preamble = block.findIndex((b) => (b & 0x80) === 0) + 1;
      const out = new Uint8Array(lie.length + block.length - preamble);
      out.set(lie);
      out.set(block.subarray(preamble), lie.length);
      return { mutation: "oversized/preamble", data: out, resigned: false };
    }
    case "field": {
      const value = clone(seed);
      const fields = leaves(value);
      const leaf = rng.pick(fields);
      mutateLeaf(rng, leaf, node.ctx.preset.SLOTS_PER_EPOCH, node.clock.currentSlot);
      const resigned = rng.chance(0.6);
      const sent = resigned ? attempt(() => seed.resign(value)) : value;
      const bytes = sent === null ? null : serialize(seed, sent);
      return {
        mutation: `field/${leaf.path}${resigned ? "+signed" : ""}`,
        data: bytes && compressBlock(bytes),
        resigned,
      };
    }
    case "signature": {
      const value = clone(seed);
      const how = rng.pick(["random", "zero", "infinity", "bit_flip", "swap", "wrong_key", "wrong_domain"] as const);
      let sent: T | null = value;
      const sigs = signatureLeaves(value);
      const leaf = rng.pick(sigs);
      if (how === "random") leaf.set(rng.bytes(96));
      else if (how === "zero") leaf.set(new Uint8Array(96));
      else if (how === "infinity") leaf.set(Uint8Array.from([0xc0, ...new Uint8Array(95)]));
      else if (how === "bit_flip") leaf.set(mutateBytes(rng, leaf.get() as Uint8Array, "bit_flip").slice(0, 96));
      else if (how === "swap") {
        // A valid signature of another topic's message
        const others = GOSSIP_FUZZ_TOPICS.filter((t) => t !== seed.topic).map((t) => world.seeds[t].valid);
        leaf.set(rng.pick(signatureLeaves(rng.pick(others))).get());
      } else if (how === "wrong_key") sent = attempt(() => seed.resignWrongKey(value));
      else sent = attempt(() => seed.resignWrongDomain(value));
      const bytes = sent === null ? null : serialize(seed, sent);
      return { mutation: `signature/${how}`, data: bytes && compressBlock(bytes), resigned: false };
    }
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${e.stack?.split("\n").slice(1, 5).join("\n") ?? ""}`;
  return `non-error thrown: ${String(e)}`;
}

/** Refusals that change the pool on purpose: a second list of a proposer voids the slot's lists. */
const CHANGING_REFUSALS = new Set<string>([InclusionListPoolErrorCode.EQUIVOCATION]);

/** Run case `index` of the run seeded `seed` on `world`. */
export async function runGossipCase(
  world: GossipWorld,
  inbound: Inbound,
  seed: number,
  index: number,
): Promise<GossipCaseResult> {
  const rng = new Rng(caseSeed(seed, index));
  const topic = rng.pick(GOSSIP_FUZZ_TOPICS);
  const s = world.seeds[topic];
  world.reset();
  const built = buildMessage(world, s, rng);
  const result = (outcome: string, failure: string | null = null): GossipCaseResult => ({
    index,
    topic,
    mutation: built.mutation,
    outcome,
    failure,
  });
  if (built.data === null) return result(OUTCOME_UNSENDABLE);
  const before = world.snapshot(s.node);
  const unchanged = () => world.snapshot(s.node) === before;

  // 1. gossipsub's inbound transform
  let bytes: Uint8Array;
  try {
    bytes = inbound(topic, built.data);
  } catch (e) {
    if (!(e instanceof P2pError)) return result("UNTYPED", `untyped inbound transform error: ${describeError(e)}`);
    return result(e.code);
  }
  // 2. SSZ decoding, as the gossip layer does before validating
  let value: unknown;
  try {
    value = deserializeSsz(s.type, bytes, topic);
  } catch (e) {
    if (!(e instanceof TicketStateError)) return result("UNTYPED", `untyped decoding error: ${describeError(e)}`);
    return result(e.code);
  }
  // 3. The node's validator, with its verdict
  let thrown: unknown = null;
  const validate = gossipValidator(topic, s.importIt as (v: unknown) => void, (_t, _v, error) => {
    thrown = error;
  });
  const judge = async (): Promise<{ outcome: string; failure: string | null }> => {
    try {
      await validate(value, PEER);
      return { outcome: OUTCOME_ACCEPTED, failure: null };
    } catch (e) {
      if (!(e instanceof GossipValidationError))
        return { outcome: "UNTYPED", failure: `validator threw no verdict: ${describeError(e)}` };
      if (e.code === UNEXPECTED_ERROR_CODE || !(thrown instanceof TicketStateError))
        return { outcome: e.code, failure: `untyped error behind the ${e.action}: ${describeError(thrown)}` };
      return { outcome: `${e.action} ${e.code}`, failure: null };
    }
  };
  const first = await judge();
  if (first.failure) return result(first.outcome, first.failure);
  const code = first.outcome.split(" ")[1];
  if (first.outcome !== OUTCOME_ACCEPTED) {
    if (!CHANGING_REFUSALS.has(code) && !unchanged()) {
      return result(first.outcome, `refused (${first.outcome}), yet the node's head, pools or lists changed`);
    }
    return result(first.outcome);
  }
  // Accepted: only re-signed changes may pass the signature checks
  const same = toHex(s.type.hashTreeRoot(value)) === toHex(s.type.hashTreeRoot(s.valid));
  if (!same && !built.resigned) return result(first.outcome, "accepted a message changed after it was signed");
  const afterAccept = world.snapshot(s.node);
  if (JSON.parse(afterAccept).state !== JSON.parse(before).state) {
    return result(first.outcome, "accepting a gossip message changed the head state");
  }
  // A replay is IGNOREd and changes nothing
  const replay = await judge();
  if (replay.failure) return result(first.outcome, `replay: ${replay.failure}`);
  if (!replay.outcome.startsWith("IGNORE")) {
    return result(first.outcome, `its replay was not IGNOREd: ${replay.outcome}`);
  }
  if (world.snapshot(s.node) !== afterAccept) return result(first.outcome, "its replay changed the node");
  return result(first.outcome);
}
