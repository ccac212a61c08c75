import { EventEmitter } from "node:events";
import {
  type AttestationVote,
  type ForkChoice,
  ForkChoiceError,
  ForkChoiceErrorCode,
  type PayloadVote,
} from "@turnstile/fork-choice";

/** Votes kept waiting for payloads not seen yet (a few slots' worth of a 16k-validator committee set). */
export const MAX_VOTES_AWAITING_PAYLOAD = 8192;

/** The code a vote is dropped with when the payload queue is full and it was the oldest waiting. */
export const EVICTED_FROM_PAYLOAD_QUEUE = "VOTE_EVICTED_FROM_PAYLOAD_QUEUE";

/**
 * Where a vote comes from: `gossip` (peers' and our own validators', passed by the gossip checks)
 * or `block` (carried by an imported block, passed by the state transition).
 */
export type VoteSource = "gossip" | "block";

/**
 * What became of a vote handed to fork choice: applied; queued until its slot has passed (fork
 * choice takes a vote only from the next slot on); awaiting its payload; dropped (fork choice
 * refused it for a reason that is nobody's bug); fault (fork choice refused what our own checks
 * passed: a bug in them, logged at error level).
 */
export type VoteOutcome = "applied" | "queued" | "awaiting_payload" | "dropped" | "fault";

export interface VoteResult {
  outcome: VoteOutcome;
  /** The fork-choice (or queue) code of a vote not applied; null when applied or waiting. */
  code: string | null;
}

/**
 * Fork-choice refusals of a gossip vote that only mean "too late": its block or target left the
 * store (finality pruned them) or its epoch passed while it waited. Anything else refused after
 * our gossip checks passed the vote means those checks and fork choice disagree.
 */
const STALE_CODES = new Set<string>([
  ForkChoiceErrorCode.UNKNOWN_BLOCK,
  ForkChoiceErrorCode.UNKNOWN_TARGET,
  ForkChoiceErrorCode.BAD_TARGET_EPOCH,
  ForkChoiceErrorCode.NOT_CURRENT_SLOT,
]);

export interface VoteQueueEvents {
  /** Every vote handed over, once per outcome it reaches (a queued vote reports again when applied). */
  vote: [source: VoteSource, outcome: VoteOutcome, code: string | null];
  /** Fork choice refused a vote our own checks had passed, or failed on it: a bug, never a peer's fault. */
  fault: [error: unknown, vote: AttestationVote | PayloadVote];
}

/**
 * The door from votes to fork choice: applies attestation and PTC votes, holds current-slot votes
 * until their slot has passed and FULL votes until their payload arrives, and says what became of
 * each (events and `stats`). Nothing fork choice refuses vanishes: it is counted, and a refusal
 * that can only be a bug is reported as a fault.
 */
export class VoteQueue extends EventEmitter<VoteQueueEvents> {
  /** Totals by outcome, since the start (the same figures the `vote` events carry). */
  readonly stats: Record<VoteOutcome, number> = { applied: 0, queued: 0, awaiting_payload: 0, dropped: 0, fault: 0 };
  private readonly forkChoice: ForkChoice;
  private queued: AttestationVote[] = [];
  /** FULL votes (index 1) by block root, in arrival order; Gloas lets clients queue them for the payload. */
  private readonly awaiting = new Map<string, { vote: AttestationVote; source: VoteSource }[]>();
  private awaitingCount = 0;

  constructor(forkChoice: ForkChoice) {
    super();
    this.forkChoice = forkChoice;
  }

  /** Votes waiting now: for their slot to pass, and for their payload. */
  get waiting(): { queued: number; awaitingPayload: number } {
    return { queued: this.queued.length, awaitingPayload: this.awaitingCount };
  }

  /** A gossip vote (ours or a peer's) that passed the gossip checks. */
  add(vote: AttestationVote): VoteResult {
    if (vote.slot < this.forkChoice.currentSlot) return this.apply(vote, "gossip");
    this.queued.push(vote);
    return this.report("gossip", "queued", null);
  }

  /** A vote an imported block carries (the state transition checked it; fork choice may still not use it). */
  addFromBlock(vote: AttestationVote): VoteResult {
    return this.apply(vote, "block");
  }

  /** Fork choice's clock moved: apply the queued votes whose slot has passed. */
  onTick(): void {
    if (this.queued.length === 0) return;
    const slot = this.forkChoice.currentSlot;
    const ready = this.queued.filter((v) => v.slot < slot);
    if (ready.length === 0) return;
    this.queued = this.queued.filter((v) => v.slot >= slot);
    for (const vote of ready) this.apply(vote, "gossip");
  }

  /** PTC votes, from a gossip message (about the current slot) or a block's aggregates. */
  addPayloadVote(vote: PayloadVote, source: VoteSource): VoteResult {
    try {
      this.forkChoice.onPayloadAttestation(vote, source === "block");
      return this.report(source, "applied", null);
    } catch (e) {
      return this.refused(e, vote, source);
    }
  }

  /** Fork choice now has the payload of `root`: the votes that waited for it count. */
  onPayload(root: string): void {
    const votes = this.awaiting.get(root);
    if (!votes) return;
    this.awaiting.delete(root);
    this.awaitingCount -= votes.length;
    for (const { vote, source } of votes) this.apply(vote, source);
  }

  private apply(vote: AttestationVote, source: VoteSource): VoteResult {
    try {
      this.forkChoice.onAttestation(vote, source === "block");
      return this.report(source, "applied", null);
    } catch (e) {
      if ((e as { code?: string }).code === ForkChoiceErrorCode.PAYLOAD_UNKNOWN) {
        this.awaitPayload(vote, source);
        return this.report(source, "awaiting_payload", null);
      }
      return this.refused(e, vote, source);
    }
  }

  private awaitPayload(vote: AttestationVote, source: VoteSource): void {
    if (this.awaitingCount >= MAX_VOTES_AWAITING_PAYLOAD) {
      const [oldest, votes] = this.awaiting.entries().next().value!;
      this.awaitingCount -= votes.length;
      this.awaiting.delete(oldest);
      for (const v of votes) this.report(v.source, "dropped", EVICTED_FROM_PAYLOAD_QUEUE);
    }
    const votes = this.awaiting.get(vote.beaconBlockRoot) ?? [];
    votes.push({ vote, source });
    this.awaiting.set(vote.beaconBlockRoot, votes);
    this.awaitingCount++;
  }

  /**
   * A block may carry votes fork choice cannot use (for a pruned block, or whose target does not
   * match their LMD vote: the state transition does not check that), so those are merely dropped.
   * A gossip vote passed our own checks, so only staleness explains a refusal; anything else, and
   * any error that is not fork choice's, is a fault.
   */
  private refused(error: unknown, vote: AttestationVote | PayloadVote, source: VoteSource): VoteResult {
    const code = (error as { code?: string }).code ?? "UNEXPECTED";
    const benign = error instanceof ForkChoiceError && (source === "block" || STALE_CODES.has(error.code));
    if (benign) return this.report(source, "dropped", code);
    this.emit("fault", error, vote);
    return this.report(source, "fault", code);
  }

  private report(source: VoteSource, outcome: VoteOutcome, code: string | null): VoteResult {
    this.stats[outcome]++;
    this.emit("vote", source, outcome, code);
    return { outcome, code };
  }
}
