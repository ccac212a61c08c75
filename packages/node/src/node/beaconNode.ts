import { EventEmitter } from "node:events";
import type { SecretKey } from "@chainsafe/blst";
import type {
  CachedBeaconState,
  ChainContext,
  PayloadAttestationMessage,
  SignedBeaconBlock,
  SignedExecutionPayloadCommitment,
  SignedExecutionPayloadEnvelope,
  SignedTicketPurchase,
  SignedTicketTransfer,
  SingleAttestation,
} from "@turnstile/ticket-state";
import { isEmptyCommitment, SELF_BUILD_TICKET_ID, toHex } from "@turnstile/ticket-state";
import { BlsVerifier } from "../bls/blsVerifier.ts";
import { type BlockEntry, Chain, type CheckedSegment, type SegmentOutcome } from "../chain/chain.ts";
import { Clock } from "../chain/clock.ts";
import { ChainErrorCode } from "../chain/errors.ts";
import { createOpPools, type OpPools } from "../chain/opPools.ts";
import { PendingBlocks, type WantedObject } from "../chain/pendingBlocks.ts";
import { validatePayloadCommitment } from "../chain/validateCommitment.ts";
import {
  validatePayloadAttestationMessage,
  validateSingleAttestation,
  validateTicketOperation,
} from "../chain/validateGossip.ts";
import { type HolderMisbehaviour, TicketHolder } from "../tickets/ticketHolder.ts";
import { appetiteOf } from "../tickets/valuation.ts";
import type { SigningGuard } from "../validator/signingGuard.ts";
import { ValidatorClient } from "../validator/validatorClient.ts";

/** How many epochs of slots the pending queue holds, and how old what it holds may be. */
const PENDING_EPOCHS = 2;

export interface BeaconNodeOptions {
  ctx: ChainContext;
  /** Genesis, or the finalized state a restarted node resumes from. */
  anchor: CachedBeaconState;
  /** Validator index → key, for the validators this node runs duties for. */
  validatorKeys: Map<number, SecretKey>;
  /** Buyer index → key, for the ticket-holder agents this node runs. */
  buyerKeys: Map<number, SecretKey>;
  /** Total buyer accounts, to spread the agents' appetites. */
  buyerCount: number;
  misbehaviour?: HolderMisbehaviour;
  now?: () => number;
  random?: () => number;
  /** States the chain keeps in memory (older ones are regenerated from blocks). */
  maxStates?: number;
  /** Asked before our validators' blocks and attestations are released (slashing protection). */
  signingGuard?: SigningGuard;
}

/** Where a range sync stands, for logs, the API, metrics and the devnet table. */
export interface SyncProgress {
  peer: string;
  startSlot: number;
  targetSlot: number;
  headSlot: number;
  blocksImported: number;
  blocksPerSecond: number;
  /** Seconds left at the current rate; null before the first range is stored. */
  etaSeconds: number | null;
}

/** A block carried an empty commitment although a holder's commitment that fit it had reached us before its slot. */
export interface DroppedCommitment {
  slot: number;
  proposerIndex: number;
  ticketId: number;
  blockRoot: string;
  /** How long before the slot began the holder's commitment reached this node. */
  secondsBeforeSlot: number;
}

export interface NodeEvents {
  /** Something was rejected: what, and the typed error's code. */
  rejected: [kind: string, code: string, message: string];
  /** An object was imported, and how long its import took. */
  published: [kind: string, seconds: number];
  /** A proposer left out a holder's commitment we had seen in time (the holder's slot is voided). */
  commitmentDropped: [dropped: DroppedCommitment];
}

/**
 * One beacon node: chain, operation pools, clock, validator client and ticket-holder agents,
 * wired in one place. Duties hand what they make to `import*`, which a network layer also calls
 * for what peers send.
 */
export class BeaconNode extends EventEmitter<NodeEvents> {
  readonly ctx: ChainContext;
  readonly chain: Chain;
  readonly pools: OpPools;
  readonly clock: Clock;
  /** Blocks and envelopes that arrived before what they build on. */
  readonly pending: PendingBlocks;
  /** Verifies range-sync segments' signatures off the main thread. */
  readonly bls = new BlsVerifier();
  private readonly validators: ValidatorClient;
  private readonly holders: TicketHolder[];

