import { EventEmitter } from "node:events";
import {
  type AttestationVote,
  anchorFromState,
  attestationVote,
  blockImportFromState,
  ForkChoice,
  ForkChoiceErrorCode,
  type Head,
  justifiedBalancesFromState,
  PayloadStatus,
  payloadAttestationVote,
  slotCommitteesFromState,
} from "@turnstile/fork-choice";
import {
  BlockError,
  BlockErrorCode,
  type CachedBeaconState,
  type ChainContext,
  computeStartSlotAtEpoch,
  DeterministicExecutionEngine,
  EnvelopeError,
  EnvelopeErrorCode,
  isEmptyCommitment,
  processSlotsCopy,
  type SignatureSet,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  type StateTransitionOptions,
  stateTransition,
  stateTransitionEnvelope,
  toHex,
  verifySignatureSets,
} from "@turnstile/ticket-state";
import { ChainError, ChainErrorCode } from "./errors.ts";
import { StateCache } from "./stateCache.ts";

/** Votes kept waiting for payloads not seen yet (a few slots' worth of a 16k-validator committee set). */
const MAX_VOTES_AWAITING_PAYLOAD = 8192;

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

/** What checking a block needs of its parent, stored or checked earlier in the same segment. */
interface ParentView {
  root: string;
  block: SignedBeaconBlock;
  payloadKnown: boolean;
  state: (full: boolean) => CachedBeaconState;
}

/** What storing a segment did: `imported` blocks from its start are in the chain, `added` of them new. */
export interface SegmentOutcome {
  imported: number;
  added: number;
  error: unknown;
}

/** A run of blocks whose state transitions ran, waiting for their signatures to be verified. */
export interface CheckedSegment {
  items: CheckedItem[];
  /** Every signature the segment's blocks and envelopes carry, in order. */
  signatureSets: SignatureSet[];
  /** Why checking stopped early (the items before it are good), or null. */
  error: unknown;
  /** The checked blocks by root, as parents for the blocks after them. */
  checked: Map<string, ParentView>;
}

/** A segment item whose state transitions ran, waiting for the segment's signatures. */
interface CheckedItem {
  root: string;
  block: SignedBeaconBlock;
  /** Null when the block was already stored. */
  postBlock: CachedBeaconState | null;
  /** How many of the segment's signature sets exist once this block's are added. */
  blockSetsEnd: number;
  envelope: { signed: SignedExecutionPayloadEnvelope; post: CachedBeaconState; setsEnd: number } | null;
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
        slotCommittees: (root, slot) => {
          const entry = this.entries.get(root);
          return entry ? slotCommitteesFromState(entry.postBlock, slot) : [];
        },
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

  /**
   * Votes for a payload (index 1) that fork choice has not seen yet, by block root: they count once
   * the payload arrives (Gloas lets clients queue them). Bounded; the oldest go first.
   */
  private readonly votesAwaitingPayload = new Map<string, { vote: AttestationVote; fromBlock: boolean }[]>();
  private awaitingVotes = 0;

  private applyVote(vote: AttestationVote, fromBlock = false): void {
    try {
      this.forkChoice.onAttestation(vote, fromBlock);
    } catch (e) {
      if ((e as { code?: string }).code === ForkChoiceErrorCode.PAYLOAD_UNKNOWN) this.awaitPayload(vote, fromBlock);
      // Otherwise a vote for a block pruned meanwhile, or already too old: it no longer matters
    }
  }

  private awaitPayload(vote: AttestationVote, fromBlock: boolean): void {
    if (this.awaitingVotes >= MAX_VOTES_AWAITING_PAYLOAD) {
      const [oldest, votes] = this.votesAwaitingPayload.entries().next().value!;
      this.awaitingVotes -= votes.length;
      this.votesAwaitingPayload.delete(oldest);
    }
    const votes = this.votesAwaitingPayload.get(vote.beaconBlockRoot) ?? [];
    votes.push({ vote, fromBlock });
    this.votesAwaitingPayload.set(vote.beaconBlockRoot, votes);
    this.awaitingVotes++;
  }

