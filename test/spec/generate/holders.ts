/**
 * Vectors for the holders' market (secondary market, holder collateral, validator grants):
 * `operations/ticket_fill`, `operations/holder_slashing` and `sanity/blocks` cases. The
 * `epoch_processing/validator_ticket_grants` cases are written by epochProcessing.ts.
 */
import {
  type CachedBeaconState,
  computeEpochAtSlot,
  DOMAIN_PAYLOAD_COMMITMENT,
  getTicketAssignment,
  processSlotsCopy,
  SELF_BUILD_TICKET_ID,
  type SignedTicketOffer,
  sszTypes,
} from "@turnstile/ticket-state";
import { type DevChain, signObject } from "@turnstile/ticket-state/dev";
import type { PresetName } from "../lib/paths.ts";
import { newChain } from "./common.ts";
import { marketChain, memoChain, recordAt, recordChain } from "./fixtures.ts";
import { type MarketView, marketView, OperationCases, ticketsOf } from "./operations.ts";
import type { Output } from "./output.ts";
import { resign, stepsOf, writeBlocks } from "./sanity.ts";

/** Collateral used by the vectors: 0.005 ETH per ticket. */
const COLLATERAL = 5_000_000;
const PRICE = 7_000_000;

function collateralView(preset: PresetName, overrides = {}): MarketView {
  const recorded = marketChain(preset, { TICKET_COLLATERAL: COLLATERAL, ...overrides });
  const chain = recorded.chain;
  return { recorded, chain, headSlot: chain.slot, next: processSlotsCopy(chain.head, chain.slot + 1) };
}

