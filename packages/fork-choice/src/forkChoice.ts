import { ForkChoiceError, ForkChoiceErrorCode } from "./errors.ts";
import { type CheckpointHex, type HeadContext, PayloadStatus, ProtoArray, type ProtoBlock } from "./protoArray.ts";

const GENESIS_EPOCH = 0;
/** Fork-choice constants of the consensus specs. */
export const PROPOSER_SCORE_BOOST = 40;
/** Percent of one slot's committee weight under which a head counts as weak (`is_head_weak`). */
export const REORG_HEAD_WEIGHT_THRESHOLD = 20;
export const INTERVALS_PER_SLOT = 4;
/** The PTC votes at the last interval: a block seen before it is timely for the PTC. */
const PTC_INTERVAL = 3;

export interface ForkChoiceConfig {
  slotsPerEpoch: number;
  secondsPerSlot: number;
  ptcSize: number;
  genesisTime: number;
  /**
   * The validators of every committee of `slot`, as the state of block `root` shuffles them: the
   * weight of equivocators among a weak head's committees counts for it (`is_head_weak`). Without
   * it that weight is left out.
   */
  slotCommittees?: (root: string, slot: number) => ArrayLike<number>;
}

/** A block as the node hands it over after its state transition succeeded. */
export type BlockImport = Omit<ProtoBlock, "payloadKnown" | "ptcTimely">;

export interface AttestationVote {
  /** Validators that voted, already checked against the committee and signature by the caller. */
  attestingIndices: ArrayLike<number>;
  slot: number;
  /** 1 = the attested block's payload is present (FULL), 0 = EMPTY (same-slot votes carry 0). */
  index: number;
  beaconBlockRoot: string;
  target: CheckpointHex;
}

export interface PayloadVote {
  beaconBlockRoot: string;
  slot: number;
  payloadPresent: boolean;
  /** Positions in the slot's PTC of the members that voted. */
  ptcIndices: ArrayLike<number>;
}

export interface Head {
  root: string;
  slot: number;
  payloadStatus: PayloadStatus;
}

interface Vote {
  /** Node index the validator's weight sits on now, and where it moves at the next head computation. */
  current: number | undefined;
  next: number | undefined;
  slot: number;
}

/**
 * The fork-choice store of the consensus specs (Gloas shape) over a proto-array:
 * LMD-GHOST on (block, payload status) nodes, Casper FFG filtering with unrealized
 * justification, proposer boost, equivocation discounting and pruning at finalization.
 * Every handler either applies its message or throws a ForkChoiceError and changes nothing.
 */
export class ForkChoice {
  readonly config: ForkChoiceConfig;
  readonly protoArray = new ProtoArray();
  time: number;
  justified: CheckpointHex;
  finalized: CheckpointHex;
  unrealizedJustified: CheckpointHex;
  unrealizedFinalized: CheckpointHex;
  proposerBoostRoot: string | null = null;
  readonly equivocating = new Set<number>();
  private readonly votes: Vote[] = [];
  /** Effective balances of the justified checkpoint's state, and the ones currently applied. */
  private justifiedBalances: number[];
  private appliedBalances: number[] = [];
  private appliedBoost: { index: number; score: number } | null = null;
  private readonly ptcVotes = new Map<string, (boolean | null)[]>();
  private readonly getJustifiedBalances: (checkpoint: CheckpointHex) => number[];

