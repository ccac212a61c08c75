import {
  type Attestation,
  type AttestationData,
  type AttesterSlashing,
  BitArray,
  blsSpec,
  bytesEqual,
  type ChainContext,
  computeOpenAuctionSlot,
  type ExecutionPayloadCommitment,
  type HolderSlashing,
  type PayloadAttestation,
  type PayloadAttestationData,
  type ProposerSlashing,
  type SignedExecutionPayloadCommitment,
  type SignedTicketBid,
  type SignedTicketFill,
  type SignedTicketPurchase,
  type SignedTicketSellBack,
  type SignedTicketTransfer,
  type SignedVoluntaryExit,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { type RegistryView, stillExitable, stillSlashable } from "./validation/registryChecks.ts";

interface AttestationGroup {
  data: AttestationData;
  /** committee index → (committee size, position → signature) */
  committees: Map<number, { size: number; signatures: Map<number, Uint8Array> }>;
}

/**
 * Attestations waiting for a block: single votes grouped by their data, aggregated at block
 * production into one Electra-shaped attestation per data (all committees of its slot).
 */
export class AttestationPool {
  private readonly groups = new Map<string, AttestationGroup>();
  private readonly ctx: ChainContext;

  constructor(ctx: ChainContext) {
    this.ctx = ctx;
  }

  /** Add one validator's vote: its committee, its position in it, and the committee's size. */
  add(
    data: AttestationData,
    committeeIndex: number,
    position: number,
    committeeSize: number,
    signature: Uint8Array,
  ): boolean {
    if (!blsSpec.isValidSignature(signature)) return false;
    const sig = signature;
    const key = toHex(sszTypes.AttestationData.hashTreeRoot(data));
    let group = this.groups.get(key);
    if (!group) {
      group = { data, committees: new Map() };
      this.groups.set(key, group);
    }
    let committee = group.committees.get(committeeIndex);
    if (!committee) {
      committee = { size: committeeSize, signatures: new Map() };
      group.committees.set(committeeIndex, committee);
    }
    committee.signatures.set(position, sig);
    return true;
  }

  /** Aggregates includable in a block at `slot`: from the last epoch's worth of slots, best first. */
  getForBlock(slot: number, max: number): Attestation[] {
    const { SLOTS_PER_EPOCH, MAX_COMMITTEES_PER_SLOT, MIN_ATTESTATION_INCLUSION_DELAY } = this.ctx.preset;
    const candidates = [...this.groups.values()].filter(
      (g) => g.data.slot + MIN_ATTESTATION_INCLUSION_DELAY <= slot && slot <= g.data.slot + SLOTS_PER_EPOCH,
    );
    candidates.sort((a, b) => b.data.slot - a.data.slot);
    const out: Attestation[] = [];
    for (const group of candidates.slice(0, max)) {
      const indices = [...group.committees.keys()].sort((a, b) => a - b);
      const total = indices.reduce((n, c) => n + group.committees.get(c)!.size, 0);
      const aggregationBits = BitArray.fromBitLen(total);
      const committeeBits = BitArray.fromBitLen(MAX_COMMITTEES_PER_SLOT);
      const signatures: Uint8Array[] = [];
      let offset = 0;
      for (const c of indices) {
        const committee = group.committees.get(c)!;
        committeeBits.set(c, true);
        for (const [position, sig] of committee.signatures) {
          aggregationBits.set(offset + position, true);
          signatures.push(sig);
        }
        offset += committee.size;
      }
      out.push({
        aggregation_bits: aggregationBits,
        data: group.data,
        signature: blsSpec.aggregate(signatures),
        committee_bits: committeeBits,
      });
    }
    return out;
  }

  /** A block carried these aggregates: their votes are on chain, do not offer them again. */
  markIncluded(attestations: Attestation[]): void {
    for (const a of attestations) this.groups.delete(toHex(sszTypes.AttestationData.hashTreeRoot(a.data)));
  }

  /** Drop votes too old to be included. */
  prune(currentSlot: number): void {
    for (const [key, group] of this.groups) {
      if (group.data.slot + this.ctx.preset.SLOTS_PER_EPOCH < currentSlot) this.groups.delete(key);
    }
  }
}

/** PTC votes about a slot's payload, aggregated per data for the next block. */
export class PayloadAttestationPool {
  private readonly groups = new Map<string, { data: PayloadAttestationData; signatures: Map<number, Uint8Array> }>();
  private readonly ctx: ChainContext;

  constructor(ctx: ChainContext) {
    this.ctx = ctx;
  }

  add(data: PayloadAttestationData, ptcPosition: number, signature: Uint8Array): boolean {
    if (!blsSpec.isValidSignature(signature)) return false;
    const sig = signature;
    const key = toHex(sszTypes.PayloadAttestationData.hashTreeRoot(data));
    let group = this.groups.get(key);
    if (!group) {
      group = { data, signatures: new Map() };
      this.groups.set(key, group);
    }
    group.signatures.set(ptcPosition, sig);
    return true;
  }

  /** Aggregates about `parentRoot`'s payload, voted in `slot - 1`. */
  getForBlock(slot: number, parentRoot: string): PayloadAttestation[] {
    const out: PayloadAttestation[] = [];
    for (const group of this.groups.values()) {
      if (group.data.slot + 1 !== slot || toHex(group.data.beacon_block_root) !== parentRoot) continue;
      const bits = BitArray.fromBitLen(this.ctx.preset.PTC_SIZE);
      for (const position of group.signatures.keys()) bits.set(position, true);
      out.push({
        aggregation_bits: bits,
        data: group.data,
        signature: blsSpec.aggregate([...group.signatures.values()]),
      });
    }
    return out.slice(0, this.ctx.preset.MAX_PAYLOAD_ATTESTATIONS);
  }

  prune(currentSlot: number): void {
    for (const [key, group] of this.groups) if (group.data.slot + 2 < currentSlot) this.groups.delete(key);
  }
}

/** Payload commitments that ticket holders sent for upcoming slots, by slot. */
export class CommitmentPool {
  private readonly bySlot = new Map<number, { commitment: SignedExecutionPayloadCommitment; receivedAt: number }[]>();

  /** @param receivedAt when it arrived (seconds, the node's clock) */
  add(commitment: SignedExecutionPayloadCommitment, receivedAt = 0): void {
    const list = this.bySlot.get(commitment.message.slot) ?? [];
    list.push({ commitment, receivedAt });
    this.bySlot.set(commitment.message.slot, list);
  }

  /** Commitments holders sent for `slot` (the producer picks the one that fits its parent). */
  forSlot(slot: number): SignedExecutionPayloadCommitment[] {
    return (this.bySlot.get(slot) ?? []).map((c) => c.commitment);
  }

  /**
   * A commitment we had by `before` that a block could have carried instead of `empty`: same slot
   * and ticket, built on the same parent block and payload.
   */
  fitting(
    empty: ExecutionPayloadCommitment,
    before: number,
  ): { commitment: SignedExecutionPayloadCommitment; receivedAt: number } | undefined {
    return this.bySlot
      .get(empty.slot)
      ?.find(
        ({ commitment: { message: c }, receivedAt }) =>
          receivedAt <= before &&
          c.ticket_id === empty.ticket_id &&
          bytesEqual(c.parent_block_root, empty.parent_block_root) &&
          bytesEqual(c.parent_block_hash, empty.parent_block_hash),
      );
  }

  prune(currentSlot: number): void {
    for (const slot of this.bySlot.keys()) if (slot < currentSlot) this.bySlot.delete(slot);
  }
}

/**
 * Voluntary exits waiting for a block, one per validator. `seen` remembers every validator whose
 * valid exit reached us (gossip IGNOREs later ones); it is bounded by the registry.
 */
export class VoluntaryExitPool {
  private readonly seen = new Set<number>();
  private readonly byValidator = new Map<number, SignedVoluntaryExit>();

  hasSeen(validatorIndex: number): boolean {
    return this.seen.has(validatorIndex);
  }

  add(exit: SignedVoluntaryExit): void {
    this.seen.add(exit.message.validator_index);
    this.byValidator.set(exit.message.validator_index, exit);
  }

  getAll(): SignedVoluntaryExit[] {
    return [...this.byValidator.values()];
  }

  /** Exits whose validator is still active and not exiting in `state` (the block's parent). */
  getForBlock(state: RegistryView, max: number): SignedVoluntaryExit[] {
    return this.getAll()
      .filter((e) => stillExitable(state, e.message.validator_index))
      .slice(0, max);
  }

  /** Drop exits a block included, or whose validator was slashed or exited meanwhile. */
  prune(head: RegistryView): void {
    for (const index of this.byValidator.keys()) if (!stillExitable(head, index)) this.byValidator.delete(index);
  }
}

/** Proposer slashings waiting for a block, one per proposer; `seen` as for exits. */
export class ProposerSlashingPool {
  private readonly seen = new Set<number>();
  private readonly byProposer = new Map<number, ProposerSlashing>();

  hasSeen(proposerIndex: number): boolean {
    return this.seen.has(proposerIndex);
  }

  add(slashing: ProposerSlashing): void {
    const index = slashing.signed_header_1.message.proposer_index;
    this.seen.add(index);
    this.byProposer.set(index, slashing);
  }

  getAll(): ProposerSlashing[] {
    return [...this.byProposer.values()];
  }

  getForBlock(state: RegistryView, max: number): ProposerSlashing[] {
    return this.getAll()
      .filter((s) => stillSlashable(state, s.signed_header_1.message.proposer_index))
      .slice(0, max);
  }

  /** Drop slashings whose proposer is slashed already (a block included it) or no longer slashable. */
  prune(head: RegistryView): void {
    for (const index of this.byProposer.keys()) if (!stillSlashable(head, index)) this.byProposer.delete(index);
  }
}

/**
 * Attester slashings waiting for a block, with the validators each would slash (both
 * attestations' common indices). `seenIndices` holds every index some admitted slashing covers:
 * gossip IGNOREs a slashing that covers no new one. Bounded by the registry.
 */
export class AttesterSlashingPool {
  private readonly seenIndices = new Set<number>();
  private entries: { slashing: AttesterSlashing; indices: number[] }[] = [];

  /** Whether one of `indices` is not covered by a slashing admitted earlier. */
  hasNewIndex(indices: number[]): boolean {
    return indices.some((i) => !this.seenIndices.has(i));
  }

  /** @param indices the validators in both attestations */
  add(slashing: AttesterSlashing, indices: number[]): void {
    for (const i of indices) this.seenIndices.add(i);
    this.entries.push({ slashing, indices });
  }

  getAll(): AttesterSlashing[] {
    return this.entries.map((e) => e.slashing);
  }

  /** Slashings that still slash someone in `state`, leaving out those whose validators an earlier pick already slashes. */
  getForBlock(state: RegistryView, max: number): AttesterSlashing[] {
    const covered = new Set<number>();
    const out: AttesterSlashing[] = [];
    for (const { slashing, indices } of this.entries) {
      if (out.length >= max) break;
      const slashable = indices.filter((i) => !covered.has(i) && stillSlashable(state, i));
      if (slashable.length === 0) continue;
      for (const i of slashable) covered.add(i);
      out.push(slashing);
    }
    return out;
  }

  /** Drop slashings none of whose validators is slashable any more (included, or withdrawn). */
  prune(head: RegistryView): void {
    this.entries = this.entries.filter(({ indices }) => indices.some((i) => stillSlashable(head, i)));
  }
}

/**
 * Ticket-market operations waiting for a block, one per key: the first valid one for a key (an
 * account's nonce, an offer's ownership, a slot's ticket) is kept and gossip IGNOREs later ones,
 * so a replay or a competing copy is neither pooled nor forwarded. Bounded: an operation arriving
 * when `limit` are waiting is IGNOREd (see `isFull`); pruning drops those that can no longer apply.
 */
export class KeyedOpPool<T> {
  private readonly byKey = new Map<string, T>();
  protected readonly keyOf: (op: T) => string;
  readonly limit: number;

  constructor(keyOf: (op: T) => string, limit: number) {
    this.keyOf = keyOf;
    this.limit = limit;
  }

  /** An operation for the same key was admitted (and still waits). */
  hasSeen(op: T): boolean {
    return this.byKey.has(this.keyOf(op));
  }

  isFull(): boolean {
    return this.byKey.size >= this.limit;
  }

  /** Keep `op` unless one for its key is kept already (`hasSeen`). */
  add(op: T): void {
    if (!this.hasSeen(op)) this.byKey.set(this.keyOf(op), op);
  }

  protected hasKey(key: string): boolean {
    return this.byKey.has(key);
  }

  /** The operation kept for `op`'s key, if any. */
  protected kept(op: T): T | undefined {
    return this.byKey.get(this.keyOf(op));
  }

  getAll(): T[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Keep only the operations `stillApplies` accepts. */
  retain(stillApplies: (op: T) => boolean): void {
    for (const [key, op] of this.byKey) if (!stillApplies(op)) this.byKey.delete(key);
  }

  /** A block carried these: drop them (a later copy for the same key is IGNOREd by the state's checks). */
  markIncluded(ops: readonly T[]): void {
    for (const op of ops) this.byKey.delete(this.keyOf(op));
  }
}

/**
 * Epochs' worth of block room each ticket-market pool holds (its limit: per-block maximum × slots),
 * and how long an account's operation whose nonce stays unused is kept (AccountOpPool).
 */
export const MARKET_POOL_EPOCHS = 1;

/** Sealed auction bids, one per (buyer, nonce). */
export class TicketBidPool extends KeyedOpPool<SignedTicketBid> {
  private readonly ctx: ChainContext;

  constructor(ctx: ChainContext) {
    super(
      (b) => `${b.message.buyer_index}:${b.message.nonce}`,
      ctx.preset.MAX_TICKET_BIDS * ctx.preset.SLOTS_PER_EPOCH * MARKET_POOL_EPOCHS,
    );
    this.ctx = ctx;
  }

  /**
   * A bid for the same (buyer, nonce) and the same or a later auction was admitted. A re-bid with
   * the nonce for a later auction (the first bid missed its auction's blocks) replaces the kept one.
   */
  override hasSeen(bid: SignedTicketBid): boolean {
    const kept = this.kept(bid);
    return kept !== undefined && kept.message.auction_slot >= bid.message.auction_slot;
  }

  /** Bids a block of `slot` may carry: those for the auction open then, each buyer's in nonce order. */
  getForBlock(slot: number): SignedTicketBid[] {
    const open = computeOpenAuctionSlot(this.ctx, slot);
    return this.getAll()
      .filter((b) => b.message.auction_slot === open)
      .sort((a, b) => a.message.nonce - b.message.nonce);
  }

  /** Drop bids whose auction settled by `currentSlot`, or whose nonce is used. */
  prune(currentSlot: number, nonceOf: (buyerIndex: number) => number | undefined): void {
    this.retain(
      (b) => b.message.auction_slot > currentSlot && (nonceOf(b.message.buyer_index) ?? -1) <= b.message.nonce,
    );
  }
}

/**
 * Operations of a buyer account, one per (account, nonce), a block taking each account's in nonce
 * order. One whose nonce stays unused for more than MARKET_POOL_EPOCHS epochs goes: gossip cannot
 * tell whether an operation ahead of the account's nonce will ever apply (a purchase whose
 * max_price the price never comes back to, a transfer of a ticket that moved, a gap behind it), and
 * kept until its nonce is used it would hold its (account, nonce) and a place in the pool, shared
 * by all accounts, for good. The pool is sized for an epoch of blocks: an operation that applies is
 * taken well within that. Its sender may sign another for the nonce once it is gone.
 */
export class AccountOpPool<T> extends KeyedOpPool<T> {
  private readonly accountOf: (op: T) => number;
  private readonly nonceOf: (op: T) => number;
  private readonly maxAgeSlots: number;
  /** The slot a prune first saw each kept operation (by key). */
  private readonly firstPruned = new Map<string, number>();

  constructor(ctx: ChainContext, perBlock: number, accountOf: (op: T) => number, nonceOf: (op: T) => number) {
    super((op) => `${accountOf(op)}:${nonceOf(op)}`, perBlock * ctx.preset.SLOTS_PER_EPOCH * MARKET_POOL_EPOCHS);
    this.accountOf = accountOf;
    this.nonceOf = nonceOf;
    this.maxAgeSlots = ctx.preset.SLOTS_PER_EPOCH * MARKET_POOL_EPOCHS;
  }

  /** Each account's in nonce order (a block applies an account's operations in order). */
  getForBlock(): T[] {
    return this.getAll().sort((a, b) => this.nonceOf(a) - this.nonceOf(b));
  }

  /** Drop operations whose nonce is used, and those pooled more than MARKET_POOL_EPOCHS epochs before `currentSlot`. */
  prune(currentSlot: number, accountNonce: (account: number) => number | undefined): void {
    this.retain((op) => {
      const key = this.keyOf(op);
      const since = this.firstPruned.get(key) ?? currentSlot;
      this.firstPruned.set(key, since);
      return (accountNonce(this.accountOf(op)) ?? -1) <= this.nonceOf(op) && currentSlot - since <= this.maxAgeSlots;
    });
    for (const key of this.firstPruned.keys()) if (!this.hasKey(key)) this.firstPruned.delete(key);
  }
}

/** Sell-backs to the bonding curve, one per (owner, nonce). */
export class TicketSellBackPool extends AccountOpPool<SignedTicketSellBack> {
  constructor(ctx: ChainContext) {
    super(
      ctx,
      ctx.preset.MAX_TICKET_SELL_BACKS,
      (s) => s.message.owner,
      (s) => s.message.nonce,
    );
  }
}

/**
 * Ticket purchases, one per (buyer, nonce); bounded like the market pools, so one account's
 * operations cannot crowd out the others' (gossip also refuses nonces a block could not reach).
 */
export class TicketPurchasePool extends AccountOpPool<SignedTicketPurchase> {
  constructor(ctx: ChainContext) {
    super(
      ctx,
      ctx.preset.MAX_TICKET_PURCHASES,
      (p) => p.message.buyer_index,
      (p) => p.message.nonce,
    );
  }
}

/** Ticket transfers, one per (sender, nonce), bounded as purchases are. */
export class TicketTransferPool extends AccountOpPool<SignedTicketTransfer> {
  constructor(ctx: ChainContext) {
    super(
      ctx,
      ctx.preset.MAX_TICKET_TRANSFERS,
      (t) => t.message.from,
      (t) => t.message.nonce,
    );
  }
}

/** Fills of secondary-market offers, one per offer's ownership (ticket id, ticket nonce): the first fill wins. */
export class TicketFillPool extends KeyedOpPool<SignedTicketFill> {
  constructor(ctx: ChainContext) {
    super(
      (f) => `${f.message.offer.message.ticket_id}:${f.message.offer.message.ticket_nonce}`,
      ctx.preset.MAX_TICKET_FILLS * ctx.preset.SLOTS_PER_EPOCH * MARKET_POOL_EPOCHS,
    );
  }

  getForBlock(): SignedTicketFill[] {
    return this.getAll();
  }

  /**
   * Drop fills whose offer expired before `currentSlot`, or whose ticket changed hands or is no
   * longer transferable (`ticketNonceOf` is null then).
   */
  prune(currentSlot: number, ticketNonceOf: (ticketId: number) => number | null): void {
    this.retain((f) => {
      const offer = f.message.offer.message;
      return offer.expiry_slot >= currentSlot && ticketNonceOf(offer.ticket_id) === offer.ticket_nonce;
    });
  }
}

/** Holder slashings, one per (slot, ticket): a holder's collateral for a slot is slashed once. */
export class HolderSlashingPool extends KeyedOpPool<HolderSlashing> {
  private readonly ctx: ChainContext;

  constructor(ctx: ChainContext) {
    super(
      (s) => `${s.signed_commitment_1.message.slot}:${s.signed_commitment_1.message.ticket_id}`,
      ctx.preset.MAX_HOLDER_SLASHINGS * ctx.preset.SLOTS_PER_EPOCH * MARKET_POOL_EPOCHS,
    );
    this.ctx = ctx;
  }

  getForBlock(): HolderSlashing[] {
    return this.getAll();
  }

  /** Drop slashings whose slot's collateral is released (COLLATERAL_RELEASE_DELAY_SLOTS after it). */
  prune(currentSlot: number): void {
    const delay = this.ctx.preset.COLLATERAL_RELEASE_DELAY_SLOTS;
    this.retain((s) => s.signed_commitment_1.message.slot + delay >= currentSlot);
  }
}

/** Everything waiting for a block. */
export interface OpPools {
  attestations: AttestationPool;
  payloadAttestations: PayloadAttestationPool;
  ticketPurchases: TicketPurchasePool;
  ticketTransfers: TicketTransferPool;
  commitments: CommitmentPool;
  voluntaryExits: VoluntaryExitPool;
  proposerSlashings: ProposerSlashingPool;
  attesterSlashings: AttesterSlashingPool;
  ticketBids: TicketBidPool;
  ticketSellBacks: TicketSellBackPool;
  ticketFills: TicketFillPool;
  holderSlashings: HolderSlashingPool;
}

export function createOpPools(ctx: ChainContext): OpPools {
  return {
    attestations: new AttestationPool(ctx),
    payloadAttestations: new PayloadAttestationPool(ctx),
    ticketPurchases: new TicketPurchasePool(ctx),
    ticketTransfers: new TicketTransferPool(ctx),
    commitments: new CommitmentPool(),
    voluntaryExits: new VoluntaryExitPool(),
    proposerSlashings: new ProposerSlashingPool(),
    attesterSlashings: new AttesterSlashingPool(),
    ticketBids: new TicketBidPool(ctx),
    ticketSellBacks: new TicketSellBackPool(ctx),
    ticketFills: new TicketFillPool(ctx),
    holderSlashings: new HolderSlashingPool(ctx),
  };
}
