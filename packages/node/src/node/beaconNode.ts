import { EventEmitter } from "node:events";
import type { SecretKey } from "@chainsafe/blst";
import type {
  AttesterSlashing,
  CachedBeaconState,
  ChainContext,
  HolderSlashing,
  PayloadAttestationMessage,
  ProposerSlashing,
  SignedBeaconBlock,
  SignedExecutionPayloadCommitment,
  SignedExecutionPayloadEnvelope,
  SignedInclusionList,
  SignedTicketBid,
  SignedTicketFill,
  SignedTicketOffer,
  SignedTicketPurchase,
  SignedTicketSellBack,
  SignedTicketTransfer,
  SignedVoluntaryExit,
  SingleAttestation,
} from "@turnstile/ticket-state";
import {
  type DeterministicExecutionEngine,
  findTransferableTicket,
  isEmptyCommitment,
  SELF_BUILD_TICKET_ID,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { BlsVerifier } from "../bls/blsVerifier.ts";
import {
  type BlockEntry,
  Chain,
  type CheckedSegment,
  type PrecheckedBlock,
  type SegmentOutcome,
} from "../chain/chain.ts";
import { Clock } from "../chain/clock.ts";
import { ChainErrorCode, errorCode } from "../chain/errors.ts";
import { ExitsAndSlashings } from "../chain/exitsAndSlashings.ts";
import { InclusionListPool } from "../chain/inclusionLists.ts";
import { createOpPools, type OpPools } from "../chain/opPools.ts";
import { PendingBlocks, type WantedObject } from "../chain/pendingBlocks.ts";
import { SeenIndices } from "../chain/seenIndices.ts";
import { SIGNED_BLOCK_REFUSALS, validateGossipBlock } from "../chain/validation/block.ts";
import { validateGossipCommitment } from "../chain/validation/commitment.ts";
import { validateGossipEnvelope } from "../chain/validation/envelope.ts";
import {
  validateHolderSlashing,
  validateTicketBid,
  validateTicketFill,
  validateTicketSellBack,
} from "../chain/validation/ticketMarket.ts";
import { validateTicketPurchase, validateTicketTransfer } from "../chain/validation/ticketOperation.ts";
import { VoteErrorCode } from "../chain/votes/errors.ts";
import { GossipVotes } from "../chain/votes/gossipVotes.ts";
import { EngineApiExecutionEngine } from "../execution/engineApiEngine.ts";
import { followHeadInEngine } from "../execution/followHead.ts";
import {
  TransactionGossip,
  TransactionGossipError,
  TransactionGossipErrorCode,
} from "../execution/transactionGossip.ts";
import { syntheticUserTransaction, UserTransactionPool } from "../execution/userTransactions.ts";
import { GrantSeller } from "../tickets/grantSeller.ts";
import { OfferBook } from "../tickets/offerBook.ts";
import { type HolderMisbehaviour, PayloadDuty, validatorOwnerKey } from "../tickets/payloadDuty.ts";
import { TicketHolder } from "../tickets/ticketHolder.ts";
import { appetiteOf } from "../tickets/valuation.ts";
import type { HolderSigningGuard, SigningGuard } from "../validator/signingGuard.ts";
import { ValidatorClient } from "../validator/validatorClient.ts";

const MS_PER_SECOND = 1000;

/** What storing a range-sync segment did: blocks in the chain from its start, how many new, and why it stopped. */
export interface SegmentResult {
  imported: number;
  added: number;
  failed: boolean;
  /** The typed error that stopped it, or null. */
  error: unknown;
}

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
  /** Asked before our holders' and granted tickets' payload commitments are released (holder slashing protection). */
  holderSigningGuard?: HolderSigningGuard;
  /** The execution engine (default: the deterministic one); an `EngineApiExecutionEngine` drives an EL. */
  engine?: DeterministicExecutionEngine;
  /** Send one synthetic user transaction per slot into the node's pool (built-in engine; inclusion lists list them). */
  userTraffic?: boolean;
  /** Buyer indices whose agents here censor inclusion lists (build payloads without the listed transactions). */
  censoringBuyers?: readonly number[];
  /** Our validators offer the tickets granted to them (VALIDATOR_TICKET_GRANTS_PER_EPOCH) for sale (GrantSeller). */
  sellGrantedTickets?: boolean;
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
  /** A revealed payload bound by an inclusion list, two slots on: did it satisfy the list, and is it on the canonical chain. */
  inclusionListOutcome: [outcome: InclusionListOutcome];
  /** A holder of ours revealed a payload whose own arbitrage realised `gwei` (at the reference price); its valuation after. */
  holderMevRealised: [slot: number, buyerIndex: number, gwei: number, valuation: number];
}

