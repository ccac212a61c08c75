import { EventEmitter } from "node:events";
import {
  type AttestationVote,
  anchorFromState,
  attestationVote,
  blockImportFromState,
  ForkChoice,
  type Head,
  justifiedBalancesFromState,
  PayloadStatus,
  payloadAttestationVote,
} from "@turnstile/fork-choice";
import {
  type CachedBeaconState,
  type ChainContext,
  computeStartSlotAtEpoch,
  DeterministicExecutionEngine,
  isEmptyCommitment,
  processSlotsCopy,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  stateTransition,
  stateTransitionEnvelope,
  toHex,
} from "@turnstile/ticket-state";
import { ChainError, ChainErrorCode } from "./errors.ts";
import { StateCache } from "./stateCache.ts";

/** States kept in memory by default; older ones are regenerated from blocks when asked for. */
export const DEFAULT_MAX_STATES = 96;

/**
 * A block the chain has imported and, once revealed, its payload. Its states come from the
 * bounded state cache, regenerated from its ancestors' blocks when they were evicted.
 */
export class BlockEntry {
  readonly root: string;
  readonly block: SignedBeaconBlock;
  envelope: SignedExecutionPayloadEnvelope | null = null;
  /** The FULL variant exists: the envelope was imported (or, for the anchor, the state is post-payload). */
  payloadKnown = false;
  private readonly chain: Chain;

  constructor(chain: Chain, root: string, block: SignedBeaconBlock) {
    this.chain = chain;
    this.root = root;
    this.block = block;
  }

  get slot(): number {
    return this.block.message.slot;
  }

  get postBlock(): CachedBeaconState {
    return this.chain.regenerate(this, false);
  }

  get postPayload(): CachedBeaconState | null {
    return this.payloadKnown ? this.chain.regenerate(this, true) : null;
  }
}

export interface ChainEvents {
  block: [entry: BlockEntry];
  payload: [entry: BlockEntry];
  head: [head: Head];
  finalized: [checkpoint: { epoch: number; root: string }];
}