  constructor(opts: BeaconNodeOptions) {
    super();
    const now = opts.now ?? (() => Date.now() / 1000);
    this.ctx = opts.ctx;
    this.chain = new Chain(opts.ctx, opts.anchor, now, opts.maxStates);
    this.pools = createOpPools(opts.ctx);
    const slotsPerEpoch = opts.ctx.preset.SLOTS_PER_EPOCH;
    this.pending = new PendingBlocks(PENDING_EPOCHS * slotsPerEpoch, PENDING_EPOCHS * slotsPerEpoch);
    this.chain.on("block", (entry) => {
      // Aggregates a block carries need not be packed again, however the block arrived
      this.pools.attestations.markIncluded(entry.block.message.body.attestations);
      this.watchCommitment(entry);
      // After this import returns (the chain is not re-entered from its own event)
      if (this.pending.size > 0) queueMicrotask(() => this.releasePending({ kind: "block", root: entry.root }));
    });
    this.chain.on("payload", (entry) => {
      if (this.pending.size > 0) queueMicrotask(() => this.releasePending({ kind: "payload", root: entry.root }));
    });
    this.clock = new Clock(opts.anchor.state.genesis_time, opts.ctx.config.SECONDS_PER_SLOT, now);
    // What our own duties make is imported without re-checking our signatures, then published
    const output = {
      block: (b: SignedBeaconBlock) => this.importBlock(b, true) && this.publish("beacon_block", b),
      envelope: (e: SignedExecutionPayloadEnvelope) =>
        this.importEnvelope(e, true) && this.publish("execution_payload", e),
      attestation: (a: SingleAttestation) => this.importAttestation(a, false) && this.publish("beacon_attestation", a),
      payloadAttestation: (m: PayloadAttestationMessage) =>
        this.importPayloadAttestationMessage(m, false) && this.publish("payload_attestation_message", m),
    };
    this.validators = new ValidatorClient(this.chain, this.pools, opts.validatorKeys, output, opts.signingGuard);
    const misbehaviour = opts.misbehaviour ?? { withholdCommitment: 0, withholdPayload: 0 };
    this.holders = [...opts.buyerKeys].map(
      ([index, key]) =>
        new TicketHolder(
          this.chain,
          index,
          key,
          appetiteOf(index, opts.buyerCount),
          misbehaviour,
          {
            purchase: (p) => this.importPurchase(p) && this.publish("ticket_purchase", p),
            commitment: (c) => this.importCommitment(c) && this.publish("execution_payload_commitment", c),
            envelope: (e) => this.importEnvelope(e) && this.publish("execution_payload", e),
          },
          opts.random,
        ),
    );
    this.clock.on("interval", (slot, interval) => this.onInterval(slot, interval));
  }

  start(): void {
    this.clock.start();
  }

  stop(): void {
    this.clock.stop();
    void this.bls.close();
  }

  /** Run one interval's duties (the clock calls this; tests call it directly). */
  /** Set by the network layer: true while peers are known to be ahead of us (range sync under way). */
  isSyncing: () => boolean = () => false;

  /** Set by the network layer: the range sync under way, or null. */
  syncProgress: () => SyncProgress | null = () => null;

  onInterval(slot: number, interval: number): void {
    this.chain.onTick(this.clock.time);
    if (interval === 0) this.prunePools(slot);
    // A node that knows it is behind stays quiet: its blocks and votes would build a fork of its stale view
    if (this.isSyncing()) return;
    this.validators.onInterval(slot, interval);
    for (const holder of this.holders) holder.onInterval(slot, interval);
  }

  private prunePools(slot: number): void {
    const head = this.chain.head().state.state;
    this.pools.attestations.prune(slot);
    this.pools.payloadAttestations.prune(slot);
    this.pools.commitments.prune(slot);
    this.pools.tickets.prune((i) => (i < head.buyers.length ? head.buyers.getReadonly(i).nonce : undefined));
    this.pending.prune(this.oldestPendingSlot());
  }