/** What became of a revealed payload that an inclusion list bound. */
export interface InclusionListOutcome {
  slot: number;
  satisfied: boolean;
  /** The head chain carries the payload (its slot is FULL there). */
  canonical: boolean;
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
  /** Attestations and PTC votes from gossip and our validators: checked, then into fork choice and the pools. */
  readonly votes: GossipVotes;
  readonly clock: Clock;
  /** Blocks and envelopes that arrived before what they build on. */
  readonly pending: PendingBlocks;
  /** Verifies range-sync segments' signatures off the main thread. */
  readonly bls = new BlsVerifier();
  private readonly validators: ValidatorClient;
  private readonly holders: TicketHolder[];
  /** Exits and slashings: gossip checks, pools, and slashings made from equivocations seen. */
  readonly exitsAndSlashings: ExitsAndSlashings;
  /** Inclusion lists seen: what binds each slot's payload. */
  readonly inclusionLists: InclusionListPool;
  /** Users' transactions for the built-in engine (what our proposers' inclusion lists name). */
  readonly userTransactions = new UserTransactionPool();
  private readonly userTraffic: boolean;
  private readonly trafficTag: number;
  /** Secondary-market offers known here (our validators' grants, the REST API's, peers' on `ticket_offer`): the node's holders take from it. */
  readonly offers: OfferBook;
  private readonly grantSeller: GrantSeller | null;
  /**
   * Our validators as holders of the tickets granted to them: commit and reveal their slots' payloads.
   * Null without validators or grants: no granted ticket can be ours, so no slot is advanced for it.
   */
  private readonly grantedPayloads: PayloadDuty | null;