  /** The votes that waited for this block's payload, now that fork choice has it. */
  private applyVotesAwaiting(root: string): void {
    const votes = this.votesAwaitingPayload.get(root);
    if (!votes) return;
    this.votesAwaitingPayload.delete(root);
    this.awaitingVotes -= votes.length;
    for (const { vote, fromBlock } of votes) this.applyVote(vote, fromBlock);
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
    const root = toHex(this.ctx.ssz.BeaconBlock.hashTreeRoot(signedBlock.message));
    const parent = this.entries.get(toHex(signedBlock.message.parent_root));
    const postBlock = this.checkBlock(signedBlock, root, parent && this.parentOf(parent), {
      verifySignatures: !trusted,
    });
    const entry = this.commitBlock(signedBlock, root, postBlock);
    this.updateHead();
    return entry;
  }

  importEnvelope(signedEnvelope: SignedExecutionPayloadEnvelope, trusted = false): BlockEntry {
    this.forkChoice.onTick(Math.max(this.now(), this.forkChoice.time));
    const entry = this.entryForEnvelope(signedEnvelope);
    const postPayload = stateTransitionEnvelope(entry.postBlock, signedEnvelope, this.engine, {
      verifySignature: !trusted,
    });
    this.commitEnvelope(entry, signedEnvelope, postPayload);
    this.updateHead();
    return entry;
  }

  /**
   * Import a run of blocks in slot order with the payload envelopes revealed for them (matched by
   * block root), as range sync receives them: every state transition first, then all their
   * signatures in one batch, then fork choice and storage in order. A batch costs about a third
   * of verifying block by block. Stops at the first block or envelope that fails (its descendants
   * would fail too); what came before it is imported.
   */
  importSegment(blocks: SignedBeaconBlock[], envelopes: SignedExecutionPayloadEnvelope[]): SegmentOutcome {
    const segment = this.checkSegment(blocks, envelopes);
    return this.commitSegment(segment, verifySignatureSets(segment.signatureSets));
  }

  /**
   * The first half of `importSegment`: run the state transitions and collect the signature sets,
   * storing nothing. `previous`, a segment checked earlier whose signatures are still being
   * verified, provides the parent states, so that checking overlaps verification.
   * Blocks already stored are skipped; their missing envelopes are still checked.
   */
  checkSegment(
    blocks: SignedBeaconBlock[],
    envelopes: SignedExecutionPayloadEnvelope[],
    previous?: CheckedSegment,
  ): CheckedSegment {
    this.forkChoice.onTick(Math.max(this.now(), this.forkChoice.time));
    const envelopeOf = new Map(envelopes.map((e) => [toHex(e.message.beacon_block_root), e]));
    const segment: CheckedSegment = { items: [], signatureSets: [], error: null, checked: new Map() };
    const sets = segment.signatureSets;
    for (const block of blocks) {
      const root = toHex(this.ctx.ssz.BeaconBlock.hashTreeRoot(block.message));
      const envelope = envelopeOf.get(root);
      const known = this.entries.get(root);
      try {
        let postBlock: CachedBeaconState | null = null;
        if (!known) {
          const parentRoot = toHex(block.message.parent_root);
          const stored = this.entries.get(parentRoot);
          const parent =
            segment.checked.get(parentRoot) ?? previous?.checked.get(parentRoot) ?? (stored && this.parentOf(stored));
          postBlock = this.checkBlock(block, root, parent, { deferSignatures: sets });
        }
        const item: CheckedItem = { root, block, postBlock, blockSetsEnd: sets.length, envelope: null };
        segment.items.push(item);
        const preEnvelope = postBlock ?? (known && !known.payloadKnown ? known.postBlock : null);
        if (envelope && preEnvelope) {
          item.envelope = {
            signed: envelope,
            post: stateTransitionEnvelope(preEnvelope, envelope, this.engine, { deferSignatures: sets }),
            setsEnd: sets.length,
          };
        }
        // Later blocks build on it (a stored block too, when this segment brings its payload)
        const pre = postBlock ?? (item.envelope ? preEnvelope : null);
        if (pre) {
          const payload = item.envelope?.post ?? null;
          segment.checked.set(root, {
            root,
            block,
            payloadKnown: payload !== null,
            state: (full) => (full && payload ? payload : pre),
          });
        }
      } catch (e) {
        segment.error = e;
        break;
      }
    }
    return segment;
  }

