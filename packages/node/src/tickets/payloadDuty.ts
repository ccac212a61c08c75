import type { SecretKey } from "@chainsafe/blst";
import {
  buildCommitment,
  type CachedBeaconState,
  computeEpochAtSlot,
  computeSigningRoot,
  computeStartSlotAtEpoch,
  DOMAIN_PAYLOAD_COMMITMENT,
  type ExecutionPayload,
  getDomain,
  getTicketAssignment,
  isSelfBuild,
  processSlotsCopy,
  SELF_BUILD_TICKET_ID,
  type SignedExecutionPayloadCommitment,
  type SignedExecutionPayloadEnvelope,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import type { BlockEntry, Chain } from "../chain/chain.ts";
import type { InclusionListPool } from "../chain/inclusionLists.ts";
import { withPreparedPayload } from "../execution/engineApiEngine.ts";
import { payloadArgsFor } from "../execution/payloadArgs.ts";
import type { HolderSigningGuard } from "../validator/signingGuard.ts";
import { buildEnvelope } from "../validator/validatorClient.ts";

/** Commitment records are kept this many epochs behind the slot at least, and never above finality. */
const COMMITMENT_RECORD_EPOCHS = 2;

/** Ways a holder can misbehave, so that the empty-payload paths run in a devnet too. */
export interface HolderMisbehaviour {
  /** Chance, per won slot, to send no commitment (the proposer puts an empty one). */
  withholdCommitment: number;
  /** Chance, per committed slot, to never reveal the payload. */
  withholdPayload: number;
  /** Build payloads without the slot's inclusion-list transactions (a censoring holder). */
  censorInclusionLists?: boolean;
}

interface CommittedPayload {
  commitment: SignedExecutionPayloadCommitment;
  payload: ExecutionPayload;
}

export interface PayloadDutyOutput {
  commitment(commitment: SignedExecutionPayloadCommitment): void;
  envelope(envelope: SignedExecutionPayloadEnvelope): void;
  /** A duty that could not be done (e.g. the execution layer could not build the payload). */
  failed?(duty: string, error: unknown): void;
}

/** The key that signs for buyer account `owner` in `state`, or null when it is not one of ours. */
export type OwnerKey = (state: CachedBeaconState, owner: number) => SecretKey | null;

/**
 * A ticket owner's part of a slot: before the slot its drawn ticket won (at 3/4 of the previous
 * slot, on our head), build the payload and send the commitment signed by the owner's key; at 2/4
 * of the slot, once the block carries that commitment, reveal the payload. Holder agents run one
 * for their account (ticketHolder.ts); the node runs one for its validators' buyer accounts, which
 * hold the tickets granted to them (VALIDATOR_TICKET_GRANTS_PER_EPOCH) and sign with the validator key.
 * With a guard (the node's slashing-protection database), one commitment per key and slot is ever
 * signed, even across restarts: the recorded one is re-sent, and its payload revealed.
 */
export class PayloadDuty {
  private readonly chain: Chain;
  private readonly keyFor: OwnerKey;
  private readonly output: PayloadDutyOutput;
  /** Null: an honest owner (and no randomness drawn, so agents sharing a random stream are not shifted). */
  private readonly misbehaviour: HolderMisbehaviour | null;
  private readonly random: () => number;
  private readonly inclusionLists: InclusionListPool | null;
  /** Payloads committed, by slot, with the key that signed the commitment. */
  private readonly committed = new Map<number, { payload: ExecutionPayload; key: SecretKey }>();
  /**
   * Holder slashing protection: a commitment leaves only once recorded (with its payload, for the
   * reveal) and is never followed by another for the slot. Null: none (in-memory only).
   */
  private readonly guard: HolderSigningGuard | null;

  constructor(
    chain: Chain,
    keyFor: OwnerKey,
    output: PayloadDutyOutput,
    misbehaviour: HolderMisbehaviour | null,
    random: () => number = Math.random,
    inclusionLists: InclusionListPool | null = null,
    guard: HolderSigningGuard | null = null,
  ) {
    this.guard = guard;
    this.chain = chain;
    this.keyFor = keyFor;
    this.output = output;
    this.misbehaviour = misbehaviour;
    this.random = random;
    this.inclusionLists = inclusionLists;
  }

  /** Before `slot`: if a ticket of ours is assigned to it, build the payload and send the commitment. */
  commit(slot: number): void {
    // Inclusion lists: a payload that fails its slot's list is not built on
    const head = this.inclusionLists ? this.inclusionLists.headForDuties() : this.chain.head();
    const pre = processSlotsCopy(head.state, slot);
    const ticket = getTicketAssignment(this.chain.ctx, pre.state, slot);
    if (isSelfBuild(ticket)) return;
    const key = this.keyFor(pre, ticket.owner);
    if (key === null) return;
    if (this.misbehaviour && this.random() < this.misbehaviour.withholdCommitment) return;
    // The slot's inclusion list, frozen now: an honest holder's engine appends what is valid and fits
    const listed =
      this.misbehaviour?.censorInclusionLists || !this.inclusionLists ? [] : this.inclusionLists.transactionsFor(slot);
    // An Engine API engine builds asynchronously: the commitment leaves once the EL returned the payload
    const build = () =>
      withPreparedPayload(
        this.chain.engine,
        () => payloadArgsFor(pre, slot, listed),
        () => {
          const built = buildCommitment(pre, slot, key, this.chain.engine, { inclusionListTransactions: listed });
          if (this.guard) this.recordAndSend(pre, slot, key, built);
          else this.send(slot, key, built);
        },
        (e) => this.output.failed?.("commitment", e),
      );
    if (!this.guard) {
      build();
      return;
    }
    // Committed before a restart: that commitment again, never a rebuilt (different) payload's
    this.guard.recordedCommitment(key.toPublicKey().toBytes(), slot).then(
      (record) => (record ? this.send(slot, key, this.decode(record.data)) : build()),
      // Unreadable: not known whether we committed, so nothing is signed (the guard logged it)
      () => {},
    );
  }

  private send(slot: number, key: SecretKey, c: CommittedPayload): void {
    this.committed.set(slot, { payload: c.payload, key });
    this.output.commitment(c.commitment);
  }

  /** The commitment leaves once recorded, durably; as recorded (the same message again), or not at all. */
  private recordAndSend(pre: CachedBeaconState, slot: number, key: SecretKey, built: CommittedPayload): void {
    const domain = getDomain(pre, DOMAIN_PAYLOAD_COMMITMENT, computeEpochAtSlot(pre.ctx, slot));
    const signingRoot = computeSigningRoot(sszTypes.ExecutionPayloadCommitment, built.commitment.message, domain);
    this.guard!.mayCommit(key.toPublicKey().toBytes(), slot, signingRoot, this.encode(built)).then(
      (record) => {
        if (record) this.send(slot, key, this.decode(record.data));
      },
      () => {},
    );
  }

  /** A commitment and its payload as stored: the commitment's SSZ length (4 bytes), its SSZ, the payload's. */
  private encode(c: CommittedPayload): Uint8Array {
    const commitment = sszTypes.SignedExecutionPayloadCommitment.serialize(c.commitment);
    const payload = this.chain.ctx.ssz.ExecutionPayload.serialize(c.payload);
    const out = new Uint8Array(4 + commitment.length + payload.length);
    new DataView(out.buffer).setUint32(0, commitment.length);
    out.set(commitment, 4);
    out.set(payload, 4 + commitment.length);
    return out;
  }

  private decode(data: Uint8Array): CommittedPayload {
    const length = new DataView(data.buffer, data.byteOffset, 4).getUint32(0);
    return {
      commitment: sszTypes.SignedExecutionPayloadCommitment.deserialize(data.subarray(4, 4 + length)),
      payload: this.chain.ctx.ssz.ExecutionPayload.deserialize(data.subarray(4 + length)),
    };
  }

  /**
   * At the reveal interval: if the slot's block carries our commitment, send the payload. Returns it,
   * or null. A commitment recorded before a restart (guard) is revealed once read back: `revealed`
   * is then called with its payload.
   */
  reveal(slot: number, revealed?: (payload: ExecutionPayload) => void): ExecutionPayload | null {
    const mine = this.committed.get(slot);
    this.committed.delete(slot);
    for (const old of this.committed.keys()) if (old < slot) this.committed.delete(old);
    if (this.guard) this.pruneRecords(slot);
    const head = this.chain.head();
    if (head.slot !== slot) return null;
    const entry = this.chain.getEntry(head.root)!;
    const commitment = entry.block.message.body.signed_payload_commitment.message;
    if (!mine) {
      if (this.guard && commitment.ticket_id !== SELF_BUILD_TICKET_ID) this.revealRecorded(slot, entry, revealed);
      return null;
    }
    if (toHex(commitment.block_hash) !== toHex(mine.payload.block_hash)) return null;
    if (this.misbehaviour && this.random() < this.misbehaviour.withholdPayload) return null;
    this.output.envelope(
      buildEnvelope(this.chain.regen.getPostState(entry.root, false), head.root, mine.payload, mine.key),
    );
    return mine.payload;
  }

  /** The block carries a holder's commitment we have no payload for in memory: ours, recorded before a restart? */
  private revealRecorded(slot: number, entry: BlockEntry, revealed?: (payload: ExecutionPayload) => void): void {
    const post = this.chain.regen.getPostState(entry.root, false);
    const commitment = entry.block.message.body.signed_payload_commitment.message;
    // The ring still holds the slot's ticket after its block
    const ticket = getTicketAssignment(this.chain.ctx, post.state, slot);
    if (isSelfBuild(ticket) || ticket.ticket_id !== commitment.ticket_id) return;
    const key = this.keyFor(post, ticket.owner);
    if (key === null) return;
    this.guard!.recordedCommitment(key.toPublicKey().toBytes(), slot).then(
      (record) => {
        if (!record) return;
        const { payload } = this.decode(record.data);
        if (toHex(commitment.block_hash) !== toHex(payload.block_hash)) return;
        if (this.misbehaviour && this.random() < this.misbehaviour.withholdPayload) return;
        this.output.envelope(buildEnvelope(post, entry.root, payload, key));
        revealed?.(payload);
      },
      () => {},
    );
  }

  /** Once an epoch: drop the commitment records of finalized slots, a few epochs back at least. */
  private pruneRecords(slot: number): void {
    const { SLOTS_PER_EPOCH } = this.chain.ctx.preset;
    if (slot % SLOTS_PER_EPOCH !== 0) return;
    const finalized = computeStartSlotAtEpoch(this.chain.ctx, this.chain.forkChoice.finalized.epoch);
    const below = Math.min(finalized, slot - COMMITMENT_RECORD_EPOCHS * SLOTS_PER_EPOCH);
    if (below > 0) this.guard!.pruneCommitments(below);
  }
}

/**
 * The validator key that signs for a buyer account holding granted tickets: the account's pubkey
 * is a validator's (get_or_create_validator_buyer), and we run that validator.
 */
export function validatorOwnerKey(validatorKeys: ReadonlyMap<number, SecretKey>): OwnerKey {
  return (state, owner) => {
    if (validatorKeys.size === 0 || owner >= state.state.buyers.length) return null;
    const pubkey = toHex(state.state.buyers.getReadonly(owner).pubkey);
    const index = state.caches.pubkeys.pubkey2index.get(pubkey);
    return index === undefined ? null : (validatorKeys.get(index) ?? null);
  };
}