  /** Why the last import* call returned false (the network turns it into IGNORE or REJECT). */
  lastError: unknown = null;

  private guard(kind: string, fn: () => void): boolean {
    const started = performance.now();
    try {
      fn();
      this.emit("published", kind, (performance.now() - started) / 1000);
      return true;
    } catch (e) {
      this.lastError = e;
      const code = (e as { code?: string }).code ?? "UNEXPECTED";
      this.emit("rejected", kind, code, (e as Error).message);
      return false;
    }
  }

  /**
   * A block whose parent (or parent payload) we lack waits in `pending` and is imported as soon as
   * that arrives; it still returns false now (gossip IGNOREs it).
   * @param own made by this node's own duties: its signatures need no checking
   */
  importBlock(block: SignedBeaconBlock, own = false): boolean {
    if (this.guard("block", () => this.chain.importBlock(block, own))) return true;
    const { code, data } = this.lastError as { code?: string; data?: { root?: string; parentRoot?: string } };
    if (data?.root && data.parentRoot && this.mayWait(block.message.slot)) {
      if (code === ChainErrorCode.UNKNOWN_PARENT) {
        this.pending.addBlock(data.root, block, { kind: "block", root: data.parentRoot });
      } else if (code === ChainErrorCode.PARENT_PAYLOAD_UNKNOWN) {
        this.pending.addBlock(data.root, block, { kind: "payload", root: data.parentRoot });
      }
    }
    return false;
  }

  /** An envelope for a block we do not have yet waits in `pending` for it. */
  importEnvelope(envelope: SignedExecutionPayloadEnvelope, own = false): boolean {
    if (this.guard("envelope", () => this.chain.importEnvelope(envelope, own))) return true;
    if (
      (this.lastError as { code?: string }).code === ChainErrorCode.UNKNOWN_BLOCK &&
      this.mayWait(envelope.message.slot)
    ) {
      this.pending.addEnvelope(toHex(envelope.message.beacon_block_root), envelope);
    }
    return false;
  }

  /**
   * Nothing in the protocol stops a proposer from voiding a holder's slot with an empty commitment;
   * this makes it visible. A commitment can reach us and not the proposer, so one event is a hint,
   * the same proposer again and again is a pattern.
   */
  private watchCommitment(entry: BlockEntry): void {
    const block = entry.block.message;
    const commitment = block.body.signed_payload_commitment.message;
    if (!isEmptyCommitment(commitment) || commitment.ticket_id === SELF_BUILD_TICKET_ID) return;
    const slotStart = this.clock.genesisTime + block.slot * this.ctx.config.SECONDS_PER_SLOT;
    const offered = this.pools.commitments.fitting(commitment, slotStart);
    if (offered === undefined) return;
    this.emit("commitmentDropped", {
      slot: block.slot,
      proposerIndex: block.proposer_index,
      ticketId: commitment.ticket_id,
      blockRoot: entry.root,
      secondsBeforeSlot: slotStart - offered.receivedAt,
    });
  }

  /**
   * Only what could still matter waits: not from a slot that has not come (it could sit in the queue
   * for ever), nor at or below finality or older than the queue keeps anything.
   */
  private mayWait(slot: number): boolean {
    return slot <= this.clock.currentSlot && slot > this.oldestPendingSlot();
  }

  /** Objects of this slot or older leave the pending queue. */
  private oldestPendingSlot(): number {
    const finalizedSlot = this.chain.forkChoice.finalized.epoch * this.ctx.preset.SLOTS_PER_EPOCH;
    return Math.max(finalizedSlot, this.clock.currentSlot - PENDING_EPOCHS * this.ctx.preset.SLOTS_PER_EPOCH);
  }

  /** Import what waited for `wanted`, which the chain now has. */
  private releasePending(wanted: WantedObject): void {
    if (wanted.kind === "block") {
      for (const envelope of this.pending.takeEnvelopes(wanted.root)) if (this.importEnvelope(envelope)) break;
    }
    for (const block of this.pending.takeWaitingFor(wanted)) this.importBlock(block);
  }