  constructor(opts: BeaconNodeOptions) {
    super();
    const now = opts.now ?? (() => Date.now() / 1000);
    this.ctx = opts.ctx;
    this.chain = new Chain(opts.ctx, opts.anchor, now, opts.maxStates, opts.engine);
    if (this.chain.engine instanceof EngineApiExecutionEngine) followHeadInEngine(this.chain, this.chain.engine);
    this.pools = createOpPools(opts.ctx);
    this.exitsAndSlashings = new ExitsAndSlashings(this.chain, this.pools, (topic, value) =>
      this.publish(topic, value),
    );
    const slotsPerEpoch = opts.ctx.preset.SLOTS_PER_EPOCH;
    this.pending = new PendingBlocks(PENDING_EPOCHS * slotsPerEpoch, PENDING_EPOCHS * slotsPerEpoch);
    this.chain.on("block", (entry) => {
      // Aggregates a block carries need not be packed again, however the block arrived
      this.pools.attestations.markIncluded(entry.block.message.body.attestations);
      this.pools.holderSlashings.markIncluded(entry.block.message.body.holder_slashings);
      this.watchCommitment(entry);
      // After this import returns (the chain is not re-entered from its own event)
      if (this.pending.size > 0) queueMicrotask(() => this.releasePending({ kind: "block", root: entry.root }));
    });
    this.chain.on("payload", (entry) => {
      if (entry.envelope) {
        const payload = entry.envelope.message.payload;
        this.userTransactions.removeIncluded(payload.transactions);
        // An EL judges inclusion lists asynchronously: ask now, the PTC votes at 3/4 of the slot
        const listed = this.inclusionLists.transactionsFor(entry.slot);
        if (this.chain.engine instanceof EngineApiExecutionEngine && listed.length > 0) {
          void this.chain.engine.checkInclusionList(payload, listed);
        }
      }
      if (this.pending.size > 0) queueMicrotask(() => this.releasePending({ kind: "payload", root: entry.root }));
    });
    this.clock = new Clock(opts.anchor.state.genesis_time, opts.ctx.config.SECONDS_PER_SLOT, now);
    this.votes = new GossipVotes(this.chain, this.pools, now);
    this.inclusionLists = new InclusionListPool(this.chain, now);
    this.userTraffic = opts.userTraffic ?? false;
    // Tells this node's synthetic transactions apart from other nodes' (its first validator)
    this.trafficTag = opts.validatorKeys.keys().next().value ?? 0;
    // What our own duties make is imported without re-checking our signatures, then published
    const output = {
      block: (b: SignedBeaconBlock) => this.importOwn(() => this.importBlock(b, true), "beacon_block", b),
      envelope: (e: SignedExecutionPayloadEnvelope) =>
        this.importOwn(() => this.importEnvelope(e, true), "execution_payload", e),
      attestation: (a: SingleAttestation) =>
        this.importOwn(() => this.importAttestation(a, false), "beacon_attestation", a),
      payloadAttestation: (m: PayloadAttestationMessage) =>
        this.importOwn(() => this.importPayloadAttestationMessage(m, false), "payload_attestation_message", m),
      inclusionList: (l: SignedInclusionList) =>
        this.importOwn(() => this.importInclusionList(l, false), "inclusion_list", l),
      failed: (duty: string, e: unknown) => this.emit("rejected", duty, errorCode(e), (e as Error).message),
    };
    this.validators = new ValidatorClient(this.chain, this.pools, opts.validatorKeys, output, opts.signingGuard, {
      pool: this.inclusionLists,
      // The EL's mempool with an Engine API engine, else the node's pool for the built-in engine
      candidates: () =>
        this.chain.engine instanceof EngineApiExecutionEngine
          ? this.chain.engine.inclusionListCandidates
          : this.userTransactions.pending(),
    });
    this.transactions =
      this.chain.engine instanceof EngineApiExecutionEngine ? new TransactionGossip(this.chain.engine) : null;
    this.offers = new OfferBook(opts.ctx.preset.TICKET_POOL_LIMIT);
    this.grantSeller = opts.sellGrantedTickets
      ? new GrantSeller(this.chain, opts.validatorKeys, this.offers, (o) =>
          this.submitMarketOperation("ticket_offer", o),
        )
      : null;
    // A granted ticket drawn while our validator still holds it (not sold, or with --sell-grants not
    // yet filled) is used: its buyer account's pubkey is the validator's, so the validator key signs
    this.grantedPayloads =
      opts.validatorKeys.size === 0 || opts.ctx.config.VALIDATOR_TICKET_GRANTS_PER_EPOCH === 0
        ? null
        : new PayloadDuty(
            this.chain,
            validatorOwnerKey(opts.validatorKeys),
            {
              commitment: (c) => this.importOwn(() => this.importCommitment(c), "execution_payload_commitment", c),
              envelope: (e) => this.importOwn(() => this.importEnvelope(e), "execution_payload", e),
              failed: output.failed,
            },
            null,
            undefined,
            this.inclusionLists,
            opts.holderSigningGuard ?? null,
          );
    const misbehaviour = opts.misbehaviour ?? { withholdCommitment: 0, withholdPayload: 0 };
    const censoring = new Set(opts.censoringBuyers ?? []);
    this.holders = [...opts.buyerKeys].map(
      ([index, key]) =>
        new TicketHolder(
          this.chain,
          index,
          key,
          appetiteOf(index, opts.buyerCount),
          censoring.has(index) ? { ...misbehaviour, censorInclusionLists: true } : misbehaviour,
          {
            purchase: (p) => this.importOwn(() => this.importPurchase(p), "ticket_purchase", p),
            bid: (b) => this.importOwn(() => this.importTicketBid(b), "ticket_bid", b),
            sellBack: (s) => this.importOwn(() => this.importTicketSellBack(s), "ticket_sell_back", s),
            fill: (f) => this.importOwn(() => this.importTicketFill(f), "ticket_fill", f),
            commitment: (c) => this.importOwn(() => this.importCommitment(c), "execution_payload_commitment", c),
            envelope: (e) => this.importOwn(() => this.importEnvelope(e), "execution_payload", e),
            failed: output.failed,
            realisedMev: (slot, buyerIndex, gwei, valuation) =>
              this.emit("holderMevRealised", slot, buyerIndex, gwei, valuation),
          },
          opts.random,
          this.inclusionLists,
          this.offers,
          opts.holderSigningGuard ?? null,
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
    if (interval === 0) {
      this.prunePools(slot);
      this.judgeInclusionListOutcome(slot - 2);
    }
    // A node that knows it is behind stays quiet: its blocks and votes would build a fork of its stale view
    if (this.isSyncing()) return;
    if (interval === 1 && this.userTraffic) this.userTransactions.add(syntheticUserTransaction(slot, this.trafficTag));
    // The EL's mempool, listed ahead of our proposers' inclusion-list duty (at 2/4)
    if (interval === 1 && this.chain.engine instanceof EngineApiExecutionEngine) {
      const { MAX_TRANSACTIONS_PER_INCLUSION_LIST, MAX_BYTES_PER_INCLUSION_LIST } = this.ctx.preset;
      void this.chain.engine.refreshInclusionListCandidates(
        MAX_TRANSACTIONS_PER_INCLUSION_LIST,
        MAX_BYTES_PER_INCLUSION_LIST,
      );
    }
    this.validators.onInterval(slot, interval);
    this.grantSeller?.onInterval(slot, interval);
    if (interval === 2) this.grantedPayloads?.reveal(slot);
    else if (interval === 3) this.grantedPayloads?.commit(slot + 1);
    for (const holder of this.holders) holder.onInterval(slot, interval);
  }

  private prunePools(slot: number): void {
    const head = this.chain.head().state.state;
    this.pools.attestations.prune(slot);
    this.pools.payloadAttestations.prune(slot);
    this.pools.commitments.prune(slot);
    const nonceOf = (i: number) => (i < head.buyers.length ? head.buyers.getReadonly(i).nonce : undefined);
    this.pools.ticketPurchases.prune(slot, nonceOf);
    this.pools.ticketTransfers.prune(slot, nonceOf);
    this.pools.ticketBids.prune(slot, nonceOf);
    this.pools.ticketSellBacks.prune(slot, nonceOf);
    const headState = this.chain.head().state;
    const ticketNonceOf = (id: number) => findTransferableTicket(headState, id)?.nonce ?? null;
    if (this.pools.ticketFills.size > 0) this.pools.ticketFills.prune(slot, ticketNonceOf);
    this.offers.prune(slot, ticketNonceOf);
    this.pools.holderSlashings.prune(slot);
    this.pending.prune(this.oldestPendingSlot());
    this.seenProposals.pruneBelow(this.oldestPendingSlot() + 1);
    this.exitsAndSlashings.prune(slot);
    this.inclusionLists.prune(slot);
  }

  /** Report whether the payload of `slot`, if an inclusion list bound it, satisfied it and stayed canonical. */
  private judgeInclusionListOutcome(slot: number): void {
    if (slot < 1 || this.inclusionLists.transactionsFor(slot).length === 0) return;
    const head = this.chain.head();
    if (head.slot <= slot) return;
    const { state } = head.state;
    const index = slot % this.ctx.preset.SLOTS_PER_HISTORICAL_ROOT;
    const entry = this.chain.getEntry(toHex(state.block_roots.get(index)));
    const payload = entry?.envelope?.message.payload;
    if (!entry || entry.slot !== slot || payload === undefined) return;
    this.emit("inclusionListOutcome", {
      slot,
      satisfied: this.inclusionLists.isSatisfied(slot, payload, this.chain.engine),
      canonical: state.execution_payload_availability.get(index),
    });
  }

  /** Proposers that showed a validly signed block on gossip, by slot (the spec's "first block" rule). */
  private readonly seenProposals = new SeenIndices();

  /**
   * Run one import and report it: "published" with its duration, or "rejected" with the error's
   * code (then the error goes on to the caller: typed errors carry their verdict, see verdict.ts).
   */
  private observe<T>(kind: string, fn: () => T): T {
    const started = performance.now();
    try {
      const result = fn();
      this.emit("published", kind, (performance.now() - started) / 1000);
      return result;
    } catch (e) {
      this.emit("rejected", kind, errorCode(e), (e as Error).message);
      throw e;
    }
  }

  /** What our own duties made: imported, then sent to peers; a refusal was reported as "rejected" and stops it here. */
  private importOwn(importIt: () => unknown, topic: string, value: unknown): boolean {
    try {
      importIt();
    } catch {
      return false;
    }
    return this.publish(topic, value);
  }

  /**
   * Import a block (our own, fetched by root, or released from the pending queue). A block whose
   * parent (or parent payload) we lack waits in `pending` and is imported as soon as that arrives;
   * it still throws now (gossip IGNOREs it). Throws the typed error that refused it.
   * @param own made by this node's own duties: its signatures need no checking
   * @param prechecked what gossip validation established (see importGossipBlock)
   */
  importBlock(block: SignedBeaconBlock, own = false, prechecked?: PrecheckedBlock): BlockEntry {
    let entry: BlockEntry | null = null;
    try {
      entry = this.observe("block", () => this.chain.importBlock(block, own, prechecked));
      return entry;
    } catch (e) {
      this.queueBlockIfWaiting(block, e);
      throw e;
    } finally {
      // Every block that reaches us, imported or refused, is checked for a proposer equivocation
      // (a gossip block was, once validated)
      if (!prechecked) this.exitsAndSlashings.onBlock(block, entry !== null);
    }
  }

  /**
   * A block from gossip: the topic's rules first (validation/block.ts: clock, finality, first of
   * its proposer for its slot, signature, parent, proposer index), each a hash or one signature at
   * most, then the import with its state transition. Throws GossipValidationError, or the import's
   * typed error; both carry what the network does with the message.
   */
  async importGossipBlock(block: SignedBeaconBlock): Promise<BlockEntry> {
    let prechecked: PrecheckedBlock;
    try {
      prechecked = validateGossipBlock(this.chain, block, this.clock.time, this.seenProposals);
    } catch (e) {
      const refusal = this.watchRefusedBlock(block, e);
      this.emit("rejected", "block", errorCode(refusal), (refusal as Error).message);
      this.queueBlockIfWaiting(block, refusal);
      throw refusal;
    }
    // Validly signed: watched now, before any wait for its slot, so a repeat proposal meanwhile is compared with it
    this.exitsAndSlashings.onBlock(block, prechecked.proposerSignatureVerified);
    // Up to MAXIMUM_GOSSIP_CLOCK_DISPARITY early: fork choice takes no block before its slot starts
    const early = this.clock.genesisTime + block.message.slot * this.ctx.config.SECONDS_PER_SLOT - this.clock.time;
    if (early > 0) await new Promise((resolve) => setTimeout(resolve, early * MS_PER_SECOND));
    return this.importBlock(block, false, prechecked);
  }

  /**
   * A gossip block refused before import may still be a proposer's second signed header for a slot:
   * one refused after its signature was checked is watched as signed; a repeat proposal (refused
   * before) is compared with the first unchecked. Returns the refusal to report: `error`, or the
   * watch's REJECT of a repeat proposal whose signature it found invalid.
   */
  private watchRefusedBlock(block: SignedBeaconBlock, error: unknown): unknown {
    const code = errorCode(error);
    if (SIGNED_BLOCK_REFUSALS.has(code)) this.exitsAndSlashings.onBlock(block, true);
    if (code !== ChainErrorCode.REPEAT_PROPOSAL) return error;
    try {
      this.exitsAndSlashings.onBlock(block, false, true);
    } catch (forged) {
      return forged;
    }
    return error;
  }

  private queueBlockIfWaiting(block: SignedBeaconBlock, error: unknown): void {
    const { code, data } = error as { code?: string; data?: { root?: string; parentRoot?: string } };
    if (!data?.root || !data.parentRoot || !this.mayWait(block.message.slot)) return;
    if (code === ChainErrorCode.UNKNOWN_PARENT) {
      this.pending.addBlock(data.root, block, { kind: "block", root: data.parentRoot });
    } else if (code === ChainErrorCode.PARENT_PAYLOAD_UNKNOWN) {
      this.pending.addBlock(data.root, block, { kind: "payload", root: data.parentRoot });
    }
  }

  /**
   * Import an envelope; one for a block we do not have yet waits in `pending` for it (and throws now).
   * @param signatureVerified gossip validation verified its signature already
   */
  importEnvelope(envelope: SignedExecutionPayloadEnvelope, own = false, signatureVerified = false): BlockEntry {
    try {
      return this.observe("envelope", () => this.chain.importEnvelope(envelope, own, signatureVerified));
    } catch (e) {
      this.queueEnvelopeIfWaiting(envelope, e);
      throw e;
    }
  }

  /** An envelope from gossip: the topic's rules (validation/envelope.ts) before the payload is executed. */
  importGossipEnvelope(envelope: SignedExecutionPayloadEnvelope): BlockEntry {
    try {
      validateGossipEnvelope(this.chain, envelope);
    } catch (e) {
      this.emit("rejected", "envelope", errorCode(e), (e as Error).message);
      this.queueEnvelopeIfWaiting(envelope, e);
      throw e;
    }
    return this.importEnvelope(envelope, false, true);
  }

  private queueEnvelopeIfWaiting(envelope: SignedExecutionPayloadEnvelope, error: unknown): void {
    if (errorCode(error) === ChainErrorCode.UNKNOWN_BLOCK && this.mayWait(envelope.message.slot)) {
      this.pending.addEnvelope(toHex(envelope.message.beacon_block_root), envelope);
    }
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
      for (const envelope of this.pending.takeEnvelopes(wanted.root)) {
        try {
          this.importEnvelope(envelope);
          break;
        } catch {
          // reported as "rejected"; a forged envelope queued first must not shut out the real one
        }
      }
    }
    for (const block of this.pending.takeWaitingFor(wanted)) {
      try {
        this.importBlock(block);
      } catch {
        // reported as "rejected" (or queued again, for an ancestor still missing)
      }
    }
  }

  /**
   * A run of blocks with their envelopes from range sync, signatures verified in one batch.
   * Returns how many blocks were imported (or already known) before the first failure, and that
   * failure (null when none).
   */
  importSegment(blocks: SignedBeaconBlock[], envelopes: SignedExecutionPayloadEnvelope[]): SegmentResult {
    const started = performance.now();
    return this.segmentOutcome(started, this.chain.importSegment(blocks, envelopes));
  }

  /** `importSegment` in two halves, for range sync's pipeline (see Chain.checkSegment). */
  commitSegment(segment: CheckedSegment, invalidSet: number, started: number): SegmentResult {
    return this.segmentOutcome(started, this.chain.commitSegment(segment, invalidSet));
  }

  private segmentOutcome(started: number, outcome: SegmentOutcome): SegmentResult {
    const { imported, added, error } = outcome;
    if (added > 0) {
      const seconds = (performance.now() - started) / 1000 / added;
      for (let i = 0; i < added; i++) this.emit("published", "synced_block", seconds);
    }
    if (error !== null) this.emit("rejected", "block", errorCode(error), (error as Error).message);
    return { imported, added, failed: error !== null, error };
  }

  /** Throws the typed error that refused it (as every import* does). */
  importPurchase(purchase: SignedTicketPurchase): void {
    this.observe("ticket_purchase", () => {
      validateTicketPurchase(this.chain, purchase, this.pools.ticketPurchases);
      this.pools.ticketPurchases.add(purchase);
    });
  }

  importTransfer(transfer: SignedTicketTransfer): void {
    this.observe("ticket_transfer", () => {
      validateTicketTransfer(this.chain, transfer, this.pools.ticketTransfers);
      this.pools.ticketTransfers.add(transfer);
    });
  }

  /** A sealed ticket-auction bid (gossip or our holders'): checked, then pooled for blocks. */
  importTicketBid(bid: SignedTicketBid): void {
    this.observe("ticket_bid", () => {
      validateTicketBid(this.chain.head().state, this.pools.ticketBids, bid, this.clock.currentSlot);
      this.pools.ticketBids.add(bid);
    });
  }

  importTicketSellBack(sellBack: SignedTicketSellBack): void {
    this.observe("ticket_sell_back", () => {
      validateTicketSellBack(this.chain.head().state, this.pools.ticketSellBacks, sellBack);
      this.pools.ticketSellBacks.add(sellBack);
    });
  }

  importTicketFill(fill: SignedTicketFill): void {
    this.observe("ticket_fill", () => {
      validateTicketFill(this.chain.head().state, this.pools.ticketFills, fill, this.clock.currentSlot);
      this.pools.ticketFills.add(fill);
      // Taken: our holders need not try to fill it too
      this.offers.remove(fill.message.offer);
    });
  }

  /** A secondary-market offer (gossip, the REST API, our validators'): checked against the head, into the offer book. */
  importTicketOffer(offer: SignedTicketOffer): void {
    this.observe("ticket_offer", () => this.offers.add(this.chain.head().state, offer, this.clock.currentSlot));
  }

  /** Users' transactions between nodes (gossip `transaction`): null without an Engine API EL (no mempool). */
  readonly transactions: TransactionGossip | null;

  /** Gossip `transaction`: check a peer's raw transaction and pool it in our EL (typed errors carry the verdict). */
  importTransaction(raw: Uint8Array): Promise<string> {
    if (!this.transactions) {
      return Promise.reject(
        new TransactionGossipError("IGNORE", TransactionGossipErrorCode.NO_MEMPOOL, "no execution-layer mempool"),
      );
    }
    return this.transactions.import(raw);
  }

  /** A transaction a user sent to our EL's eth_ endpoint: publish it to the peers (its echo is ignored). */
  publishUserTransaction(raw: Uint8Array, hash: string): void {
    this.transactions?.markSeen(hash);
    this.publish("transaction", raw);
  }

  importHolderSlashing(slashing: HolderSlashing): void {
    this.observe("holder_slashing", () => {
      validateHolderSlashing(this.chain.head().state, this.pools.holderSlashings, slashing);
      this.pools.holderSlashings.add(slashing);
    });
  }

  /**
   * A ticket-market operation submitted to this node (the REST API): imported as from gossip, then
   * sent to peers. Throws the typed error that refused it (nothing is pooled or sent then).
   */
  submitMarketOperation(
    topic: "ticket_bid" | "ticket_sell_back" | "ticket_offer" | "ticket_fill" | "holder_slashing",
    value: SignedTicketBid | SignedTicketSellBack | SignedTicketOffer | SignedTicketFill | HolderSlashing,
  ): void {
    if (topic === "ticket_bid") this.importTicketBid(value as SignedTicketBid);
    else if (topic === "ticket_offer") this.importTicketOffer(value as SignedTicketOffer);
    else if (topic === "ticket_sell_back") this.importTicketSellBack(value as SignedTicketSellBack);
    else if (topic === "ticket_fill") this.importTicketFill(value as SignedTicketFill);
    else this.importHolderSlashing(value as HolderSlashing);
    this.publish(topic, value);
  }

  /** One validator's vote: into the pool for blocks, and into fork choice. */
  importAttestation(attestation: SingleAttestation, verifySignature = true): void {
    this.observe("attestation", () => {
      try {
        this.votes.importAttestation(attestation, verifySignature);
      } catch (e) {
        const code = errorCode(e);
        // Checked and kept, waiting for its payload: a vote the watch remembers as any admitted one
        if (code === VoteErrorCode.PAYLOAD_UNKNOWN) this.exitsAndSlashings.onAttestation(attestation, true);
        // The attester's second vote for its target epoch, refused before its signature: a double
        // vote candidate; the watch's REJECT of a forged one replaces the IGNORE
        if (code === VoteErrorCode.ALREADY_SEEN) this.exitsAndSlashings.onAttestation(attestation, false);
        throw e;
      }
      // Every vote admitted (its signature checked) is checked for a double or surround vote
      this.exitsAndSlashings.onAttestation(attestation, true);
    });
  }

  /** One PTC member's vote about the current slot's payload: into the pool and fork choice. */
  importPayloadAttestationMessage(message: PayloadAttestationMessage, verifySignature = true): void {
    this.observe("payload_attestation", () => this.votes.importPayloadAttestationMessage(message, verifySignature));
  }

  /** Set by the network layer: sends what this node makes to its peers. */
  publisher: ((topic: string, value: unknown) => void) | null = null;

  private publish(topic: string, value: unknown): boolean {
    this.publisher?.(topic, value);
    return true;
  }

  importCommitment(commitment: SignedExecutionPayloadCommitment): void {
    this.observe("payload_commitment", () => {
      validateGossipCommitment(this.chain, commitment, this.clock.currentSlot);
      this.pools.commitments.add(commitment, this.clock.time);
    });
    this.slashEquivocatingHolder(commitment);
  }

  /**
   * With holder collateral (TICKET_COLLATERAL > 0): a second, different commitment for one slot's
   * ticket, both admitted (signed by the ticket's owner), is a holder slashing: pooled and published
   * as if submitted. Returns it, or null (no equivocation, or a slashing for the slot was seen).
   */
  private slashEquivocatingHolder(commitment: SignedExecutionPayloadCommitment): HolderSlashing | null {
    if (this.ctx.config.TICKET_COLLATERAL === 0) return null;
    const { slot, ticket_id } = commitment.message;
    const root = toHex(sszTypes.ExecutionPayloadCommitment.hashTreeRoot(commitment.message));
    const other = this.pools.commitments
      .forSlot(slot)
      .find(
        (c) =>
          c.message.ticket_id === ticket_id &&
          toHex(sszTypes.ExecutionPayloadCommitment.hashTreeRoot(c.message)) !== root,
      );
    if (!other) return null;
    const slashing: HolderSlashing = { signed_commitment_1: other, signed_commitment_2: commitment };
    try {
      this.submitMarketOperation("holder_slashing", slashing);
    } catch {
      // seen already (one slashing per slot and ticket), or its collateral is gone
      return null;
    }
    return slashing;
  }

  /** An inclusion list from gossip (or our proposer's): checked and kept if it may bind a payload. */
  importInclusionList(list: SignedInclusionList, verifySignature = true): void {
    this.observe("inclusion_list", () => this.inclusionLists.import(list, verifySignature));
  }

  importVoluntaryExit(exit: SignedVoluntaryExit): void {
    this.observe("voluntary_exit", () => this.exitsAndSlashings.importVoluntaryExit(exit));
  }

  importProposerSlashing(slashing: ProposerSlashing): void {
    this.observe("proposer_slashing", () => this.exitsAndSlashings.importProposerSlashing(slashing));
  }

  importAttesterSlashing(slashing: AttesterSlashing): void {
    this.observe("attester_slashing", () => this.exitsAndSlashings.importAttesterSlashing(slashing));
  }
}
