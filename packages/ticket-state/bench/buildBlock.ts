import {
  type Attestation,
  type BeaconBlock,
  BitArray,
  type CachedBeaconState,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  getRandaoMix,
  getTicketAssignment,
  isAttestationSameSlot,
  isSelfBuild,
  PAYLOAD_STATUS_EMPTY,
  PAYLOAD_STATUS_FULL,
  type SignedTicketPurchase,
  type SignedTicketTransfer,
} from "@turnstile/ticket-state";

export interface BenchBlockOptions {
  attestations: number;
  purchases: number;
  transfers: number;
  /** Tickets bought by each purchase. */
  ticketsPerPurchase: number;
}

/** BLS is off in this benchmark: every signature is 96 zero bytes (never parsed). */
const ZERO_SIGNATURE = new Uint8Array(96);

/**
 * Single-committee Electra aggregates with every bit set, one per committee, walking back from
 * the slot before `pre.state.slot` over the current and previous epoch until `count` are made.
 * Votes carry the state's own roots and justified checkpoints so they earn flags (real work).
 */
export function buildAttestations(pre: CachedBeaconState, count: number): Attestation[] {
  const { ctx, state, epochCtx } = pre;
  const { SLOTS_PER_HISTORICAL_ROOT, MAX_COMMITTEES_PER_SLOT } = ctx.preset;
  const currentEpoch = computeEpochAtSlot(ctx, state.slot);
  const firstSlot = computeStartSlotAtEpoch(ctx, Math.max(currentEpoch - 1, 0));
  const attestations: Attestation[] = [];
  for (let slot = state.slot - 1; slot >= firstSlot && attestations.length < count; slot--) {
    const epoch = computeEpochAtSlot(ctx, slot);
    const source = (
      epoch === currentEpoch ? state.current_justified_checkpoint : state.previous_justified_checkpoint
    ).toValue();
    const target = {
      epoch,
      root: state.block_roots.get(computeStartSlotAtEpoch(ctx, epoch) % SLOTS_PER_HISTORICAL_ROOT),
    };
    const headRoot = state.block_roots.get(slot % SLOTS_PER_HISTORICAL_ROOT);
    const probe = { slot, index: 0, beacon_block_root: headRoot, source, target };
    const sameSlot = isAttestationSameSlot(ctx, state, probe);
    const available = state.execution_payload_availability.get(slot % SLOTS_PER_HISTORICAL_ROOT);
    const index = !sameSlot && available ? PAYLOAD_STATUS_FULL : PAYLOAD_STATUS_EMPTY;
    const committees = epochCtx.getCommitteeCountPerSlot(epoch);
    for (let c = 0; c < committees && attestations.length < count; c++) {
      const committee = epochCtx.getBeaconCommittee(slot, c);
      const committeeBits = BitArray.fromBitLen(MAX_COMMITTEES_PER_SLOT);
      committeeBits.set(c, true);
      const aggregationBits = BitArray.fromBitLen(committee.length);
      for (let i = 0; i < committee.length; i++) aggregationBits.set(i, true);
      attestations.push({
        aggregation_bits: aggregationBits,
        data: { ...probe, index },
        signature: ZERO_SIGNATURE,
        committee_bits: committeeBits,
      });
    }
  }
  if (attestations.length < count) {
    throw new Error(`only ${attestations.length} committees available for ${count} attestations`);
  }
  return attestations;
}

/** Buyers 0..purchases-1 each buy `ticketsPerPurchase` tickets at the current price, with their next nonce. */
export function buildPurchases(
  pre: CachedBeaconState,
  purchases: number,
  ticketsPerPurchase: number,
): SignedTicketPurchase[] {
  const { state } = pre;
  if (purchases > state.buyers.length) throw new Error("not enough buyers for the purchases");
  return Array.from({ length: purchases }, (_, buyer) => ({
    message: {
      buyer_index: buyer,
      nonce: state.buyers.getReadonly(buyer).nonce,
      count: ticketsPerPurchase,
      max_price: state.ticket_price,
    },
    signature: ZERO_SIGNATURE,
  }));
}

/**
 * Buyers 0..transfers-1 each hand one of their pooled tickets to the next buyer. A buyer that also
 * purchased in this block uses the nonce after its purchase (operations apply in body order).
 */
export function buildTransfers(pre: CachedBeaconState, transfers: number, purchases: number): SignedTicketTransfer[] {
  const { state } = pre;
  const buyerCount = state.buyers.length;
  if (transfers > buyerCount || buyerCount < 2) throw new Error("not enough buyers for the transfers");
  const pooledTicketOf = new Map<number, number>();
  for (let i = 0; i < state.ticket_pool.length && pooledTicketOf.size < transfers; i++) {
    const ticket = state.ticket_pool.getReadonly(i);
    if (ticket.owner < transfers && !pooledTicketOf.has(ticket.owner))
      pooledTicketOf.set(ticket.owner, ticket.ticket_id);
  }
  return Array.from({ length: transfers }, (_, from) => {
    const ticketId = pooledTicketOf.get(from);
    if (ticketId === undefined) throw new Error(`buyer ${from} holds no pooled ticket to transfer`);
    const nonce = state.buyers.getReadonly(from).nonce + (from < purchases ? 1 : 0);
    return {
      message: { ticket_id: ticketId, from, to: (from + 1) % buyerCount, nonce },
      signature: ZERO_SIGNATURE,
    };
  });
}

/**
 * A block for `pre.state.slot` (pre already advanced to it): the slot's proposer, the latest
 * header as parent, the operations above and a payload commitment for the slot's ticket
 * (from its holder, or a self-build when the pool drew none).
 */
export function buildBenchBlock(pre: CachedBeaconState, opts: BenchBlockOptions): BeaconBlock {
  const { ctx, state } = pre;
  const slot = state.slot;
  const parentRoot = state.latest_block_header.hashTreeRoot();
  const ticket = getTicketAssignment(ctx, state, slot);
  const body = ctx.ssz.BeaconBlockBody.defaultValue();
  body.randao_reveal = ZERO_SIGNATURE;
  body.attestations = buildAttestations(pre, opts.attestations);
  body.ticket_purchases = buildPurchases(pre, opts.purchases, opts.ticketsPerPurchase);
  body.ticket_transfers = buildTransfers(pre, opts.transfers, opts.purchases);
  body.signed_payload_commitment = {
    message: {
      slot,
      ticket_id: ticket.ticket_id,
      parent_block_hash: state.latest_block_hash,
      parent_block_root: parentRoot,
      block_hash: new Uint8Array(32).fill(0xb1),
      prev_randao: getRandaoMix(ctx, state, computeEpochAtSlot(ctx, slot)),
      fee_recipient: new Uint8Array(20).fill(isSelfBuild(ticket) ? 0xaa : 0xbb),
      gas_limit: 30_000_000,
    },
    signature: ZERO_SIGNATURE,
  };
  return {
    slot,
    proposer_index: pre.epochCtx.getBeaconProposer(slot),
    parent_root: parentRoot,
    state_root: new Uint8Array(32),
    body,
  };
}