export function ticketFillCases(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "ticket_fill");
  const { chain, next: pre } = marketView(preset);
  const { pooled, future, current } = ticketsOf(pre);
  const other = (i: number) => (i + 1) % pre.state.buyers.length;
  const expiry = pre.state.slot + 4;
  const p = pooled[0];
  const offerOf = (ticketId: number, opts: Parameters<DevChain["signOffer"]>[3] = {}, price = PRICE, exp = expiry) =>
    chain.signOffer(ticketId, price, exp, opts);
  const fill = (offer: SignedTicketOffer, buyer: number, signer = buyer) => chain.signFill(offer, buyer, signer);

  w.valid(
    "fill_pooled_ticket",
    "a pooled ticket and its price change hands",
    pre,
    fill(offerOf(p.ticket_id), other(p.owner)),
  );
  const f = future[future.length - 1];
  w.valid(
    "fill_assigned_ticket",
    `a ticket drawn for slot ${f.slot} (a later slot) is sold`,
    pre,
    fill(offerOf(f.ticket.ticket_id), other(f.ticket.owner)),
  );
  w.valid(
    "fill_at_expiry_slot",
    "the offer's expiry_slot is the block's slot: still fillable",
    pre,
    fill(offerOf(p.ticket_id, {}, PRICE, pre.state.slot), other(p.owner)),
  );
  w.valid(
    "fill_price_zero",
    "a gift through the market: price 0",
    pre,
    fill(offerOf(p.ticket_id, {}, 0), other(p.owner)),
  );
  w.invalid(
    "invalid_expired",
    "expiry_slot before the block's slot",
    pre,
    fill(offerOf(p.ticket_id, {}, PRICE, pre.state.slot - 1), other(p.owner)),
    "TICKET_OFFER_EXPIRED",
  );
  w.invalid(
    "invalid_self_fill",
    "the seller fills its own offer",
    pre,
    fill(offerOf(p.ticket_id), p.owner),
    "TICKET_SELF_FILL",
  );
  w.invalid(
    "invalid_unknown_buyer",
    "buyer past the registry",
    pre,
    { ...fill(offerOf(p.ticket_id), other(p.owner)), message: { offer: offerOf(p.ticket_id), buyer: 99 } },
    "TICKET_UNKNOWN_BUYER",
  );
  w.invalid(
    "invalid_not_owner",
    "the offer names (and is signed by) an account that does not own the ticket",
    pre,
    fill(offerOf(p.ticket_id, { seller: other(p.owner) }), other(other(p.owner))),
    "TICKET_NOT_OWNER",
  );
  w.invalid(
    "invalid_stale_offer",
    "the offer names an earlier ownership of the ticket (ticket_nonce below the ticket's)",
    mutatedNonce(pre, p.ticket_id),
    fill(offerOf(p.ticket_id), other(p.owner)),
    "TICKET_OFFER_STALE",
  );
  const balance = pre.state.buyers.getReadonly(other(p.owner)).balance;
  w.invalid(
    "invalid_insufficient_balance",
    "the price is one Gwei above the buyer's balance",
    pre,
    fill(offerOf(p.ticket_id, {}, balance + 1), other(p.owner)),
    "TICKET_INSUFFICIENT_BALANCE",
  );
  if (current.ticket_id !== SELF_BUILD_TICKET_ID) {
    w.invalid(
      "invalid_ticket_in_use",
      `the ticket of the current slot (${pre.state.slot}) can no longer be sold`,
      pre,
      fill(offerOf(current.ticket_id), other(current.owner)),
      "TICKET_NOT_TRANSFERABLE",
    );
  }
  w.invalid(
    "invalid_unknown_ticket",
    "ticket_id never issued",
    pre,
    fill(offerOf(pre.state.next_ticket_id + 5, { seller: 0 }), 1),
    "TICKET_UNKNOWN",
  );
  w.invalid(
    "invalid_offer_signed_by_buyer",
    "the offer names the owner but is signed by the buyer",
    pre,
    fill(offerOf(p.ticket_id, { signer: other(p.owner) }), other(p.owner)),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
  w.invalid(
    "invalid_fill_signed_by_seller",
    "the fill is signed by the seller, not the buyer",
    pre,
    fill(offerOf(p.ticket_id), other(p.owner), p.owner),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
  // With collateral: the buyer posts it, the seller gets its own back
  const c = collateralView(preset);
  const cp = ticketsOf(c.next).pooled[0];
  w.valid(
    "fill_with_collateral",
    `TICKET_COLLATERAL = ${COLLATERAL}: the buyer pays price + collateral, the seller receives both`,
    c.next,
    c.chain.signFill(c.chain.signOffer(cp.ticket_id, PRICE, expiry), other(cp.owner)),
  );
}

/** `pre` with ticket `id`'s nonce moved on, as after a sale and a sale back. */
function mutatedNonce(pre: CachedBeaconState, id: number): CachedBeaconState {
  const cs = pre.clone();
  const index = cs.caches.tickets.findInPool(cs.state, id);
  cs.state.ticket_pool.get(index).nonce += 2;
  return cs;
}

export function holderSlashingCases(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "holder_slashing");
  const view = collateralView(preset);
  const { chain, next: pre } = view;
  const slot = ticketedSlot(view);
  const good = chain.holderEquivocation(slot);
  const c1 = good.signed_commitment_1;
  const c2 = good.signed_commitment_2;
  const patch = (signed: typeof c1, fields: Partial<typeof c1.message>) => ({
    ...signed,
    message: { ...signed.message, ...fields },
  });
  w.valid("slash_assigned_ticket", `two commitments for slot ${slot}: the ticket's collateral is burnt`, pre, good);
  const toProposer = collateralView(preset, { COLLATERAL_SLASH_SINK: "proposer" });
  w.valid(
    "slash_to_proposer",
    "COLLATERAL_SLASH_SINK = proposer: the block's proposer is credited",
    toProposer.next,
    toProposer.chain.holderEquivocation(ticketedSlot(toProposer)),
  );
  // Settled slot: the collateral is in pending_collateral (slot 7 of the market chain was revealed)
  const settledSlot = pre.state.slot - 2;
  const earlier = recordAt(view.recorded, settledSlot - 1).head;
  const owner = getTicketAssignment(pre.ctx, earlier.state, settledSlot).owner;
  const sk = chain.buyerKeys[owner];
  const ticketId = getTicketAssignment(pre.ctx, earlier.state, settledSlot).ticket_id;
  const pending = pre.state.pending_collateral;
  let held = false;
  for (let i = 0; i < pending.length; i++) held ||= pending.getReadonly(i).slot === settledSlot;
  if (held) {
    w.valid(
      "slash_pending_collateral",
      `slot ${settledSlot} is settled: its collateral is taken from pending_collateral`,
      pre,
      equivocation(chain, pre, settledSlot, ticketId, sk),
    );
  }
  w.invalid(
    "invalid_slot_mismatch",
    "the commitments are for different slots",
    pre,
    { signed_commitment_1: c1, signed_commitment_2: patch(c2, { slot: slot + 1 }) },
    "HOLDER_SLASHING_SLOT_MISMATCH",
  );
  w.invalid(
    "invalid_ticket_mismatch",
    "the commitments name different tickets",
    pre,
    { signed_commitment_1: c1, signed_commitment_2: patch(c2, { ticket_id: c1.message.ticket_id + 1 }) },
    "HOLDER_SLASHING_TICKET_MISMATCH",
  );
  w.invalid(
    "invalid_same_commitment",
    "the same commitment twice",
    pre,
    { signed_commitment_1: c1, signed_commitment_2: c1 },
    "HOLDER_SLASHING_SAME_COMMITMENT",
  );
  w.invalid(
    "invalid_empty_commitment",
    "one commitment is empty (the proposer's, unsigned)",
    pre,
    { signed_commitment_1: c1, signed_commitment_2: patch(c2, { block_hash: new Uint8Array(32) }) },
    "HOLDER_SLASHING_EMPTY_COMMITMENT",
  );
  w.invalid(
    "invalid_self_build",
    "self-built commitments: a proposer posts no collateral",
    pre,
    {
      signed_commitment_1: patch(c1, { ticket_id: SELF_BUILD_TICKET_ID }),
      signed_commitment_2: patch(c2, { ticket_id: SELF_BUILD_TICKET_ID }),
    },
    "HOLDER_SLASHING_SELF_BUILD",
  );
  const slashedOnce = pre.clone();
  slashedOnce.state.ticket_assignments.get(slot % (pre.ctx.preset.TICKET_LOOKAHEAD_SLOTS + 1)).ticket.collateral = 0;
  w.invalid(
    "invalid_already_slashed",
    "the ticket's collateral for that slot was already slashed: slashed once only",
    slashedOnce,
    good,
    "HOLDER_SLASHING_NOT_SLASHABLE",
  );
  const noCollateral = marketView(preset);
  w.invalid(
    "invalid_no_collateral",
    "TICKET_COLLATERAL = 0: there is nothing to slash",
    noCollateral.next,
    noCollateral.chain.holderEquivocation(ticketedSlot(noCollateral)),
    "HOLDER_SLASHING_NOT_SLASHABLE",
  );
  w.invalid(
    "invalid_signed_by_another",
    "the second commitment is signed by another buyer's key",
    pre,
    { ...good, signed_commitment_2: { ...c2, signature: c1.signature } },
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

/** The first slot after the next one whose ticket is a holder's (not a self-build). */
function ticketedSlot(view: MarketView): number {
  const found = ticketsOf(view.next).future.find((f) => f.slot > view.next.state.slot);
  if (found === undefined) throw new Error("no ticketed slot in the lookahead");
  return found.slot;
}

/** The holder of (slot, ticket) signs two commitments that differ in their block hash. */
function equivocation(
  chain: DevChain,
  cs: CachedBeaconState,
  slot: number,
  ticketId: number,
  sk: DevChain["buyerKeys"][0],
) {
  const base = chain.holderEquivocation(ticketsOf(cs).future[0].slot);
  const make = (tag: number) => ({
    ...base.signed_commitment_1.message,
    slot,
    ticket_id: ticketId,
    block_hash: new Uint8Array(32).fill(tag),
  });
  const sign = (m: ReturnType<typeof make>) => ({ message: m, signature: signWith(cs, sk, m) });
  return { signed_commitment_1: sign(make(1)), signed_commitment_2: sign(make(2)) };
}

function signWith(
  cs: CachedBeaconState,
  sk: DevChain["buyerKeys"][0],
  m: ReturnType<typeof sszTypes.ExecutionPayloadCommitment.defaultValue>,
) {
  const epoch = computeEpochAtSlot(cs.ctx, m.slot);
  return signObject(cs, sk, sszTypes.ExecutionPayloadCommitment, m, DOMAIN_PAYLOAD_COMMITMENT, epoch);
}

/** Sanity: collateral slashed in whole blocks (withheld payload; equivocation evidence). */
export function holderSanity(out: Output, preset: PresetName): void {
  if (preset !== "minimal") return;
  const market = marketChain(preset, { TICKET_COLLATERAL: COLLATERAL, COLLATERAL_SLASH_SINK: "proposer" });
  writeBlocks(
    out,
    preset,
    "collateral_market_lifecycle",
    `the market chain with TICKET_COLLATERAL = ${COLLATERAL} paid to the proposer: slot 8's withheld payload slashes its holder's collateral on entering slot 9; slot 9's empty commitment does not; slot 6's missed ticket returns to the pool with its collateral`,
    market.genesis,
    stepsOf(market),
  );
  const equivocating = memoChain(`holders/equivocation/${preset}`, () =>
    recordChain(newChain(preset, { initialTicketsPerBuyer: 3 }, { TICKET_COLLATERAL: COLLATERAL }), 6, (chain, slot) =>
      slot === 3 ? { holderSlashings: [chain.holderEquivocation(6)] } : {},
    ),
  );
  writeBlocks(
    out,
    preset,
    "holder_equivocation_slashed",
    "slot 3's block carries evidence that slot 6's holder signed two commitments: its collateral is burnt, and it still commits and reveals at slot 6",
    equivocating.genesis,
    stepsOf(equivocating),
  );
  const record = recordAt(equivocating, 3);
  const block = equivocating.chain.ctx.ssz.BeaconBlock.clone(record.block!.message);
  block.body.holder_slashings = [...block.body.holder_slashings, ...block.body.holder_slashings];
  writeBlocks(
    out,
    preset,
    "invalid_holder_slashing_twice",
    "the same evidence twice in one block: the second finds no collateral left",
    record.preHead,
    [{ block: resign(equivocating.chain, record.preHead, block), envelope: null }],
    { error: "HOLDER_SLASHING_NOT_SLASHABLE" },
  );
}