  /**
   * @param anchor the anchor block (genesis or a finalized checkpoint block); `payloadKnown` when
   *   its payload has been revealed in the anchor state.
   * @param getJustifiedBalances effective balance of every validator in a checkpoint's state,
   *   0 for inactive or slashed ones.
   */
  constructor(
    config: ForkChoiceConfig,
    anchor: ProtoBlock,
    getJustifiedBalances: (checkpoint: CheckpointHex) => number[],
  ) {
    this.config = config;
    this.getJustifiedBalances = getJustifiedBalances;
    this.time = config.genesisTime + anchor.slot * config.secondsPerSlot;
    // The anchor is trusted: its block is both the justified and the finalized checkpoint
    const checkpoint = { epoch: anchor.justified.epoch, root: anchor.root };
    this.justified = checkpoint;
    this.finalized = { epoch: anchor.finalized.epoch, root: anchor.root };
    this.unrealizedJustified = this.justified;
    this.unrealizedFinalized = this.finalized;
    this.protoArray.addBlock({ ...anchor }, undefined);
    this.ptcVotes.set(anchor.root, new Array(config.ptcSize).fill(null));
    this.justifiedBalances = getJustifiedBalances(checkpoint);
    this.balancesCheckpoint = `${checkpoint.epoch}:${checkpoint.root}`;
  }

  get currentSlot(): number {
    return Math.floor((this.time - this.config.genesisTime) / this.config.secondsPerSlot);
  }

  get currentEpoch(): number {
    return Math.floor(this.currentSlot / this.config.slotsPerEpoch);
  }

  // ---- on_tick ----

  onTick(time: number): void {
    const tickSlot = Math.floor((time - this.config.genesisTime) / this.config.secondsPerSlot);
    while (this.currentSlot < tickSlot) {
      this.onTickPerSlot(this.config.genesisTime + (this.currentSlot + 1) * this.config.secondsPerSlot);
    }
    this.onTickPerSlot(time);
  }

  private onTickPerSlot(time: number): void {
    const previousSlot = this.currentSlot;
    this.time = time;
    if (this.currentSlot > previousSlot) {
      this.proposerBoostRoot = null;
      if (this.currentSlot % this.config.slotsPerEpoch === 0) {
        this.updateCheckpoints(this.unrealizedJustified, this.unrealizedFinalized);
      }
    }
  }

  // ---- on_block ----

