import {
  type BeaconStateView,
  type ChainContext,
  computeEpochAtSlot,
  getTicketAssignment,
  isEmptyCommitment,
  isSelfBuild,
  processSlotsCopy,
  type SignedTicketTransfer,
} from "@turnstile/ticket-state";
import { DevChain } from "@turnstile/ticket-state/dev";
import { SeededRandom } from "./random.ts";
import { createAgents } from "./ticketHolderAgent.ts";

export interface SimulationOptions {
  slots: number;
  validators: number;
  buyers: number;
  /** Chance that a slot's beacon proposer is offline. */
  missRate: number;
  /** Chance that a ticket holder commits but withholds its payload. */
  withholdRate: number;
  seed: number;
}

export interface SlotReport {
  slot: number;
  epoch: number;
  block: boolean;
  payload: "revealed" | "withheld" | "empty" | "none";
  selfBuilt: boolean;
  ticketPrice: number;
  poolSize: number;
  purchased: number;
  transferred: number;
  justifiedEpoch: number;
  finalizedEpoch: number;
  ticketRevenuePending: number;
}

export interface SimulationSummary {
  slots: number;
  blocks: number;
  skippedSlots: number;
  payloadsRevealed: number;
  payloadsWithheld: number;
  emptyCommitments: number;
  selfBuiltSlots: number;
  ticketSlots: number;
  ticketsSold: number;
  ticketsTransferred: number;
  revenueRealized: number;
  finalizedEpoch: number;
  justifiedEpoch: number;
  price: { first: number; min: number; max: number; last: number };
  poolSize: number;
  wallMs: number;
  msPerSlot: number;
}

/**
 * Run a chain in-process: interop validators propose and attest, ticket-holder agents buy,
 * commit, reveal (or withhold) and now and then sell a ticket to each other. Every block and
 * envelope goes through the full state transition with all signatures verified.
 */
export function* runSimulation(ctx: ChainContext, opts: SimulationOptions): Generator<SlotReport, SimulationSummary> {
  const started = performance.now();
  const random = new SeededRandom(opts.seed);
  const chain = new DevChain(ctx, { validatorCount: opts.validators, buyerCount: opts.buyers });
  const agents = createAgents(opts.buyers);
  const prices: number[] = [];
  const s: Omit<
    SimulationSummary,
    "price" | "wallMs" | "msPerSlot" | "finalizedEpoch" | "justifiedEpoch" | "poolSize"
  > = {
    slots: 0,
    blocks: 0,
    skippedSlots: 0,
    payloadsRevealed: 0,
    payloadsWithheld: 0,
    emptyCommitments: 0,
    selfBuiltSlots: 0,
    ticketSlots: 0,
    ticketsSold: 0,
    ticketsTransferred: 0,
    revenueRealized: 0,
  };
  let lastRevenue = 0;

  for (let i = 0; i < opts.slots; i++) {
    const state = chain.head.state;
    const slot = state.slot + 1;
    const skipBlock = random.next() < opts.missRate;
    const withholdPayload = random.next() < opts.withholdRate;
    // Agents decide on the state as the block will see it (price and pool after entering the slot)
    const pre = processSlotsCopy(chain.head, slot).state;
    const purchases = skipBlock ? [] : agents.map((a) => a.decide(chain, pre)).filter((p) => p !== null);
    const transfers = skipBlock ? [] : resale(chain, pre, random, new Set(purchases.map((p) => p.message.buyer_index)));
    const ticket = getTicketAssignment(ctx, state, slot);
    const result = chain.advance({ skipBlock, withholdPayload, purchases, transfers });

    const post = chain.head.state;
    const commitment = result.block?.message.body.signed_payload_commitment.message;
    const empty = commitment !== undefined && isEmptyCommitment(commitment);
    const payload = !result.block ? "none" : empty ? "empty" : result.envelope ? "revealed" : "withheld";
    s.slots++;
    if (result.block) s.blocks++;
    else s.skippedSlots++;
    if (payload === "revealed") s.payloadsRevealed++;
    if (payload === "withheld") s.payloadsWithheld++;
    if (payload === "empty") s.emptyCommitments++;
    if (isSelfBuild(ticket)) s.selfBuiltSlots++;
    else s.ticketSlots++;
    const purchased = purchases.reduce((n, p) => n + p.message.count, 0);
    s.ticketsSold += purchased;
    s.ticketsTransferred += transfers.length;
    // Revenue leaves ticket_revenue at each epoch end (burned or paid out); count what was realised
    if (post.ticket_revenue < lastRevenue) s.revenueRealized += lastRevenue;
    lastRevenue = post.ticket_revenue;
    prices.push(post.ticket_price);

    yield {
      slot,
      epoch: computeEpochAtSlot(ctx, slot),
      block: result.block !== null,
      payload,
      selfBuilt: isSelfBuild(ticket),
      ticketPrice: post.ticket_price,
      poolSize: post.ticket_pool.length,
      purchased,
      transferred: transfers.length,
      justifiedEpoch: post.current_justified_checkpoint.epoch,
      finalizedEpoch: post.finalized_checkpoint.epoch,
      ticketRevenuePending: post.ticket_revenue,
    };
  }
  const wallMs = performance.now() - started;
  const final = chain.head.state;
  return {
    ...s,
    finalizedEpoch: final.finalized_checkpoint.epoch,
    justifiedEpoch: final.current_justified_checkpoint.epoch,
    price: {
      first: prices[0] ?? final.ticket_price,
      min: Math.min(...prices),
      max: Math.max(...prices),
      last: final.ticket_price,
    },
    poolSize: final.ticket_pool.length,
    wallMs: Math.round(wallMs),
    msPerSlot: opts.slots > 0 ? Math.round((wallMs / opts.slots) * 10) / 10 : 0,
  };
}

/** Now and then a holder sells one of its pooled tickets to another buyer (the price is off-chain). */
function resale(
  chain: DevChain,
  state: BeaconStateView,
  random: SeededRandom,
  purchasers: Set<number>,
): SignedTicketTransfer[] {
  const buyers = state.buyers.length;
  if (buyers < 2 || state.ticket_pool.length === 0 || random.next() >= 0.2) return [];
  const ticket = state.ticket_pool.getReadonly(Math.floor(random.next() * state.ticket_pool.length));
  const to = (ticket.owner + 1 + Math.floor(random.next() * (buyers - 1))) % buyers;
  // Purchases come before transfers in a block: a buyer that also purchased uses its next nonce
  const nonce = state.buyers.getReadonly(ticket.owner).nonce + (purchasers.has(ticket.owner) ? 1 : 0);
  return [chain.signTransfer(ticket.ticket_id, ticket.owner, to, nonce)];
}
