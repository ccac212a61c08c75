/**
 * The valid corpus the fuzzer mutates: a DevChain (minimal preset) run over a few epochs with
 * ticket purchases and transfers, every block and envelope kept with the states around it.
 */
import {
  type CachedBeaconState,
  createChainContext,
  minimalChainConfig,
  readAllValues,
  type SignedBeaconBlock,
  type SignedExecutionPayloadEnvelope,
  type SignedTicketPurchase,
  type SignedTicketTransfer,
  stateTransition,
} from "@turnstile/ticket-state";
import { DevChain, type SlotPlan } from "@turnstile/ticket-state/dev";

export const CORPUS_VALIDATORS = 64;
export const CORPUS_BUYERS = 4;
export const CORPUS_EPOCHS = 3;
const WITHHELD_PAYLOAD_SLOT = 5;
const SKIPPED_SLOT = 10;
const EMPTY_COMMITMENT_SLOT = 13;

export interface CorpusEntry {
  /** The state the block applies to (the previous head). */
  pre: CachedBeaconState;
  block: SignedBeaconBlock;
  blockRoot: Uint8Array;
  /** The post-block state: what the envelope applies to. */
  postBlock: CachedBeaconState;
  /** Revealed for this block, if its commitment was not empty. */
  envelope: SignedExecutionPayloadEnvelope | null;
}

export interface Corpus {
  chain: DevChain;
  entries: CorpusEntry[];
  /** Every purchase and transfer included in the corpus's blocks (for duplicates and foreign reuse). */
  purchases: SignedTicketPurchase[];
  transfers: SignedTicketTransfer[];
}

/** Some pooled ticket of `cs`, if any. */
function pooledTicket(cs: CachedBeaconState): { ticketId: number; owner: number } | null {
  const pool = readAllValues(cs.state.ticket_pool);
  return pool.length === 0 ? null : { ticketId: pool[0].ticket_id, owner: pool[0].owner };
}

/** What the actors do in `slot`: a purchase every third slot, a transfer in the next. */
function planFor(chain: DevChain, slot: number): SlotPlan {
  const plan: SlotPlan = { strict: false };
  const buyer = slot % CORPUS_BUYERS;
  if (slot % 3 === 1) {
    plan.purchases = [chain.signPurchase(buyer, 1 + (slot % 2), 2 * chain.head.state.ticket_price + 1)];
  } else if (slot % 3 === 2) {
    const ticket = pooledTicket(chain.head);
    if (ticket !== null) {
      plan.transfers = [chain.signTransfer(ticket.ticketId, ticket.owner, (ticket.owner + 1) % CORPUS_BUYERS)];
    }
  }
  // One slot withholds its payload (a block with no envelope, then a child building on EMPTY),
  // one has no block at all, one has no holder commitment (the proposer puts an empty one)
  if (slot === WITHHELD_PAYLOAD_SLOT) plan.withholdPayload = true;
  if (slot === SKIPPED_SLOT) plan.skipBlock = true;
  if (slot === EMPTY_COMMITMENT_SLOT) plan.withholdCommitment = true;
  return plan;
}

export function buildCorpus(): Corpus {
  // Validators may exit from genesis on: voluntary exits reach the rules past the age check
  const ctx = createChainContext({ ...minimalChainConfig, SHARD_COMMITTEE_PERIOD: 0 });
  const chain = new DevChain(ctx, {
    validatorCount: CORPUS_VALIDATORS,
    buyerCount: CORPUS_BUYERS,
    initialTicketsPerBuyer: 2,
  });
  const entries: CorpusEntry[] = [];
  const purchases: SignedTicketPurchase[] = [];
  const transfers: SignedTicketTransfer[] = [];
  const lastSlot = CORPUS_EPOCHS * ctx.preset.SLOTS_PER_EPOCH;
  while (chain.slot < lastSlot) {
    const pre = chain.head;
    const result = chain.advance(planFor(chain, chain.slot + 1));
    if (result.block === null) continue;
    const blockRoot = ctx.ssz.BeaconBlock.hashTreeRoot(result.block.message);
    // The post-block state, again: DevChain's head is post-envelope when the payload was revealed
    const postBlock = result.envelope ? stateTransition(pre, result.block, { verifySignatures: false }) : chain.head;
    entries.push({ pre, block: result.block, blockRoot, postBlock, envelope: result.envelope });
    purchases.push(...result.block.message.body.ticket_purchases);
    transfers.push(...result.block.message.body.ticket_transfers);
  }
  return { chain, entries, purchases, transfers };
}
