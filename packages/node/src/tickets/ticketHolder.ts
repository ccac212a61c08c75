import type { SecretKey } from "@chainsafe/blst";
import {
  buildCommitment,
  computeEpochAtSlot,
  DOMAIN_TICKET_PURCHASE,
  type ExecutionPayload,
  getTicketAssignment,
  isSelfBuild,
  processSlotsCopy,
  type SignedExecutionPayloadCommitment,
  type SignedExecutionPayloadEnvelope,
  type SignedTicketPurchase,
  signObject,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import type { Chain } from "../chain/chain.ts";
import type { InclusionListPool } from "../chain/inclusionLists.ts";
import { withPreparedPayload } from "../execution/engineApiEngine.ts";
import { payloadArgsFor } from "../execution/payloadArgs.ts";
import { buildEnvelope } from "../validator/validatorClient.ts";
import { ticketValuation, wantsTicket } from "./valuation.ts";

/** Ways a holder can misbehave, so that the empty-payload paths run in a devnet too. */
export interface HolderMisbehaviour {
  /** Chance, per won slot, to send no commitment (the proposer puts an empty one). */
  withholdCommitment: number;
  /** Chance, per committed slot, to never reveal the payload. */
  withholdPayload: number;
  /** Build payloads without the slot's inclusion-list transactions (a censoring holder). */
  censorInclusionLists?: boolean;
}

export interface HolderOutput {
  purchase(purchase: SignedTicketPurchase): void;
  commitment(commitment: SignedExecutionPayloadCommitment): void;
  envelope(envelope: SignedExecutionPayloadEnvelope): void;
  /** A duty that could not be done (e.g. the execution layer could not build the payload). */
  failed?(duty: string, error: unknown): void;
}

/**
 * A ticket-holder agent for one buyer account: buys when the price is below its valuation of the
 * slots' synthetic MEV, commits before each slot its ticket won (at 3/4 of the previous slot, on
 * its own head), and reveals the payload at 2/4 of the slot once the block carries its commitment.
 */
export class TicketHolder {
  readonly buyerIndex: number;
  private readonly chain: Chain;
  private readonly key: SecretKey;
  private readonly valuation: number;
  private readonly misbehaviour: HolderMisbehaviour;
  private readonly output: HolderOutput;
  private readonly random: () => number;
  /** Nonce of a purchase sent but not yet included: one purchase in flight at a time. */
  private pendingNonce: number | null = null;
  private readonly committed = new Map<number, ExecutionPayload>();
  private readonly inclusionLists: InclusionListPool | null;

  constructor(
    chain: Chain,
    buyerIndex: number,
    key: SecretKey,
    appetite: number,
    misbehaviour: HolderMisbehaviour,
    output: HolderOutput,
    random: () => number = Math.random,
    inclusionLists: InclusionListPool | null = null,
  ) {
    this.inclusionLists = inclusionLists;
    this.chain = chain;
    this.buyerIndex = buyerIndex;
    this.key = key;
    this.valuation = ticketValuation(appetite);
    this.misbehaviour = misbehaviour;
    this.output = output;
    this.random = random;
  }

  onInterval(slot: number, interval: number): void {
    if (interval === 0) this.maybeBuy(slot);
    else if (interval === 2) this.reveal(slot);
    else if (interval === 3) this.commit(slot + 1);
  }

  private maybeBuy(slot: number): void {
    const head = this.chain.head();
    const state = head.state.state.slot < slot ? processSlotsCopy(head.state, slot).state : head.state.state;
    const nonce = state.buyers.getReadonly(this.buyerIndex).nonce;
    if (this.pendingNonce !== null && this.pendingNonce >= nonce) return;
    this.pendingNonce = null;
    if (!wantsTicket(state, this.buyerIndex, this.valuation)) return;
    const message = { buyer_index: this.buyerIndex, nonce, count: 1, max_price: this.valuation };
    const epoch = computeEpochAtSlot(this.chain.ctx, slot);
    const signature = signObject(head.state, this.key, sszTypes.TicketPurchase, message, DOMAIN_TICKET_PURCHASE, epoch);
    this.pendingNonce = nonce;
    this.output.purchase({ message, signature });
  }

  /** Before `slot`: if our ticket is assigned to it, build the payload and send the commitment. */
  private commit(slot: number): void {
    // Inclusion lists: a payload that fails its slot's list is not built on
    const head = this.inclusionLists ? this.inclusionLists.headForDuties() : this.chain.head();
    const pre = processSlotsCopy(head.state, slot);
    const ticket = getTicketAssignment(this.chain.ctx, pre.state, slot);
    if (isSelfBuild(ticket) || ticket.owner !== this.buyerIndex) return;
    if (this.random() < this.misbehaviour.withholdCommitment) return;
    // The slot's inclusion list, frozen now: an honest holder's engine appends what is valid and fits
    const listed =
      this.misbehaviour.censorInclusionLists || !this.inclusionLists ? [] : this.inclusionLists.transactionsFor(slot);
    // An Engine API engine builds asynchronously: the commitment leaves once the EL returned the payload
    withPreparedPayload(
      this.chain.engine,
      () => payloadArgsFor(pre, slot, listed),
      () => {
        const built = buildCommitment(pre, slot, this.key, this.chain.engine, { inclusionListTransactions: listed });
        this.committed.set(slot, built.payload);
        this.output.commitment(built.commitment);
      },
      (e) => this.output.failed?.("commitment", e),
    );
  }

  /** At the reveal interval: if the slot's block carries our commitment, send the payload. */
  private reveal(slot: number): void {
    const payload = this.committed.get(slot);
    this.committed.delete(slot);
    for (const old of this.committed.keys()) if (old < slot) this.committed.delete(old);
    if (!payload) return;
    const head = this.chain.head();
    if (head.slot !== slot) return;
    const entry = this.chain.getEntry(head.root)!;
    const commitment = entry.block.message.body.signed_payload_commitment.message;
    if (toHex(commitment.block_hash) !== toHex(payload.block_hash)) return;
    if (this.random() < this.misbehaviour.withholdPayload) return;
    this.output.envelope(buildEnvelope(this.chain.regen.getPostState(entry.root, false), head.root, payload, this.key));
  }
}
