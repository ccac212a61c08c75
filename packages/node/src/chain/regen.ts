import {
  type CachedBeaconState,
  type ExecutionEngine,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  stateTransition,
  stateTransitionEnvelope,
  toHex,
} from "@turnstile/ticket-state";
import { ChainError, ChainErrorCode } from "./errors.ts";
import { StateCache } from "./stateCache.ts";

/** What regeneration reads of a stored block. */
export interface StoredBlock {
  readonly root: string;
  readonly block: SignedBeaconBlock;
  readonly envelope: SignedExecutionPayloadEnvelope | null;
  readonly payloadKnown: boolean;
}

/** What regeneration needs of the chain: its stored blocks and which variant of its parent a block builds on. */
export interface RegenSource {
  readonly anchorRoot: string;
  getEntry(root: string): StoredBlock | undefined;
  buildsOnFull(block: SignedBeaconBlock, parent: StoredBlock): boolean;
}

/**
 * The one place states are (re)made for blocks already imported: a cached post-block or
 * post-payload state, or one replayed from the nearest cached ancestor through stored, already
 * verified blocks and envelopes. Callers ask explicitly; what a replay costs is visible at the call.
 */
export class StateRegen {
  private readonly source: RegenSource;
  private readonly states: StateCache;
  private readonly engine: ExecutionEngine;

  constructor(source: RegenSource, states: StateCache, engine: ExecutionEngine) {
    this.source = source;
    this.states = states;
    this.engine = engine;
  }

  /**
   * The state after block `root` (`full` false) or after its payload (`full` true).
   * Throws UNKNOWN_BLOCK for a block not stored, PAYLOAD_UNKNOWN for a payload not imported,
   * PRUNED when no ancestor state is left to replay from.
   */
  getPostState(root: string, full: boolean): CachedBeaconState {
    const entry = this.source.getEntry(root);
    if (!entry) throw new ChainError(ChainErrorCode.UNKNOWN_BLOCK, "unknown block", { root });
    if (full && !entry.payloadKnown) {
      throw new ChainError(ChainErrorCode.PAYLOAD_UNKNOWN, "payload not imported", { root });
    }
    return this.regenerate(entry, full);
  }

  /** The latest state of block `root`: after its payload when that is known, else after the block. */
  getLatestState(root: string): CachedBeaconState {
    const entry = this.source.getEntry(root);
    if (!entry) throw new ChainError(ChainErrorCode.UNKNOWN_BLOCK, "unknown block", { root });
    return this.regenerate(entry, entry.payloadKnown);
  }

  /** The state if it is in memory now, without replaying anything (undefined otherwise). */
  getCachedPostState(root: string, full: boolean): CachedBeaconState | undefined {
    return this.states.has(StateCache.key(root, full)) ? this.states.get(StateCache.key(root, full)) : undefined;
  }

  private regenerate(entry: StoredBlock, full: boolean): CachedBeaconState {
    const cached = this.states.get(StateCache.key(entry.root, full));
    if (cached) return cached;
    // Walk back to a cached state, noting which variant each step needs
    const path: { entry: StoredBlock; full: boolean }[] = [];
    let current = entry;
    let needFull = full;
    while (!this.states.has(StateCache.key(current.root, needFull))) {
      path.push({ entry: current, full: needFull });
      const parent = this.source.getEntry(toHex(current.block.message.parent_root));
      if (!parent || current.root === this.source.anchorRoot) {
        throw new ChainError(ChainErrorCode.PRUNED, "no ancestor state to regenerate from", { root: entry.root });
      }
      needFull = this.source.buildsOnFull(current.block, parent);
      current = parent;
    }
    let state = this.states.get(StateCache.key(current.root, needFull))!;
    for (let i = path.length - 1; i >= 0; i--) {
      const step = path[i];
      let postBlock = this.states.get(StateCache.key(step.entry.root, false));
      if (!postBlock) {
        postBlock = stateTransition(state, step.entry.block, { verifySignatures: false });
        this.states.set(StateCache.key(step.entry.root, false), postBlock);
      }
      state = postBlock;
      if (step.full) {
        let postPayload = this.states.get(StateCache.key(step.entry.root, true));
        if (!postPayload) {
          postPayload = stateTransitionEnvelope(postBlock, step.entry.envelope!, this.engine, {
            verifySignature: false,
          });
          this.states.set(StateCache.key(step.entry.root, true), postPayload);
        }
        state = postPayload;
      }
    }
    return state;
  }
}