  /**
   * A run of blocks with their envelopes from range sync, signatures verified in one batch.
   * Returns how many blocks were imported (or already known) before the first failure; the
   * failure, if any, is `lastError`.
   */
  importSegment(
    blocks: SignedBeaconBlock[],
    envelopes: SignedExecutionPayloadEnvelope[],
  ): { imported: number; added: number; failed: boolean } {
    const started = performance.now();
    return this.segmentOutcome(started, this.chain.importSegment(blocks, envelopes));
  }

  /** `importSegment` in two halves, for range sync's pipeline (see Chain.checkSegment). */
  commitSegment(
    segment: CheckedSegment,
    invalidSet: number,
    started: number,
  ): { imported: number; added: number; failed: boolean } {
    return this.segmentOutcome(started, this.chain.commitSegment(segment, invalidSet));
  }

  private segmentOutcome(
    started: number,
    outcome: SegmentOutcome,
  ): { imported: number; added: number; failed: boolean } {
    const { imported, added, error } = outcome;
    if (added > 0) {
      const seconds = (performance.now() - started) / 1000 / added;
      for (let i = 0; i < added; i++) this.emit("published", "synced_block", seconds);
    }
    if (error !== null) {
      this.lastError = error;
      const code = (error as { code?: string }).code ?? "UNEXPECTED";
      this.emit("rejected", "block", code, (error as Error).message);
    }
    return { imported, added, failed: error !== null };
  }

  importPurchase(purchase: SignedTicketPurchase): boolean {
    return this.guard("ticket_purchase", () => {
      validateTicketOperation(this.chain, purchase);
      this.pools.tickets.addPurchase(purchase);
    });
  }

  importTransfer(transfer: SignedTicketTransfer): boolean {
    return this.guard("ticket_transfer", () => {
      validateTicketOperation(this.chain, transfer);
      this.pools.tickets.addTransfer(transfer);
    });
  }

  /** One validator's vote: into the pool for blocks, and into fork choice. */
  importAttestation(attestation: SingleAttestation, verifySignature = true): boolean {
    return this.guard("attestation", () => {
      const v = validateSingleAttestation(this.chain, attestation, this.clock.currentSlot, verifySignature);
      const { data } = attestation;
      this.pools.attestations.add(data, v.committeeIndex, v.position, v.committeeSize, attestation.signature);
      const epoch = data.target.epoch;
      this.chain.addVote({
        attestingIndices: [attestation.attester_index],
        slot: data.slot,
        index: data.index,
        beaconBlockRoot: toHex(data.beacon_block_root),
        target: { epoch, root: toHex(data.target.root) },
      });
    });
  }

  /** One PTC member's vote about the current slot's payload: into the pool and fork choice. */
  importPayloadAttestationMessage(message: PayloadAttestationMessage, verifySignature = true): boolean {
    return this.guard("payload_attestation", () => {
      const position = validatePayloadAttestationMessage(this.chain, message, this.clock.currentSlot, verifySignature);
      this.pools.payloadAttestations.add(message.data, position, message.signature);
      this.chain.forkChoice.onPayloadAttestation(
        {
          beaconBlockRoot: toHex(message.data.beacon_block_root),
          slot: message.data.slot,
          payloadPresent: message.data.payload_present,
          ptcIndices: [position],
        },
        false,
      );
    });
  }

  /** Set by the network layer: sends what this node makes to its peers. */
  publisher: ((topic: string, value: unknown) => void) | null = null;

  private publish(topic: string, value: unknown): boolean {
    this.publisher?.(topic, value);
    return true;
  }

  importCommitment(commitment: SignedExecutionPayloadCommitment): boolean {
    return this.guard("payload_commitment", () => {
      validatePayloadCommitment(this.chain, commitment, this.clock.currentSlot);
      this.pools.commitments.add(commitment, this.clock.time);
    });
  }
}