  /** Import a block whose state transition succeeded. */
  onBlock(block: BlockImport): void {
    const parent = this.protoArray.getBlock(block.parentRoot);
    if (parent === undefined) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_PARENT, "parent block is unknown", {
        root: block.root,
        parentRoot: block.parentRoot,
      });
    }
    const parentFull = block.parentBlockHash === parent.committedBlockHash && !isZeroHex(parent.committedBlockHash);
    if (parent.executionInvalid || (parentFull && parent.payloadInvalid)) {
      throw new ForkChoiceError(
        ForkChoiceErrorCode.INVALID_EXECUTION_ANCESTOR,
        "block builds on a payload the execution layer found invalid",
        { root: block.root, parentRoot: block.parentRoot },
      );
    }
    if (parentFull && !parent.payloadKnown) {
      throw new ForkChoiceError(ForkChoiceErrorCode.PARENT_PAYLOAD_UNKNOWN, "block builds on a payload not seen yet", {
        root: block.root,
        parentRoot: block.parentRoot,
      });
    }
    if (block.slot > this.currentSlot) {
      throw new ForkChoiceError(ForkChoiceErrorCode.FUTURE_SLOT, "block is from a future slot", {
        slot: block.slot,
        currentSlot: this.currentSlot,
      });
    }
    const finalizedSlot = this.finalized.epoch * this.config.slotsPerEpoch;
    if (block.slot <= finalizedSlot) {
      throw new ForkChoiceError(ForkChoiceErrorCode.NOT_AFTER_FINALIZED, "block is not after the finalized slot", {
        slot: block.slot,
        finalizedSlot,
      });
    }
    if (this.checkpointBlockRoot(block.parentRoot, this.finalized.epoch) !== this.finalized.root) {
      throw new ForkChoiceError(
        ForkChoiceErrorCode.NOT_FINALIZED_DESCENDANT,
        "block does not descend from the finalized block",
        {
          root: block.root,
        },
      );
    }
    if (this.protoArray.hasBlock(block.root)) return;

    // record_block_timeliness: before the attestation deadline, and before the PTC's
    const timeIntoSlot = (this.time - this.config.genesisTime) % this.config.secondsPerSlot;
    const intervalSeconds = this.config.secondsPerSlot / INTERVALS_PER_SLOT;
    const isCurrentSlot = this.currentSlot === block.slot;
    const isTimely = isCurrentSlot && timeIntoSlot < intervalSeconds;
    const ptcTimely = isCurrentSlot && timeIntoSlot < PTC_INTERVAL * intervalSeconds;
    this.protoArray.addBlock({ ...block, payloadKnown: false, ptcTimely }, parentFull);
    this.ptcVotes.set(block.root, new Array(this.config.ptcSize).fill(null));

    // Proposer boost for the first timely block of the current slot (whether it applies is decided per head)
    if (isTimely && this.proposerBoostRoot === null) this.proposerBoostRoot = block.root;

    this.updateCheckpoints(block.justified, block.finalized);
    // compute_pulled_up_tip
    this.updateUnrealizedCheckpoints(block.unrealizedJustified, block.unrealizedFinalized);
    if (Math.floor(block.slot / this.config.slotsPerEpoch) < this.currentEpoch) {
      this.updateCheckpoints(block.unrealizedJustified, block.unrealizedFinalized);
    }
  }

  /** The payload envelope of `root` was imported: its FULL variant becomes a candidate. */
  onExecutionPayload(root: string): void {
    const block = this.protoArray.getBlock(root);
    if (block === undefined) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_BLOCK, "payload for an unknown block", { root });
    }
    block.payloadKnown = true;
  }

  // ---- optimistic sync: an execution payload found INVALID ----

  /**
   * The execution layer answered INVALID for the payload `blockHash` (consensus-specs
   * sync/optimistic.md, "How to apply latestValidHash"): the payloads from it back to, not
   * including, the ancestor payload `latestValidHash` are invalid; when `latestValidHash` is null
   * or names no ancestor payload, only `blockHash` itself is. Each invalid payload takes its
   * block's FULL variant out of the head race, and every block built on it (or on such a block)
   * with all its variants. The blocks themselves stay (their EMPTY variants remain candidates).
   * Throws UNKNOWN_PAYLOAD, changing nothing, when no block commits to `blockHash`.
   * @returns the roots whose payloads, and the roots whose blocks, were newly invalidated
   */
  onInvalidPayload(blockHash: string, latestValidHash: string | null): { payloads: string[]; blocks: string[] } {
    const pa = this.protoArray;
    const committing = pa.nodes.filter(
      (n) => n.status === PayloadStatus.PENDING && n.block.committedBlockHash === blockHash,
    );
    if (committing.length === 0) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_PAYLOAD, "no block commits to the invalid payload", {
        blockHash,
      });
    }
    const invalid = new Set<ProtoBlock>();
    for (const node of committing) {
      // The payload chain: each payload's parent is the committed payload of the nearest ancestor
      // block reached through a FULL variant
      const chain: ProtoBlock[] = [node.block];
      let reachedLatestValid = false;
      let index: number | undefined = pa.indices.get(node.block.root);
      while (latestValidHash !== null && index !== undefined) {
        const parent = pa.nodes[index].parent;
        if (parent === undefined) break;
        const parentNode = pa.nodes[parent];
        index = ProtoArray.pendingIndexOf(parent, parentNode.status);
        if (parentNode.status !== PayloadStatus.FULL) continue;
        if (parentNode.block.committedBlockHash === latestValidHash) {
          reachedLatestValid = true;
          break;
        }
        chain.push(parentNode.block);
      }
      for (const block of reachedLatestValid ? chain : [node.block]) invalid.add(block);
    }
    const payloads: string[] = [];
    for (const block of invalid) {
      if (block.payloadInvalid) continue;
      block.payloadInvalid = true;
      payloads.push(block.root);
    }
    return { payloads, blocks: pa.invalidateDescendants() };
  }

  /** Whether the execution layer found `root`'s payload invalid, or `root` builds on such a payload. */
  isExecutionInvalid(root: string, status: PayloadStatus): boolean {
    const index = this.protoArray.nodeIndex(root, status);
    return index !== undefined && this.protoArray.isExecutionInvalid(index);
  }

  // ---- on_attestation ----

  onAttestation(vote: AttestationVote, isFromBlock: boolean): void {
    this.validateAttestation(vote, isFromBlock);
    const block = this.protoArray.getBlock(vote.beaconBlockRoot)!;
    // A same-slot vote supports only the block; a later one also says FULL or EMPTY
    const status =
      vote.slot <= block.slot ? PayloadStatus.PENDING : vote.index === 1 ? PayloadStatus.FULL : PayloadStatus.EMPTY;
    const node = this.protoArray.nodeIndex(vote.beaconBlockRoot, status)!;
    for (let i = 0; i < vote.attestingIndices.length; i++) {
      const validator = vote.attestingIndices[i];
      if (this.equivocating.has(validator)) continue;
      const existing = this.votes[validator];
      if (existing === undefined) {
        this.votes[validator] = { current: undefined, next: node, slot: vote.slot };
      } else if (vote.slot > existing.slot) {
        existing.next = node;
        existing.slot = vote.slot;
      }
    }
  }

  private validateAttestation(vote: AttestationVote, isFromBlock: boolean): void {
    const { slotsPerEpoch } = this.config;
    const fail = (code: ForkChoiceErrorCode, message: string) =>
      new ForkChoiceError(code, message, {
        slot: vote.slot,
        beaconBlockRoot: vote.beaconBlockRoot,
        target: vote.target,
      });
    if (!isFromBlock) {
      const current = this.currentEpoch;
      if (vote.target.epoch !== current && vote.target.epoch !== Math.max(current - 1, 0)) {
        throw fail(ForkChoiceErrorCode.BAD_TARGET_EPOCH, "target is neither the current nor the previous epoch");
      }
    }
    if (vote.target.epoch !== Math.floor(vote.slot / slotsPerEpoch)) {
      throw fail(ForkChoiceErrorCode.TARGET_SLOT_MISMATCH, "target epoch is not the vote's epoch");
    }
    if (!this.protoArray.hasBlock(vote.target.root)) {
      throw fail(ForkChoiceErrorCode.UNKNOWN_TARGET, "target block is unknown");
    }
    const block = this.protoArray.getBlock(vote.beaconBlockRoot);
    if (block === undefined) throw fail(ForkChoiceErrorCode.UNKNOWN_BLOCK, "voted block is unknown");
    if (block.slot > vote.slot) throw fail(ForkChoiceErrorCode.BLOCK_AFTER_VOTE, "voted block is newer than the vote");
    if (this.checkpointBlockRoot(vote.beaconBlockRoot, vote.target.epoch) !== vote.target.root) {
      throw fail(ForkChoiceErrorCode.WRONG_TARGET, "target is not the voted block's checkpoint");
    }
    if (this.currentSlot < vote.slot + 1)
      throw fail(ForkChoiceErrorCode.FUTURE_VOTE, "vote for a slot that has not come");
    if (vote.index !== 0 && vote.index !== 1) throw fail(ForkChoiceErrorCode.BAD_PAYLOAD_INDEX, "index must be 0 or 1");
    if (block.slot === vote.slot && vote.index !== 0) {
      throw fail(ForkChoiceErrorCode.SAME_SLOT_FULL_VOTE, "a same-slot vote must carry index 0");
    }
    if (vote.index === 1 && !block.payloadKnown) {
      throw fail(ForkChoiceErrorCode.PAYLOAD_UNKNOWN, "vote for a payload not seen yet");
    }
  }

  // ---- on_payload_attestation_message ----

  /** PTC votes about `beaconBlockRoot`'s payload; only votes of the block's own slot count. */
  onPayloadAttestation(vote: PayloadVote, isFromBlock: boolean): void {
    const block = this.protoArray.getBlock(vote.beaconBlockRoot);
    if (block === undefined) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_BLOCK, "payload vote for an unknown block", {
        beaconBlockRoot: vote.beaconBlockRoot,
      });
    }
    if (vote.slot !== block.slot) return;
    if (!isFromBlock && vote.slot !== this.currentSlot) {
      throw new ForkChoiceError(
        ForkChoiceErrorCode.NOT_CURRENT_SLOT,
        "payload vote from the wire is not for the current slot",
        {
          slot: vote.slot,
          currentSlot: this.currentSlot,
        },
      );
    }
    for (let i = 0; i < vote.ptcIndices.length; i++) {
      if (!(vote.ptcIndices[i] >= 0 && vote.ptcIndices[i] < this.config.ptcSize)) {
        throw new ForkChoiceError(ForkChoiceErrorCode.BAD_PTC_INDEX, "PTC position out of range", {
          ptcIndex: vote.ptcIndices[i],
        });
      }
    }
    const votes = this.ptcVotes.get(vote.beaconBlockRoot)!;
    for (let i = 0; i < vote.ptcIndices.length; i++) votes[vote.ptcIndices[i]] = vote.payloadPresent;
  }

  /** `is_payload_timely`: the payload is known and more than half the PTC saw it in time. */
  isPayloadTimely(root: string): boolean {
    const block = this.protoArray.getBlock(root);
    if (!block?.payloadKnown) return false;
    const votes = this.ptcVotes.get(root) ?? [];
    let present = 0;
    for (const v of votes) if (v === true) present++;
    return present > Math.floor(block.ptcLength / 2);
  }

  /** The PTC's recorded votes about a block's payload (null: no vote heard). */
  getPtcVotes(root: string): readonly (boolean | null)[] | undefined {
    return this.ptcVotes.get(root);
  }

  // ---- on_attester_slashing ----

  /** Validators in both attestations of a valid attester slashing lose their fork-choice weight for good. */
  onAttesterSlashing(indices: ArrayLike<number>): void {
    for (let i = 0; i < indices.length; i++) this.equivocating.add(indices[i]);
  }

  // ---- get_head ----

  getHead(): Head {
    const checkpointKey = `${this.justified.epoch}:${this.justified.root}`;
    if (checkpointKey !== this.balancesCheckpoint) {
      this.justifiedBalances = this.getJustifiedBalances(this.justified);
      this.balancesCheckpoint = checkpointKey;
    }
    const context = this.headContext();
    const deltas = this.computeDeltas();
    if (this.boostDependsOnParentWeight()) {
      // is_head_weak reads the parent's weight from votes alone: settle the votes first
      this.protoArray.applyScoreChanges(deltas, context);
      deltas.fill(0);
    }
    if (this.shouldApplyProposerBoost()) this.addProposerBoost(deltas);
    this.protoArray.applyScoreChanges(deltas, context);
    const start = this.protoArray.nodeIndex(this.justified.root, PayloadStatus.PENDING);
    if (start === undefined) {
      throw new ForkChoiceError(ForkChoiceErrorCode.UNKNOWN_BLOCK, "justified block is not in the store", {
        justified: this.justified,
      });
    }
    const node = this.protoArray.nodes[this.protoArray.findHead(start)];
    return { root: node.block.root, slot: node.block.slot, payloadStatus: node.status };
  }

  /** Which checkpoint `justifiedBalances` were read from ("epoch:root"). */
  private balancesCheckpoint: string | null = null;

  /** Weight of each node (after the last getHead), for inspection and tests. */
  getWeight(root: string, status: PayloadStatus): number | undefined {
    const index = this.protoArray.nodeIndex(root, status);
    return index === undefined ? undefined : this.protoArray.nodes[index].weight;
  }

  private computeDeltas(): number[] {
    const deltas = new Array<number>(this.protoArray.nodes.length).fill(0);
    const newBalances = this.justifiedBalances;
    for (let v = 0; v < this.votes.length; v++) {
      const vote = this.votes[v];
      if (vote === undefined) continue;
      const oldBalance = this.appliedBalances[v] ?? 0;
      const newBalance = this.equivocating.has(v) ? 0 : (newBalances[v] ?? 0);
      if (vote.current !== vote.next || oldBalance !== newBalance) {
        if (vote.current !== undefined) deltas[vote.current] -= oldBalance;
        if (vote.next !== undefined) deltas[vote.next] += newBalance;
        vote.current = vote.next;
      }
    }
    this.appliedBalances = newBalances.map((b, v) => (this.equivocating.has(v) ? 0 : b));
    // Withdraw the last pass's proposer boost (getHead adds this pass's, if it applies)
    if (this.appliedBoost !== null) deltas[this.appliedBoost.index] -= this.appliedBoost.score;
    this.appliedBoost = null;
    return deltas;
  }

  /** The boost counts as a vote (current slot, boost root, payload absent), placed as any vote. */
  private addProposerBoost(deltas: number[]): void {
    const boosted = this.protoArray.getBlock(this.proposerBoostRoot!);
    const status =
      boosted !== undefined && boosted.slot < this.currentSlot ? PayloadStatus.EMPTY : PayloadStatus.PENDING;
    const index = this.protoArray.nodeIndex(this.proposerBoostRoot!, status);
    if (index === undefined) return;
    const score = this.proposerScore();
    deltas[index] += score;
    this.appliedBoost = { index, score };
  }

  /** The boosted block's parent is from the slot before it: whether the boost applies depends on the parent's weight. */
  private boostDependsOnParentWeight(): boolean {
    if (this.proposerBoostRoot === null) return false;
    const block = this.protoArray.getBlock(this.proposerBoostRoot);
    const parent = block && this.protoArray.getBlock(block.parentRoot);
    return parent !== undefined && parent.slot + 1 === block!.slot;
  }

  /**
   * `should_apply_proposer_boost` (Gloas): not when the boosted block's parent, from the previous
   * slot, is weak and its proposer equivocated there in time for the PTC. Otherwise a proposer
   * could show different blocks to different halves of the network and let the next proposer's
   * boost settle the split in whichever way suits it.
   */
  private shouldApplyProposerBoost(): boolean {
    if (this.proposerBoostRoot === null) return false;
    const block = this.protoArray.getBlock(this.proposerBoostRoot);
    if (block === undefined) return false;
    const parent = this.protoArray.getBlock(block.parentRoot);
    if (parent === undefined || parent.slot + 1 < block.slot) return true;
    if (!this.isHeadWeak(parent)) return true;
    for (const node of this.protoArray.nodes) {
      const other = node.block;
      if (
        node.status === PayloadStatus.PENDING &&
        other.ptcTimely === true &&
        other.proposerIndex === parent.proposerIndex &&
        other.slot === parent.slot &&
        other.root !== parent.root
      ) {
        return false;
      }
    }
    return true;
  }

  /**
   * `is_head_weak`: the block's weight from votes (the boost not applied), plus the weight of
   * equivocators in its slot's committees, is under REORG_HEAD_WEIGHT_THRESHOLD percent of a
   * slot's committee weight.
   */
  private isHeadWeak(head: ProtoBlock): boolean {
    const index = this.protoArray.nodeIndex(head.root, PayloadStatus.PENDING);
    let weight = index === undefined ? 0 : this.protoArray.nodes[index].weight;
    if (this.equivocating.size > 0 && this.config.slotCommittees) {
      const committees = this.config.slotCommittees(head.root, head.slot);
      for (let i = 0; i < committees.length; i++) {
        if (this.equivocating.has(committees[i])) weight += this.justifiedBalances[committees[i]] ?? 0;
      }
    }
    return weight < this.committeeFraction(REORG_HEAD_WEIGHT_THRESHOLD);
  }

  /** `get_proposer_score`: a share of one slot's committee weight. */
  proposerScore(): number {
    return this.committeeFraction(PROPOSER_SCORE_BOOST);
  }

  /** `calculate_committee_fraction`: `percent` of one slot's committee weight (justified balances). */
  private committeeFraction(percent: number): number {
    let total = 0;
    for (const b of this.justifiedBalances) total += b;
    return Math.floor((Math.floor(total / this.config.slotsPerEpoch) * percent) / 100);
  }

  private headContext(): HeadContext {
    const currentSlot = this.currentSlot;
    const currentEpoch = this.currentEpoch;
    const previousEpochJustified = this.justified.epoch + 1 === currentEpoch;
    return {
      currentSlot,
      isBlockViable: (block) => {
        const blockEpoch = Math.floor(block.slot / this.config.slotsPerEpoch);
        const votingSource = blockEpoch < currentEpoch ? block.unrealizedJustified : block.justified;
        let correctJustified = this.justified.epoch === GENESIS_EPOCH || votingSource.epoch === this.justified.epoch;
        if (!correctJustified && previousEpochJustified) {
          correctJustified =
            block.unrealizedJustified.epoch >= this.justified.epoch && votingSource.epoch + 2 >= currentEpoch;
        }
        const correctFinalized =
          this.finalized.epoch === GENESIS_EPOCH ||
          this.checkpointBlockRoot(block.root, this.finalized.epoch) === this.finalized.root;
        return correctJustified && correctFinalized;
      },
      shouldExtendPayload: (block) => {
        if (this.isPayloadTimely(block.root) || this.proposerBoostRoot === null) return true;
        const boosted = this.protoArray.getBlock(this.proposerBoostRoot);
        if (boosted === undefined || boosted.parentRoot !== block.root) return true;
        return boosted.parentBlockHash === block.committedBlockHash;
      },
    };
  }

  // ---- checkpoints ----

  private updateCheckpoints(justified: CheckpointHex, finalized: CheckpointHex): void {
    if (justified.epoch > this.justified.epoch) this.justified = justified;
    if (finalized.epoch > this.finalized.epoch) {
      this.finalized = finalized;
      this.prune();
    }
  }

  private updateUnrealizedCheckpoints(justified: CheckpointHex, finalized: CheckpointHex): void {
    if (justified.epoch > this.unrealizedJustified.epoch) this.unrealizedJustified = justified;
    if (finalized.epoch > this.unrealizedFinalized.epoch) this.unrealizedFinalized = finalized;
  }

  /** `get_checkpoint_block`: the block at the start of `epoch` on `root`'s chain (or before it, after skipped slots). */
  checkpointBlockRoot(root: string, epoch: number): string | undefined {
    return this.protoArray.ancestorAtSlot(root, epoch * this.config.slotsPerEpoch)?.root;
  }

  /** Drop what finalization made irrelevant; votes on dropped nodes lose their place. */
  private prune(): void {
    const removed = this.protoArray.prune(this.finalized.root);
    if (removed === 0) return;
    for (const root of [...this.ptcVotes.keys()]) if (!this.protoArray.hasBlock(root)) this.ptcVotes.delete(root);
    const shift = (i: number | undefined) => (i === undefined || i < removed ? undefined : i - removed);
    for (const vote of this.votes) {
      if (vote === undefined) continue;
      vote.current = shift(vote.current);
      vote.next = shift(vote.next);
    }
    if (this.appliedBoost !== null) {
      const index = shift(this.appliedBoost.index);
      this.appliedBoost = index === undefined ? null : { ...this.appliedBoost, index };
    }
  }
}

function isZeroHex(hex: string): boolean {
  return /^0x0*$/.test(hex);
}