/**
 * The import pipeline: validate with the state transition, hand to fork choice, keep states.
 * Objects that fail throw a typed error (ChainError or the state transition's) and change nothing.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly ctx: ChainContext;
  readonly engine: DeterministicExecutionEngine;
  readonly forkChoice: ForkChoice;
  readonly anchor: CachedBeaconState;
  private readonly entries = new Map<string, BlockEntry>();
  readonly states: StateCache;
  /** Root of the anchor block (genesis or the finalized block a restart resumed from). */
  readonly anchorRoot: string;
  private lastHead: Head | null = null;
  private readonly now: () => number;
  private lastFinalizedEpoch = 0;

  /** @param anchor genesis, or the finalized state a restarted node resumes from */
  constructor(
    ctx: ChainContext,
    anchor: CachedBeaconState,
    now: () => number = () => Date.now() / 1000,
    maxStates = DEFAULT_MAX_STATES,
  ) {
    super();
    this.ctx = ctx;
    this.anchor = anchor;
    this.now = now;
    this.engine = new DeterministicExecutionEngine(ctx);
    this.engine.genesisPayload(anchor.state.genesis_time);
    const anchorBlock = anchorFromState(anchor);
    this.anchorRoot = anchorBlock.root;
    this.states = new StateCache(maxStates);
    const anchorEntry = new BlockEntry(this, anchorBlock.root, {
      message: { ...ctx.ssz.BeaconBlock.defaultValue(), slot: anchorBlock.slot },
      signature: new Uint8Array(96),
    });
    anchorEntry.payloadKnown = anchorBlock.payloadKnown;
    this.states.set(StateCache.key(anchorBlock.root, false), anchor);
    if (anchorBlock.payloadKnown) this.states.set(StateCache.key(anchorBlock.root, true), anchor);
    this.states.pin([StateCache.key(anchorBlock.root, false), StateCache.key(anchorBlock.root, true)]);
    this.entries.set(anchorBlock.root, anchorEntry);
    this.forkChoice = new ForkChoice(
      {
        slotsPerEpoch: ctx.preset.SLOTS_PER_EPOCH,
        secondsPerSlot: ctx.config.SECONDS_PER_SLOT,
        ptcSize: ctx.preset.PTC_SIZE,
        genesisTime: anchor.state.genesis_time,
      },
      anchorBlock,
      (checkpoint) => justifiedBalancesFromState(this.stateOfCheckpoint(checkpoint)),
    );
    this.forkChoice.onTick(Math.max(now(), anchor.state.genesis_time));
  }

  onTick(time: number): void {
    this.forkChoice.onTick(time);
    this.applyQueuedVotes();
  }

  private queuedVotes: AttestationVote[] = [];

  /**
   * A vote from gossip (or our own validators). Fork choice admits a vote only from the slot after
   * its own, so current-slot votes wait in a queue that each tick drains.
   */
  addVote(vote: AttestationVote): void {
    if (vote.slot < this.forkChoice.currentSlot) this.applyVote(vote);
    else this.queuedVotes.push(vote);
  }

  private applyQueuedVotes(): void {
    if (this.queuedVotes.length === 0) return;
    const ready = this.queuedVotes.filter((v) => v.slot < this.forkChoice.currentSlot);
    this.queuedVotes = this.queuedVotes.filter((v) => v.slot >= this.forkChoice.currentSlot);
    for (const vote of ready) this.applyVote(vote);
  }

  private applyVote(vote: AttestationVote): void {
    try {
      this.forkChoice.onAttestation(vote, false);
    } catch {
      // a vote for a block pruned meanwhile, or already too old: it no longer matters
    }
  }

  getEntry(root: string): BlockEntry | undefined {
    return this.entries.get(root);
  }

  hasBlock(root: string): boolean {
    return this.entries.has(root);
  }

  /** The state a child of `root` builds on: post-payload when it builds on the FULL variant. */
  stateFor(root: string, status: PayloadStatus): CachedBeaconState {
    const entry = this.entries.get(root);
    if (!entry) throw new ChainError(ChainErrorCode.UNKNOWN_BLOCK, "unknown block", { root });
    return this.regenerate(entry, status === PayloadStatus.FULL && entry.payloadKnown);
  }

  /** A checkpoint's state: its block's state advanced to the epoch's first slot (what get_weight reads). */
  private stateOfCheckpoint(checkpoint: { epoch: number; root: string }): CachedBeaconState {
    const entry = this.entries.get(checkpoint.root) ?? this.entries.get(this.anchorRoot)!;
    const state = entry.postPayload ?? entry.postBlock;
    const epochStart = computeStartSlotAtEpoch(this.ctx, checkpoint.epoch);
    return state.state.slot < epochStart ? processSlotsCopy(state, epochStart) : state;
  }

  /** The fork-choice head and the state to build on it. */
  head(): Head & { state: CachedBeaconState } {
    const head = this.forkChoice.getHead();
    return { ...head, state: this.stateFor(head.root, head.payloadStatus) };
  }

  /**
   * @param trusted the block comes from this node's own database: its signatures were verified when
   *   it was first imported, so a restart replays it without verifying them again.
   */
  importBlock(signedBlock: SignedBeaconBlock, trusted = false): BlockEntry {
    // Judge the block against the clock as it is now, not as of the last interval tick
    this.forkChoice.onTick(Math.max(this.now(), this.forkChoice.time));
    const block = signedBlock.message;
    const root = toHex(this.ctx.ssz.BeaconBlock.hashTreeRoot(block));
    if (this.entries.has(root)) throw new ChainError(ChainErrorCode.ALREADY_KNOWN, "block already imported", { root });
    const parentRoot = toHex(block.parent_root);
    const parent = this.entries.get(parentRoot);
    if (!parent) throw new ChainError(ChainErrorCode.UNKNOWN_PARENT, "parent block unknown", { root, parentRoot });
    const onFull = this.buildsOnFull(signedBlock, parent);
    if (onFull && !parent.payloadKnown) {
      throw new ChainError(ChainErrorCode.PARENT_PAYLOAD_UNKNOWN, "block builds on a payload not seen yet", {
        root,
        parentRoot,
      });
    }
    const pre = this.regenerate(parent, onFull);
    const postBlock = stateTransition(pre, signedBlock, { verifySignatures: !trusted });
    this.forkChoice.onBlock(blockImportFromState(signedBlock, postBlock));
    for (const attestation of block.body.attestations) {
      try {
        this.forkChoice.onAttestation(attestationVote(postBlock, attestation), true);
      } catch {
        // A vote fork choice cannot use (e.g. for a pruned block) still counted in the state
      }
    }
    // Validators caught equivocating lose their fork-choice weight
    for (const slashing of block.body.attester_slashings) {
      const second = new Set(slashing.attestation_2.attesting_indices);
      this.forkChoice.onAttesterSlashing(slashing.attestation_1.attesting_indices.filter((i) => second.has(i)));
    }
    for (const p of block.body.payload_attestations) {
      try {
        this.forkChoice.onPayloadAttestation(payloadAttestationVote(p), true);
      } catch {
        // as above
      }
    }
    const entry = new BlockEntry(this, root, signedBlock);
    this.states.set(StateCache.key(root, false), postBlock);
    this.entries.set(root, entry);
    this.emit("block", entry);
    this.updateHead();
    return entry;
  }

  importEnvelope(signedEnvelope: SignedExecutionPayloadEnvelope, trusted = false): BlockEntry {
    this.forkChoice.onTick(Math.max(this.now(), this.forkChoice.time));
    const root = toHex(signedEnvelope.message.beacon_block_root);
    const entry = this.entries.get(root);
    if (!entry) throw new ChainError(ChainErrorCode.UNKNOWN_BLOCK, "envelope for an unknown block", { root });
    if (entry.payloadKnown) throw new ChainError(ChainErrorCode.ALREADY_KNOWN, "payload already imported", { root });
    const postPayload = stateTransitionEnvelope(entry.postBlock, signedEnvelope, this.engine, {
      verifySignature: !trusted,
    });
    entry.envelope = signedEnvelope;
    entry.payloadKnown = true;
    this.states.set(StateCache.key(root, true), postPayload);
    this.forkChoice.onExecutionPayload(root);
    this.emit("payload", entry);
    this.updateHead();
    return entry;
  }

  updateHead(): Head {
    const head = this.forkChoice.getHead();
    if (
      this.lastHead === null ||
      this.lastHead.root !== head.root ||
      this.lastHead.payloadStatus !== head.payloadStatus
    ) {
      this.lastHead = head;
      this.emit("head", head);
    }
    const finalized = this.forkChoice.finalized;
    if (finalized.epoch > this.lastFinalizedEpoch) {
      this.lastFinalizedEpoch = finalized.epoch;
      this.emit("finalized", finalized);
      this.pruneStates(finalized.epoch * this.ctx.preset.SLOTS_PER_EPOCH);
    }
    return head;
  }

  /** Forget blocks before the finalized slot (they stay in the database); pin the finalized states. */
  private pruneStates(finalizedSlot: number): void {
    const finalizedRoot = this.forkChoice.finalized.root;
    for (const [root, entry] of this.entries) {
      if (entry.slot < finalizedSlot && root !== finalizedRoot && root !== this.anchorRoot) {
        this.entries.delete(root);
        this.states.delete(StateCache.key(root, false));
        this.states.delete(StateCache.key(root, true));
      }
    }
    const keys = [this.anchorRoot, finalizedRoot].flatMap((r) => [StateCache.key(r, false), StateCache.key(r, true)]);
    // Touch the finalized states so that pinning finds them cached
    const finalized = this.entries.get(finalizedRoot);
    if (finalized) this.regenerate(finalized, finalized.payloadKnown);
    this.states.pin(keys);
  }

  /** Whether `block` builds on its parent's FULL variant: its commitment extends the parent's committed payload. */
  private buildsOnFull(block: SignedBeaconBlock, parent: BlockEntry): boolean {
    const parentCommitted =
      parent.root === this.anchorRoot
        ? this.anchor.state.latest_payload_commitment.toValue()
        : parent.block.message.body.signed_payload_commitment.message;
    if (isEmptyCommitment(parentCommitted)) return false;
    return (
      toHex(block.message.body.signed_payload_commitment.message.parent_block_hash) ===
      toHex(parentCommitted.block_hash)
    );
  }

  /**
   * The post-block (or post-payload) state of `entry`: from the cache, or replayed from the
   * nearest ancestor whose state is cached, through stored blocks and envelopes (already verified).
   */
  regenerate(entry: BlockEntry, full: boolean): CachedBeaconState {
    const cached = this.states.get(StateCache.key(entry.root, full));
    if (cached) return cached;
    // Walk back to a cached state, noting which variant each step needs
    const path: { entry: BlockEntry; full: boolean }[] = [];
    let current = entry;
    let needFull = full;
    while (!this.states.has(StateCache.key(current.root, needFull))) {
      path.push({ entry: current, full: needFull });
      const parent = this.entries.get(toHex(current.block.message.parent_root));
      if (!parent || current.root === this.anchorRoot) {
        throw new ChainError(ChainErrorCode.PRUNED, "no ancestor state to regenerate from", { root: entry.root });
      }
      needFull = this.buildsOnFull(current.block, parent);
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
