import type { SecretKey } from "@chainsafe/blst";
import {
  buildCommitment,
  type CachedBeaconState,
  type ExecutionPayload,
  getTicketAssignment,
  isSelfBuild,
  processSlotsCopy,
  type SignedExecutionPayloadCommitment,
  type SignedExecutionPayloadEnvelope,
  toHex,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { InclusionListPool } from "../chain/inclusionLists.ts";
import { withPreparedPayload } from "../execution/engineApiEngine.ts";
import { payloadArgsFor } from "../execution/payloadArgs.ts";
import { buildEnvelope } from "../validator/validatorClient.ts";

/** Ways a holder can misbehave, so that the empty-payload paths run in a devnet too. */
export interface HolderMisbehaviour {
  /** Chance, per won slot, to send no commitment (the proposer puts an empty one). */
  withholdCommitment: number;
  /** Chance, per committed slot, to never reveal the payload. */
  withholdPayload: number;
  /** Build payloads without the slot's inclusion-list transactions (a censoring holder). */
  censorInclusionLists?: boolean;
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

  constructor(
    chain: Chain,
    keyFor: OwnerKey,
    output: PayloadDutyOutput,
    misbehaviour: HolderMisbehaviour | null,
    random: () => number = Math.random,
    inclusionLists: InclusionListPool | null = null,
  ) {
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
    withPreparedPayload(
      this.chain.engine,
      () => payloadArgsFor(pre, slot, listed),
      () => {
        const built = buildCommitment(pre, slot, key, this.chain.engine, { inclusionListTransactions: listed });
        this.committed.set(slot, { payload: built.payload, key });
        this.output.commitment(built.commitment);
      },
      (e) => this.output.failed?.("commitment", e),
    );
  }

  /** At the reveal interval: if the slot's block carries our commitment, send the payload. Returns it, or null. */
  reveal(slot: number): ExecutionPayload | null {
    const mine = this.committed.get(slot);
    this.committed.delete(slot);
    for (const old of this.committed.keys()) if (old < slot) this.committed.delete(old);
    if (!mine) return null;
    const head = this.chain.head();
    if (head.slot !== slot) return null;
    const entry = this.chain.getEntry(head.root)!;
    const commitment = entry.block.message.body.signed_payload_commitment.message;
    if (toHex(commitment.block_hash) !== toHex(mine.payload.block_hash)) return null;
    if (this.misbehaviour && this.random() < this.misbehaviour.withholdPayload) return null;
    this.output.envelope(
      buildEnvelope(this.chain.regen.getPostState(entry.root, false), head.root, mine.payload, mine.key),
    );
    return mine.payload;
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
