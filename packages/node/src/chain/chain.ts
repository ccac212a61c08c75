import { EventEmitter } from "node:events";
import {
  anchorFromState,
  attestationVote,
  blockImportFromState,
  ForkChoice,
  ForkChoiceError,
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
  computeEpochAtSlot,
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
import { StateRegen } from "./regen.ts";
import { findReorg, type Reorg } from "./reorg.ts";
import { StateCache } from "./stateCache.ts";
import { VoteQueue } from "./votes/voteQueue.ts";

/** States kept in memory by default; older ones are regenerated from blocks when asked for. */
export const DEFAULT_MAX_STATES = 96;

/** Branches whose next-epoch proposers are remembered (a few forks across a couple of epochs). */
const MAX_PROPOSER_BRANCHES = 16;

/**
 * A block the chain has imported and, once revealed, its payload. Its states are asked of
 * `chain.regen` (cached, or replayed from its ancestors' blocks when they were evicted).
 */
export class BlockEntry {
  readonly root: string;
  readonly block: SignedBeaconBlock;
  envelope: SignedExecutionPayloadEnvelope | null = null;
  /** The FULL variant exists: the envelope was imported (or, for the anchor, the state is post-payload). */
  payloadKnown = false;

  constructor(root: string, block: SignedBeaconBlock) {
    this.root = root;
    this.block = block;
  }

  get slot(): number {
    return this.block.message.slot;
  }
}

/** What a gossip validator already established about a block, so that the import does not repeat it. */
export interface PrecheckedBlock {
  root: string;
  /** The proposer's signature was verified (the state transition verifies the block's other signatures). */
  proposerSignatureVerified: boolean;
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
  reorg: [reorg: Reorg];
  finalized: [checkpoint: { epoch: number; root: string }];
  /** The EL found imported payloads INVALID: these blocks' FULL variants, and these blocks, left the head race. */
  invalidPayload: [invalidated: InvalidatedPayloads];
}

/** What an INVALID verdict on an optimistically imported payload took out of fork choice. */
export interface InvalidatedPayloads {
  blockHash: string;
  latestValidHash: string | null;
  /** Blocks whose payloads are invalid (their FULL variants are out). */
  payloads: string[];
  /** Blocks built on an invalid payload (out altogether). */
  blocks: string[];
}

/**
 * The import pipeline: validate with the state transition, hand to fork choice, keep states.
 * Objects that fail throw a typed error (ChainError or the state transition's) and change nothing.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly ctx: ChainContext;
  readonly engine: DeterministicExecutionEngine;
  readonly forkChoice: ForkChoice;
  /** Votes on their way to fork choice: waiting for their slot to pass or their payload, and what became of each. */
  readonly votes: VoteQueue;
  readonly anchor: CachedBeaconState;
  private readonly entries = new Map<string, BlockEntry>();
  readonly states: StateCache;
  /** Makes the states of imported blocks, explicitly: nothing else replays blocks. */
  readonly regen: StateRegen;
  /**
   * Proposers of an epoch by the branch they were computed on ("epoch:parentRoot:variant" of the
   * epoch's first block): a later block of that epoch on another child of the same parent is
   * checked without running the epoch transition again.
   */
  private readonly proposersByBranch = new Map<string, readonly number[]>();
  /** Root of the anchor block (genesis or the finalized block a restart resumed from). */
  readonly anchorRoot: string;
  private lastHead: Head | null = null;
  private readonly now: () => number;
  private lastFinalizedEpoch = 0;

  /**
   * @param anchor genesis, or the finalized state a restarted node resumes from
   * @param engine the execution engine (default: the deterministic one, which learns its genesis here)
   */
  constructor(
    ctx: ChainContext,
    anchor: CachedBeaconState,
    now: () => number = () => Date.now() / 1000,
    maxStates = DEFAULT_MAX_STATES,
    engine?: DeterministicExecutionEngine,
  ) {
    super();
    this.ctx = ctx;
    this.anchor = anchor;
    this.now = now;
    if (engine) this.engine = engine;
    else {
      this.engine = new DeterministicExecutionEngine(ctx);
      this.engine.genesisPayload(anchor.state.genesis_time);
    }
    const anchorBlock = anchorFromState(anchor);
    this.anchorRoot = anchorBlock.root;
    this.states = new StateCache(maxStates);
    this.regen = new StateRegen(this, this.states, this.engine);
    const anchorEntry = new BlockEntry(anchorBlock.root, {
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
          return this.entries.has(root) ? slotCommitteesFromState(this.regen.getPostState(root, false), slot) : [];
        },
      },
      anchorBlock,
      (checkpoint) => justifiedBalancesFromState(this.stateOfCheckpoint(checkpoint)),
    );
    this.forkChoice.onTick(Math.max(now(), anchor.state.genesis_time));
    this.votes = new VoteQueue(this.forkChoice);
  }

  onTick(time: number): void {
    this.forkChoice.onTick(time);
    this.votes.onTick();
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
    return this.regen.getPostState(root, status === PayloadStatus.FULL && entry.payloadKnown);
  }

  /** A checkpoint's state: its block's state advanced to the epoch's first slot (what get_weight reads). */
  private stateOfCheckpoint(checkpoint: { epoch: number; root: string }): CachedBeaconState {
    const root = this.entries.has(checkpoint.root) ? checkpoint.root : this.anchorRoot;
    const state = this.regen.getLatestState(root);
    const epochStart = computeStartSlotAtEpoch(this.ctx, checkpoint.epoch);
    return state.state.slot < epochStart ? processSlotsCopy(state, epochStart) : state;
  }

  /** The fork-choice head and the state to build on it. */
  head(): Head & { state: CachedBeaconState } {
    const head = this.forkChoice.getHead();
    return { ...head, state: this.stateFor(head.root, head.payloadStatus) };
  }

  /**
   * @param trusted the block comes from this node's own database or duties: its signatures were
   *   verified when it was first imported (or we made them), so they are not verified again.
   * @param prechecked what gossip validation already established (its root, the proposer's signature)
   */
  importBlock(signedBlock: SignedBeaconBlock, trusted = false, prechecked?: PrecheckedBlock): BlockEntry {
    // Judge the block against the clock as it is now, not as of the last interval tick
    this.forkChoice.onTick(Math.max(this.now(), this.forkChoice.time));
    const root = prechecked?.root ?? toHex(this.ctx.ssz.BeaconBlock.hashTreeRoot(signedBlock.message));
    const parent = this.entries.get(toHex(signedBlock.message.parent_root));
    let postBlock: CachedBeaconState;
    if (trusted || !prechecked?.proposerSignatureVerified) {
      postBlock = this.checkBlock(signedBlock, root, parent && this.parentOf(parent), { verifySignatures: !trusted });
    } else {
      // The proposer's signature was verified by gossip validation: batch-verify only the others
      const sets: SignatureSet[] = [];
      postBlock = this.checkBlock(signedBlock, root, parent && this.parentOf(parent), { deferSignatures: sets });
      const others = sets.filter((set) => set.kind !== "block_proposer");
      const invalid = verifySignatureSets(others);
      if (invalid >= 0) {
        throw new BlockError(BlockErrorCode.INVALID_SIGNATURE, `invalid ${others[invalid].kind} signature`, {
          kind: others[invalid].kind,
          root,
        });
      }
    }
    const entry = this.commitBlock(signedBlock, root, postBlock);
    this.updateHead();
    return entry;
  }

  /**
   * @param trusted made by this node or replayed from its database: the signature is not verified
   * @param signatureVerified gossip validation already verified the envelope's signature
   */
  importEnvelope(
    signedEnvelope: SignedExecutionPayloadEnvelope,
    trusted = false,
    signatureVerified = false,
  ): BlockEntry {
    this.forkChoice.onTick(Math.max(this.now(), this.forkChoice.time));
    const entry = this.entryForEnvelope(signedEnvelope);
    const postBlock = this.regen.getPostState(entry.root, false);
    const postPayload = stateTransitionEnvelope(postBlock, signedEnvelope, this.engine, {
      verifySignature: !trusted && !signatureVerified,
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
        const preEnvelope =
          postBlock ?? (known && !known.payloadKnown ? this.regen.getPostState(known.root, false) : null);
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
      state: (full) => this.regen.getPostState(entry.root, full),
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
    const { slot } = signedBlock.message;
    // Before any state transition: processing slots up to a far-future (or 2^64-1, decoded as
    // Infinity) slot would cost without bound, and fork choice refuses such a block afterwards anyway
    if (!(slot <= this.forkChoice.currentSlot)) {
      throw new ChainError(ChainErrorCode.FUTURE_SLOT, "block is from a future slot", {
        slot,
        currentSlot: this.forkChoice.currentSlot,
      });
    }
    const finalizedSlot = computeStartSlotAtEpoch(this.ctx, this.forkChoice.finalized.epoch);
    if (slot <= finalizedSlot) {
      throw new ChainError(ChainErrorCode.NOT_AFTER_FINALIZED, "block is not after the finalized slot", {
        slot,
        finalizedSlot,
      });
    }
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
    for (const attestation of block.body.attestations) this.votes.addFromBlock(attestationVote(postBlock, attestation));
    // Validators caught equivocating lose their fork-choice weight
    for (const slashing of block.body.attester_slashings) {
      const second = new Set(slashing.attestation_2.attesting_indices);
      this.forkChoice.onAttesterSlashing(slashing.attestation_1.attesting_indices.filter((i) => second.has(i)));
    }
    for (const p of block.body.payload_attestations) this.votes.addPayloadVote(payloadAttestationVote(p), "block");
    this.rememberProposers(signedBlock, postBlock);
    const entry = new BlockEntry(root, signedBlock);
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
    this.votes.onPayload(entry.root);
    this.emit("payload", entry);
  }

  /** Payloads the EL found INVALID after they were imported optimistically, since start (metrics). */
  invalidatedPayloadCount = 0;

  /**
   * The execution layer answered INVALID for payload `blockHash` after it was imported
   * optimistically: fork choice drops it (and, per `latestValidHash`, its payload ancestors back to
   * that one) with every block built on them, and the head moves off them. A hash no block commits
   * to changes nothing and returns null.
   */
  onInvalidPayload(blockHash: string, latestValidHash: string | null): InvalidatedPayloads | null {
    let out: { payloads: string[]; blocks: string[] };
    try {
      out = this.forkChoice.onInvalidPayload(blockHash, latestValidHash);
    } catch (e) {
      if (e instanceof ForkChoiceError && e.code === ForkChoiceErrorCode.UNKNOWN_PAYLOAD) return null;
      throw e;
    }
    const invalidated = { blockHash, latestValidHash, ...out };
    this.invalidatedPayloadCount += out.payloads.length;
    if (out.payloads.length > 0 || out.blocks.length > 0) this.emit("invalidPayload", invalidated);
    this.updateHead();
    return invalidated;
  }

  updateHead(): Head {
    const head = this.forkChoice.getHead();
    if (
      this.lastHead === null ||
      this.lastHead.root !== head.root ||
      this.lastHead.payloadStatus !== head.payloadStatus
    ) {
      const reorg = this.lastHead && findReorg(this.forkChoice.protoArray, this.lastHead, head);
      this.lastHead = head;
      this.emit("head", head);
      if (reorg) this.emit("reorg", reorg);
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
    if (this.entries.has(finalizedRoot)) this.regen.getLatestState(finalizedRoot);
    this.states.pin(keys);
    for (const key of this.proposersByBranch.keys()) {
      if (Number(key.split(":")[0]) < this.forkChoice.finalized.epoch) this.proposersByBranch.delete(key);
    }
  }

  /**
   * The proposer of `slot` on the branch that continues `parentRoot` (its `full` variant), when
   * known without running an epoch transition: from the parent's state when the slot is in the
   * parent state's epoch, else from the proposers remembered for that branch. Undefined otherwise
   * (the state transition then checks it). Throws as `regen.getPostState` does.
   */
  knownProposer(parentRoot: string, full: boolean, slot: number): number | undefined {
    const epoch = computeEpochAtSlot(this.ctx, slot);
    const parentState = this.regen.getPostState(parentRoot, full);
    if (parentState.epochCtx.epoch === epoch) return parentState.epochCtx.getBeaconProposer(slot);
    return this.proposersByBranch.get(`${epoch}:${parentRoot}:${full}`)?.[slot % this.ctx.preset.SLOTS_PER_EPOCH];
  }

  /** A block that opened an epoch on its branch: its epoch's proposers, for the other children of its parent. */
  private rememberProposers(signedBlock: SignedBeaconBlock, postBlock: CachedBeaconState): void {
    const parentRoot = toHex(signedBlock.message.parent_root);
    const parent = this.entries.get(parentRoot);
    if (!parent) return;
    const epoch = postBlock.epochCtx.epoch;
    if (computeEpochAtSlot(this.ctx, parent.slot) >= epoch) return;
    const key = `${epoch}:${parentRoot}:${this.buildsOnFull(signedBlock, parent)}`;
    this.proposersByBranch.set(key, postBlock.epochCtx.proposers);
    if (this.proposersByBranch.size > MAX_PROPOSER_BRANCHES) {
      this.proposersByBranch.delete(this.proposersByBranch.keys().next().value as string);
    }
  }

  /** Whether `block` builds on its parent's FULL variant: its commitment extends the parent's committed payload. */
  buildsOnFull(block: SignedBeaconBlock, parent: { root: string; block: SignedBeaconBlock }): boolean {
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
}
