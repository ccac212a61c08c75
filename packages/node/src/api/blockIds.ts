import {
  type CachedBeaconState,
  CachedBeaconState as CachedState,
  computeStartSlotAtEpoch,
  processSlotsCopy,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  stateTransition,
  stateTransitionEnvelope,
  toHex,
} from "@turnstile/ticket-state";
import { BlockHistory } from "../network/blockHistory.ts";
import type { ApiContext } from "./context.ts";
import { badRequest, notFound } from "./errors.ts";

const ROOT_ID = /^0x[0-9a-fA-F]{64}$/;
const SLOT_ID = /^\d+$/;

/** Where an answer sits on the chain: the Beacon-API `finalized` flag and whether it is on the head's chain. */
export interface ChainPosition {
  canonical: boolean;
  finalized: boolean;
}

/** A block found by id, from the chain in memory or (below finality) the database. */
export interface ResolvedBlock extends ChainPosition {
  root: string;
  block: SignedBeaconBlock;
  envelope: SignedExecutionPayloadEnvelope | null;
  /** The chain holds it in memory: its states come from regen. */
  inMemory: boolean;
}

/** A state found by id, with where it sits. */
export interface ResolvedState extends ChainPosition {
  state: CachedBeaconState;
}

const history = new WeakMap<ApiContext, BlockHistory>();
function blockHistory(api: ApiContext): BlockHistory {
  let h = history.get(api);
  if (!h) {
    h = new BlockHistory(api.chain, api.opts.db);
    history.set(api, h);
  }
  return h;
}

/** In-memory position: on the head's chain, and an ancestor of (or) the finalized block. */
function memoryPosition(api: ApiContext, root: string): ChainPosition {
  const { forkChoice } = api.chain;
  if (root === api.chain.anchorRoot) return { canonical: true, finalized: true };
  return {
    canonical: forkChoice.protoArray.isDescendant(root, forkChoice.getHead().root),
    finalized: forkChoice.protoArray.isDescendant(root, forkChoice.finalized.root),
  };
}

/** The canonical block at `slot`, or undefined when the slot was skipped (memory first, then the database). */
async function canonicalRootAt(api: ApiContext, slot: number): Promise<string | undefined> {
  const { chain } = api;
  const anchorSlot = chain.getEntry(chain.anchorRoot)?.slot;
  if (slot === anchorSlot) return chain.anchorRoot;
  const [found] = await blockHistory(api).range(slot, 1);
  return found?.root;
}

/** A block by root: in memory, else from the database (below finality: canonical iff on the finalized chain). */
async function blockByRoot(api: ApiContext, root: string): Promise<ResolvedBlock | undefined> {
  if (root === api.chain.anchorRoot) return anchorBlock(api);
  const entry = api.chain.getEntry(root);
  if (entry) {
    return { root, block: entry.block, envelope: entry.envelope, inMemory: true, ...memoryPosition(api, root) };
  }
  const db = api.opts.db;
  const block = await db?.getBlock(root);
  if (!db || !block) return undefined;
  const canonical = (await canonicalRootAt(api, block.message.slot)) === root;
  // Not in memory: older than the finalized block, so finalized when canonical
  return {
    root,
    block,
    envelope: (await db.getEnvelope(root)) ?? null,
    inMemory: false,
    canonical,
    finalized: canonical,
  };
}

/**
 * The anchor's block: the chain holds only its state (its entry's block is a stand-in). A stored
 * block is served; genesis, never stored, is rebuilt as the spec defines it (empty body, the genesis
 * state's root, no signature) and served only if it hashes to the anchor root.
 */
async function anchorBlock(api: ApiContext): Promise<ResolvedBlock | undefined> {
  const { chain, ctx } = api;
  const root = chain.anchorRoot;
  // In memory in the sense that matters: regen holds its state (pinned)
  const position = { canonical: true, finalized: true, inMemory: true };
  const stored = await api.opts.db?.getBlock(root);
  if (stored) return { root, block: stored, envelope: (await api.opts.db?.getEnvelope(root)) ?? null, ...position };
  const header = chain.anchor.state.latest_block_header;
  const message = {
    ...ctx.ssz.BeaconBlock.defaultValue(),
    slot: header.slot,
    proposer_index: header.proposer_index,
    parent_root: header.parent_root,
    state_root: chain.anchor.hashTreeRoot(),
  };
  if (toHex(ctx.ssz.BeaconBlock.hashTreeRoot(message)) !== root) return undefined;
  return {
    root,
    block: { message, signature: new Uint8Array(ctx.ssz.SignedBeaconBlock.fields.signature.lengthBytes) },
    envelope: null,
    ...position,
  };
}

/** Resolve a block id: head | genesis | finalized | justified | <slot> | 0x<root>; history from the database. */
export async function resolveBlock(api: ApiContext, id: string): Promise<ResolvedBlock> {
  const { chain } = api;
  let root: string | undefined;
  if (id === "head") root = chain.forkChoice.getHead().root;
  else if (id === "finalized") root = chain.forkChoice.finalized.root;
  else if (id === "justified") root = chain.forkChoice.justified.root;
  else if (id === "genesis") root = await canonicalRootAt(api, 0);
  else if (ROOT_ID.test(id)) root = id.toLowerCase();
  else if (SLOT_ID.test(id)) root = await canonicalRootAt(api, Number(id));
  else throw badRequest(`invalid block id: ${id}`);
  const found = root === undefined ? undefined : await blockByRoot(api, root);
  if (!found) throw notFound(`block not found: ${id}`);
  return found;
}