  /**
   * The second half of `importSegment`, once the segment's signatures were verified: `invalidSet`
   * is the index of the first invalid set (-1 when all are valid); everything before it is stored.
   * What the chain learnt meanwhile (e.g. the same block from gossip) is skipped.
   */
  commitSegment(segment: CheckedSegment, invalidSet: number): SegmentOutcome {
    // Timeliness (proposer boost, PTC) is judged now, not as of the check
    this.forkChoice.onTick(Math.max(this.now(), this.forkChoice.time));
    const { signatureSets: sets } = segment;
    const goodSets = invalidSet < 0 ? sets.length : invalidSet;
    let imported = 0;
    let added = 0;
    let error = segment.error;
    try {
      for (const item of segment.items) {
        if (item.blockSetsEnd > goodSets) {
          const kind = sets[invalidSet].kind;
          throw new BlockError(BlockErrorCode.INVALID_SIGNATURE, `invalid ${kind} signature`, {
            kind,
            root: item.root,
          });
        }
        const stored = this.entries.get(item.root);
        const entry = stored ?? (item.postBlock && this.commitBlock(item.block, item.root, item.postBlock));
        if (!stored && entry) added++;
        if (!entry) throw new ChainError(ChainErrorCode.UNKNOWN_BLOCK, "block left the chain", { root: item.root });
        imported++;
        if (item.envelope && !entry.payloadKnown) {
          if (item.envelope.setsEnd > goodSets) {
            throw new EnvelopeError(EnvelopeErrorCode.INVALID_SIGNATURE, "envelope signature is invalid", {
              root: item.root,
            });
          }
          this.commitEnvelope(entry, item.envelope.signed, item.envelope.post);
        }
      }
    } catch (e) {
      error = e;
    }
    try {
      this.updateHead();
    } catch (e) {
      error ??= e;
    }
    return { imported, added, error };
  }

  /** A stored block as the parent of a block being checked. */
  private parentOf(entry: BlockEntry): ParentView {
    return {
      root: entry.root,
      block: entry.block,
      payloadKnown: entry.payloadKnown,
      state: (full) => this.regenerate(entry, full),
    };
  }

  /** Run the state transition for a block on its parent's state; nothing is stored. */
  private checkBlock(
    signedBlock: SignedBeaconBlock,
    root: string,
    parent: ParentView | undefined,
    opts: StateTransitionOptions,
  ): CachedBeaconState {
    if (this.entries.has(root)) throw new ChainError(ChainErrorCode.ALREADY_KNOWN, "block already imported", { root });
    const parentRoot = toHex(signedBlock.message.parent_root);
    if (!parent) throw new ChainError(ChainErrorCode.UNKNOWN_PARENT, "parent block unknown", { root, parentRoot });
    const onFull = this.buildsOnFull(signedBlock, parent);
    if (onFull && !parent.payloadKnown) {
      throw new ChainError(ChainErrorCode.PARENT_PAYLOAD_UNKNOWN, "block builds on a payload not seen yet", {
        root,
        parentRoot,
      });
    }
    return stateTransition(parent.state(onFull), signedBlock, opts);
  }

  /** Hand a checked block to fork choice (with the votes it carries) and store it. */
  private commitBlock(signedBlock: SignedBeaconBlock, root: string, postBlock: CachedBeaconState): BlockEntry {
    const block = signedBlock.message;
    this.forkChoice.onBlock(blockImportFromState(signedBlock, postBlock, root));
    // A vote fork choice cannot use (e.g. for a pruned block) still counted in the state
    for (const attestation of block.body.attestations) this.applyVote(attestationVote(postBlock, attestation), true);
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
    return entry;
  }

  /** The stored block an envelope reveals the payload of, if that payload is still unknown. */
  private entryForEnvelope(signedEnvelope: SignedExecutionPayloadEnvelope): BlockEntry {
    const root = toHex(signedEnvelope.message.beacon_block_root);
    const entry = this.entries.get(root);
    if (!entry) throw new ChainError(ChainErrorCode.UNKNOWN_BLOCK, "envelope for an unknown block", { root });
    if (entry.payloadKnown) throw new ChainError(ChainErrorCode.ALREADY_KNOWN, "payload already imported", { root });
    return entry;
  }

  private commitEnvelope(
    entry: BlockEntry,
    signedEnvelope: SignedExecutionPayloadEnvelope,
    postPayload: CachedBeaconState,
  ): void {
    entry.envelope = signedEnvelope;
    entry.payloadKnown = true;
    this.states.set(StateCache.key(entry.root, true), postPayload);
    this.forkChoice.onExecutionPayload(entry.root);
    this.applyVotesAwaiting(entry.root);
    this.emit("payload", entry);
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
  private buildsOnFull(block: SignedBeaconBlock, parent: { root: string; block: SignedBeaconBlock }): boolean {
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
