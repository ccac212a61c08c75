import { EventEmitter } from "node:events";
import { computeEpochAtSlot, type PayloadAttestationMessage, type SingleAttestation } from "@turnstile/ticket-state";
import type { Chain } from "../chain.ts";
import type { OpPools } from "../opPools.ts";
import { SeenIndices } from "../seenIndices.ts";
import { VoteErrorCode, VoteRejection } from "./errors.ts";
import { gossipSlotRange } from "./gossipClock.ts";
import { validateAttestation } from "./validateAttestation.ts";
import { validatePayloadAttestationMessage } from "./validatePayloadAttestation.ts";
import type { VoteResult } from "./voteQueue.ts";
import { VotesAwaitingBlock } from "./votesAwaitingBlock.ts";

/** Gossip votes kept waiting for the block they name: about two slots' worth of a 16k-validator set's. */
export const MAX_VOTES_AWAITING_BLOCK = 1024;

/** The gossip topics that carry votes. */
export type VoteTopic = "beacon_attestation" | "payload_attestation_message";

export interface GossipVotesEvents {
  /** A vote was refused (IGNORE or REJECT, with its code): metrics count it, the log says why. */
  refused: [topic: VoteTopic, rejection: VoteRejection];
  /** Checking a vote threw something other than a VoteRejection: a bug, or input no check foresaw. */
  unexpected: [topic: VoteTopic, error: unknown];
}

/**
 * Admits votes from gossip and from our own validators: the gossip rules first, then fork choice
 * (through the chain's VoteQueue), then the pools blocks are packed from. A vote is admitted (and
 * so may be forwarded) only if fork choice takes it, or will once its slot has passed; otherwise
 * it throws a VoteRejection, which the network turns into IGNORE or REJECT.
 */
export class GossipVotes extends EventEmitter<GossipVotesEvents> {
  private readonly chain: Chain;
  private readonly pools: OpPools;
  private readonly now: () => number;
  /** Attesters admitted, per target epoch. */
  private readonly attesters = new SeenIndices();
  /** PTC members admitted, per slot. */
  private readonly ptcMembers = new SeenIndices();
  /** Votes IGNOREd because their block was unknown: tried again when it arrives. */
  private readonly awaitingBlock = new VotesAwaitingBlock<() => void>(MAX_VOTES_AWAITING_BLOCK);

  constructor(chain: Chain, pools: OpPools, now: () => number) {
    super();
    this.chain = chain;
    this.pools = pools;
    this.now = now;
    chain.on("block", (entry) => {
      // After the block's import returns (the chain is not re-entered from its own event)
      if (this.awaitingBlock.size > 0) queueMicrotask(() => this.releaseVotesFor(entry.root));
    });
  }

  /** Votes waiting for the block they name. */
  get waitingForBlock(): number {
    return this.awaitingBlock.size;
  }

  /** One validator's vote: into fork choice and the attestation pool, or a VoteRejection. */
  importAttestation(attestation: SingleAttestation, verifySignature: boolean): void {
    this.refusalsReported(
      "beacon_attestation",
      () => this.admitAttestation(attestation, verifySignature),
      () => this.importAttestation(attestation, verifySignature),
    );
  }

  /** One PTC member's vote about the current slot's payload: into fork choice and the pool, or a VoteRejection. */
  importPayloadAttestationMessage(message: PayloadAttestationMessage, verifySignature: boolean): void {
    this.refusalsReported(
      "payload_attestation_message",
      () => this.admitPayloadVote(message, verifySignature),
      () => this.importPayloadAttestationMessage(message, verifySignature),
    );
  }

  private admitAttestation(attestation: SingleAttestation, verifySignature: boolean): void {
    const now = this.tick();
    const v = validateAttestation(this.chain, this.attesters, attestation, now, verifySignature);
    const { vote } = v;
    // [REJECT] if `attestation.data.index == 1`, the execution payload for `block` passes validation:
    // only valid payloads are imported, so a known one does
    // [IGNORE] when `attestation.data.index == 1`, the execution payload for `block` has been seen
    // (a client MAY queue attestations for processing once the payload is retrieved): it waits in
    // the VoteQueue, and counts as this attester's vote for the epoch
    const payloadSeen =
      vote.index === 0 || this.chain.forkChoice.protoArray.getBlock(vote.beaconBlockRoot)!.payloadKnown;
    const result = this.chain.votes.add(vote);
    assertTaken(result);
    this.attesters.add(vote.target.epoch, attestation.attester_index);
    if (!payloadSeen) {
      throw new VoteRejection("IGNORE", VoteErrorCode.PAYLOAD_UNKNOWN, "vote for a payload not seen yet (kept)", {
        blockRoot: vote.beaconBlockRoot,
      });
    }
    const { data } = attestation;
    this.pools.attestations.add(data, v.committeeIndex, v.position, v.committeeSize, attestation.signature);
  }

  private admitPayloadVote(message: PayloadAttestationMessage, verifySignature: boolean): void {
    const now = this.tick();
    const v = validatePayloadAttestationMessage(this.chain, this.ptcMembers, message, now, verifySignature);
    // Fork choice (on_payload_attestation_message) takes a wire vote only in its own current slot
    assertTaken(this.chain.votes.addPayloadVote(v.vote, "gossip"));
    this.ptcMembers.add(message.data.slot, message.validator_index);
    this.pools.payloadAttestations.add(message.data, v.position, message.signature);
  }

  /**
   * Bring fork choice's clock to now (what it accepts depends on it) and forget the seen votes
   * no window admits any more. Returns now.
   */
  private tick(): number {
    const now = this.now();
    this.chain.onTick(Math.max(now, this.chain.forkChoice.time));
    const { earliest } = gossipSlotRange(this.chain, now);
    const previousEpoch = computeEpochAtSlot(this.chain.ctx, earliest) - 1;
    this.attesters.pruneBelow(previousEpoch);
    this.ptcMembers.pruneBelow(earliest);
    return now;
  }

  /** Run `admit`; a refusal is reported, and a vote for a block not seen yet waits to be retried. */
  private refusalsReported(topic: VoteTopic, admit: () => void, retry: () => void): void {
    try {
      admit();
    } catch (e) {
      if (e instanceof VoteRejection) {
        if (e.code === VoteErrorCode.UNKNOWN_BLOCK || e.code === VoteErrorCode.PTC_UNKNOWN_BLOCK) {
          this.awaitingBlock.add(e.data.blockRoot as string, retry);
        }
        this.emit("refused", topic, e);
      } else {
        this.emit("unexpected", topic, e);
      }
      throw e;
    }
  }

  /** The votes that waited for block `root`, checked again now that it is here (a refusal is reported as any other). */
  private releaseVotesFor(root: string): void {
    for (const retry of this.awaitingBlock.take(root)) {
      try {
        retry();
      } catch {
        // reported by refusalsReported, as the first attempt was
      }
    }
  }
}

/** A vote fork choice refused (stale, or a fault the queue reported) is not forwarded. */
function assertTaken(result: VoteResult): void {
  if (result.outcome === "dropped" || result.outcome === "fault") {
    throw new VoteRejection("IGNORE", VoteErrorCode.FORK_CHOICE_REFUSED, "fork choice refused the vote", {
      forkChoiceCode: result.code,
    });
  }
}