/** A canonical block below finality, with its post-block state: where the next regeneration may resume. */
interface ReplayPoint {
  block: { root: string; block: SignedBeaconBlock; envelope: SignedExecutionPayloadEnvelope | null };
  postBlock: CachedBeaconState;
}
/** The newest replay point per API: history below finality never changes, so it stays valid. */
const replayPoints = new WeakMap<ApiContext, ReplayPoint>();

/**
 * A state of the canonical chain at `slot`, regenerated from genesis through the stored canonical
 * blocks: for slots below the oldest block the chain holds. Genesis comes from the chain's anchor when
 * that is genesis, else from the database; without either the state is gone (404). A later slot resumes
 * from the last regeneration (explorers walk history forwards), an earlier one starts again at genesis.
 */
async function regenerateHistorical(api: ApiContext, slot: number): Promise<CachedBeaconState> {
  const { chain, ctx, opts } = api;
  let state: CachedBeaconState | undefined;
  let previous: ReplayPoint["block"] | null = null;
  const resume = replayPoints.get(api);
  if (resume && resume.block.block.message.slot <= slot) {
    state = resume.postBlock;
    previous = resume.block;
  } else if (chain.anchor.state.slot === 0) state = chain.anchor;
  else {
    const stored = await opts.db?.getGenesis();
    if (stored) state = CachedState.fromBytes(ctx, stored.stateBytes, chain.anchor.caches);
  }
  if (!state) throw notFound(`state at slot ${slot} is gone: below the node's anchor and no stored genesis`);
  const from = previous ? previous.block.message.slot + 1 : 1;
  for (const next of await blockHistory(api).range(from, slot + 1 - from)) {
    // A block built on its parent's FULL variant sees the parent's payload applied first
    if (previous?.envelope && chain.buildsOnFull(next.block, previous)) {
      state = stateTransitionEnvelope(state, previous.envelope, chain.engine, { verifySignature: false });
    }
    state = stateTransition(state, next.block, { verifySignatures: false });
    previous = next;
  }
  if (previous) replayPoints.set(api, { block: previous, postBlock: state });
  if (previous?.envelope && previous.block.message.slot === slot) {
    state = stateTransitionEnvelope(state, previous.envelope, chain.engine, { verifySignature: false });
  }
  return state.state.slot < slot ? processSlotsCopy(state, slot) : state;
}

/** The latest state of a resolved block: after its payload when revealed. */
async function stateOfBlock(api: ApiContext, block: ResolvedBlock): Promise<CachedBeaconState> {
  if (block.inMemory) return api.chain.regen.getLatestState(block.root);
  return regenerateHistorical(api, block.block.message.slot);
}

/** A state root among the hot chain's post-block and post-payload states (what the chain can regenerate). */
function stateByRoot(api: ApiContext, stateRoot: string): ResolvedState | undefined {
  const { chain } = api;
  if (toHex(chain.anchor.hashTreeRoot()) === stateRoot) {
    return { state: chain.anchor, canonical: true, finalized: true };
  }
  for (const [root, index] of chain.forkChoice.protoArray.indices) {
    const block = chain.forkChoice.protoArray.nodes[index].block;
    const envelope = chain.getEntry(root)?.envelope;
    const full = envelope !== null && envelope !== undefined && toHex(envelope.message.state_root) === stateRoot;
    if (!full && block.stateRoot !== stateRoot) continue;
    if (!chain.getEntry(root)) continue;
    return { state: chain.regen.getPostState(root, full), ...memoryPosition(api, root) };
  }
  return undefined;
}

/**
 * Resolve a state id: head | genesis | finalized | justified | <slot> | 0x<state root>. A slot's state
 * is the canonical one at that slot (advanced through empty slots); below finality it is regenerated
 * from the stored blocks. Finalized and justified are the checkpoint states (at the epoch's first slot).
 */
export async function resolveState(api: ApiContext, id: string): Promise<ResolvedState> {
  const { chain, ctx } = api;
  const head = chain.forkChoice.getHead();
  if (id === "head") return { state: chain.head().state, ...memoryPosition(api, head.root) };
  if (id === "finalized" || id === "justified") {
    const cp = id === "finalized" ? chain.forkChoice.finalized : chain.forkChoice.justified;
    const state = chain.regen.getLatestState(cp.root);
    const epochStart = computeStartSlotAtEpoch(ctx, cp.epoch);
    return {
      state: state.state.slot < epochStart ? processSlotsCopy(state, epochStart) : state,
      ...memoryPosition(api, cp.root),
    };
  }
  if (ROOT_ID.test(id)) {
    const found = stateByRoot(api, id.toLowerCase());
    if (!found) throw notFound(`state root not found among the states since finality: ${id}`);
    return found;
  }
  let slot: number;
  if (id === "genesis") slot = 0;
  else if (SLOT_ID.test(id)) slot = Number(id);
  else throw badRequest(`invalid state id: ${id}`);
  if (slot > head.slot) throw notFound(`no state at slot ${slot}: the head is at slot ${head.slot}`);
  const inMemory = chain.forkChoice.protoArray.ancestorAtSlot(head.root, slot);
  if (inMemory && chain.getEntry(inMemory.root)) {
    const state = chain.regen.getLatestState(inMemory.root);
    return {
      state: state.state.slot < slot ? processSlotsCopy(state, slot) : state,
      ...memoryPosition(api, inMemory.root),
    };
  }
  // Below the chain in memory: regenerated from history, finalized by construction
  return { state: await regenerateHistorical(api, slot), canonical: true, finalized: true };
}

/** The state of a block id's block (for endpoints keyed by block that answer from its state). */
export async function stateOfBlockId(api: ApiContext, id: string): Promise<ResolvedState> {
  const block = await resolveBlock(api, id);
  return { state: await stateOfBlock(api, block), canonical: block.canonical, finalized: block.finalized };
}
