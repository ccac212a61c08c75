/**
 * Vectors for the ticket auctions (`first_price_auction`, `second_price_auction`):
 * `operations/ticket_bid` (valid and invalid bids), `sanity/slots` (settlement on entering a
 * settlement slot, zero bids, slot-exact expiry) and `sanity/blocks` (bids over two auctions with a
 * missed slot, won tickets drawn and used; a posted-price purchase refused).
 */
import {
  type CachedBeaconState,
  type ChainConfig,
  computeOpenAuctionSlot,
  processSlotsCopy,
  sszTypes,
  type TicketBid,
} from "@turnstile/ticket-state";
import { type DevChain, type SlotPlan, signTicketBid } from "@turnstile/ticket-state/dev";
import type { PresetName } from "../lib/paths.ts";
import { mutated, newChain } from "./common.ts";
import { memoChain, type RecordedChain, recordChain } from "./fixtures.ts";
import { marketView, OperationCases } from "./operations.ts";
import type { Output } from "./output.ts";
import { resign, stepsOf, writeBlocks, writeSlots } from "./sanity.ts";

const M = 1_000_000; // MIN_TICKET_PRICE of the default configs: the reserve
const PERIOD = 4;
const auction = (rule: "first_price_auction" | "second_price_auction"): Partial<ChainConfig> => ({
  TICKET_PRICING: rule,
  TICKET_AUCTION_PERIOD_SLOTS: PERIOD,
  TICKETS_PER_AUCTION: 3,
});

/** Bids in two auctions (settling on entering 4 and 8), a missed slot (3), the won tickets used from slot 12. */
function auctionPlan(chain: DevChain, slot: number): SlotPlan {
  switch (slot) {
    case 1:
      return { bids: [chain.signBid(0, 2, 3 * M), chain.signBid(1, 1, 5 * M)] };
    case 2:
      return { bids: [chain.signBid(2, 1, 2 * M), chain.signBid(3, 2, 4 * M)] };
    case 3:
      return { skipBlock: true };
    case 5:
      return { bids: [chain.signBid(0, 1, 6 * M)] };
    case 6:
      return { bids: [chain.signBid(1, 3, 2 * M), chain.signBid(2, 1, 6 * M)] };
    default:
      return {};
  }
}

function auctionChain(preset: PresetName, overrides: Partial<ChainConfig>, slots: number): RecordedChain {
  return memoChain(`auctions/${preset}/${JSON.stringify(overrides)}/${slots}`, () =>
    recordChain(newChain(preset, { initialTicketsPerBuyer: 1 }, overrides), slots, auctionPlan),
  );
}

function signBid(chain: DevChain, cs: CachedBeaconState, message: TicketBid, signer = message.buyer_index) {
  return signTicketBid(cs, chain.buyerKeys[signer], message);
}

export function ticketBidCases(out: Output, preset: PresetName): void {
  const w = new OperationCases(out, preset, "ticket_bid");
  // the state a block of slot 6 meets: the auction settling on entering 8 is open and holds one bid
  const recorded = auctionChain(preset, auction("first_price_auction"), 5);
  const { chain } = recorded;
  const pre = processSlotsCopy(chain.head, chain.slot + 1);
  const open = computeOpenAuctionSlot(pre.ctx, pre.state.slot);
  const { MAX_TICKETS_PER_PURCHASE, TICKET_BID_BOOK_LIMIT } = pre.ctx.preset;
  const { MAX_TICKET_PRICE } = pre.ctx.config;
  const msg = (buyer: number, count: number, bidPrice: number, over: Partial<TicketBid> = {}): TicketBid => ({
    buyer_index: buyer,
    nonce: pre.state.buyers.getReadonly(buyer).nonce,
    count,
    bid_price: bidPrice,
    auction_slot: open,
    ...over,
  });
  const bid = (m: TicketBid, signer?: number) => signBid(chain, pre, m, signer);

  w.valid("bid_one", "one ticket at 3x the reserve, escrowed; the book had one bid", pre, bid(msg(1, 1, 3 * M)));
  w.valid(
    "bid_max_count",
    `MAX_TICKETS_PER_PURCHASE (${MAX_TICKETS_PER_PURCHASE}) tickets in one bid`,
    pre,
    bid(msg(3, MAX_TICKETS_PER_PURCHASE, 2 * M)),
  );
  w.valid("bid_at_reserve", "bid_price == MIN_TICKET_PRICE", pre, bid(msg(2, 2, M)));
  w.valid(
    "bid_second_of_account",
    "buyer 0 bids again in the auction it already bid in (next nonce)",
    pre,
    bid(msg(0, 1, 9 * M)),
  );
  w.valid(
    "bid_with_exact_balance",
    "the balance covers exactly count × bid_price and drops to 0",
    mutated(pre, (cs) => {
      cs.state.buyers.get(3).balance = 3 * 4 * M;
    }),
    bid(msg(3, 3, 4 * M)),
  );
  w.valid(
    "bid_at_max_price",
    "bid_price == MAX_TICKET_PRICE",
    mutated(pre, (cs) => {
      cs.state.buyers.get(3).balance = MAX_TICKET_PRICE;
    }),
    bid(msg(3, 1, MAX_TICKET_PRICE)),
  );
  const withCollateral = auctionChain(preset, { ...auction("second_price_auction"), TICKET_COLLATERAL: 2 * M }, 5);
  const collPre = processSlotsCopy(withCollateral.chain.head, withCollateral.chain.slot + 1);
  w.valid(
    "bid_with_collateral",
    "second_price_auction with TICKET_COLLATERAL = 2x reserve: count × (bid_price + collateral) escrowed",
    collPre,
    signBid(withCollateral.chain, collPre, {
      buyer_index: 1,
      nonce: collPre.state.buyers.getReadonly(1).nonce,
      count: 2,
      bid_price: 3 * M,
      auction_slot: open,
    }),
  );
  w.invalid(
    "invalid_insufficient_balance_for_collateral",
    "the balance covers count × bid_price but not the collateral",
    mutated(collPre, (cs) => {
      cs.state.buyers.get(1).balance = 2 * 3 * M;
    }),
    signBid(withCollateral.chain, collPre, {
      buyer_index: 1,
      nonce: collPre.state.buyers.getReadonly(1).nonce,
      count: 2,
      bid_price: 3 * M,
      auction_slot: open,
    }),
    "TICKET_INSUFFICIENT_BALANCE",
  );

  const posted = marketView(preset);
  w.invalid(
    "invalid_no_auction",
    "TICKET_PRICING pool_target: bids are refused",
    posted.next,
    signBid(posted.chain, posted.next, {
      buyer_index: 0,
      nonce: posted.next.state.buyers.getReadonly(0).nonce,
      count: 1,
      bid_price: 3 * M,
      auction_slot: computeOpenAuctionSlot(posted.next.ctx, posted.next.state.slot),
    }),
    "TICKET_BID_NO_AUCTION",
  );
  const unknown = msg(0, 1, 3 * M, { buyer_index: pre.state.buyers.length, nonce: 0 });
  w.invalid(
    "invalid_unknown_buyer",
    "buyer_index past the registry",
    pre,
    { message: unknown, signature: bid(msg(0, 1, 3 * M)).signature },
    "TICKET_UNKNOWN_BUYER",
  );
  w.invalid(
    "invalid_nonce_replayed",
    "nonce of the account's earlier bid",
    pre,
    bid(msg(0, 1, 3 * M, { nonce: pre.state.buyers.getReadonly(0).nonce - 1 })),
    "TICKET_WRONG_NONCE",
  );
  w.invalid("invalid_count_zero", "count 0", pre, bid(msg(1, 0, 3 * M)), "TICKET_BAD_COUNT");
  w.invalid(
    "invalid_count_above_max",
    "count MAX_TICKETS_PER_PURCHASE + 1",
    pre,
    bid(msg(1, MAX_TICKETS_PER_PURCHASE + 1, 3 * M)),
    "TICKET_BAD_COUNT",
  );
  w.invalid(
    "invalid_auction_settled",
    `auction_slot ${open - PERIOD}: the auction settled on entering it`,
    pre,
    bid(msg(1, 1, 3 * M, { auction_slot: open - PERIOD })),
    "TICKET_BID_AUCTION_CLOSED",
  );
  w.invalid(
    "invalid_auction_is_current_slot",
    "auction_slot == the block's slot (not after it)",
    pre,
    bid(msg(1, 1, 3 * M, { auction_slot: pre.state.slot })),
    "TICKET_BID_AUCTION_CLOSED",
  );
  w.invalid(
    "invalid_auction_next_period",
    `auction_slot ${open + PERIOD}: a later auction, not yet open`,
    pre,
    bid(msg(1, 1, 3 * M, { auction_slot: open + PERIOD })),
    "TICKET_BID_AUCTION_NOT_OPEN",
  );
  w.invalid(
    "invalid_auction_not_a_settlement_slot",
    `auction_slot ${open - 1}: after the block's slot but not a multiple of the period`,
    pre,
    bid(msg(1, 1, 3 * M, { auction_slot: open - 1 })),
    "TICKET_BID_AUCTION_NOT_OPEN",
  );
  w.invalid(
    "invalid_below_reserve",
    "bid_price one Gwei below MIN_TICKET_PRICE",
    pre,
    bid(msg(1, 1, M - 1)),
    "TICKET_BID_BELOW_RESERVE",
  );
  w.invalid(
    "invalid_above_max_price",
    "bid_price one Gwei above MAX_TICKET_PRICE",
    pre,
    bid(msg(1, 1, MAX_TICKET_PRICE + 1)),
    "TICKET_BID_ABOVE_MAX_PRICE",
  );
  w.invalid(
    "invalid_insufficient_balance",
    "balance one Gwei short of count × bid_price",
    mutated(pre, (cs) => {
      cs.state.buyers.get(3).balance = 3 * 4 * M - 1;
    }),
    bid(msg(3, 3, 4 * M)),
    "TICKET_INSUFFICIENT_BALANCE",
  );
  const fullBook = mutated(pre, (cs) => {
    const filler = sszTypes.TicketBid.toViewDU(msg(2, 1, M));
    while (cs.state.ticket_bids.length < TICKET_BID_BOOK_LIMIT) cs.state.ticket_bids.push(filler.clone());
  });
  w.invalid(
    "invalid_book_full",
    `the book holds TICKET_BID_BOOK_LIMIT (${TICKET_BID_BOOK_LIMIT}) bids`,
    fullBook,
    bid(msg(1, 1, 3 * M)),
    "TICKET_BID_BOOK_FULL",
  );
  w.invalid(
    "invalid_signature_other_account",
    "signed by another buyer's key",
    pre,
    bid(msg(1, 1, 3 * M), 2),
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
  w.invalid(
    "invalid_signature_other_message",
    "the signature is over a different bid_price",
    pre,
    { message: msg(1, 1, 4 * M), signature: bid(msg(1, 1, 3 * M)).signature },
    "BLOCK_INVALID_SIGNATURE",
    { blsSetting: 1 },
  );
}

export function auctionSanity(out: Output, preset: PresetName): void {
  if (preset !== "minimal") return;
  const slots = 14;
  for (const rule of ["first_price_auction", "second_price_auction"] as const) {
    const recorded = auctionChain(preset, auction(rule), slots);
    // the head after slot 2: four bids (6 tickets asked for, supply 3) wait for the settlement on entering 4
    writeSlots(
      out,
      preset,
      `${rule}_settlement`,
      `${rule}: bids 2@3M, 1@5M, 1@2M, 2@4M for 3 tickets; slot 3 empty, the auction settles on entering 4`,
      recorded.records[1].head,
      2,
    );
    writeBlocks(
      out,
      preset,
      `${rule}_market`,
      `${rule}, 3 tickets per 4-slot auction: bids in slots 1, 2, 5, 6; slot 3 missed; auctions settle on entering 4 and 8; won tickets drawn for slots 12 on and used`,
      recorded.genesis,
      stepsOf(recorded),
    );
  }
  const empty = newChain(preset, { initialTicketsPerBuyer: 1 }, auction("second_price_auction"));
  writeSlots(
    out,
    preset,
    "auction_zero_bids",
    "second_price_auction with no bids: the auctions on entering 4 and 8 sell nothing; ticket_price becomes the reserve",
    empty.head,
    9,
  );
  const expiring = memoChain(`auctions/expiry/${preset}`, () =>
    recordChain(
      newChain(
        preset,
        { initialTicketsPerBuyer: 0 },
        { ...auction("first_price_auction"), TICKETS_PER_AUCTION: 12, TICKET_EXPIRY_SLOTS: PERIOD },
      ),
      1,
      (c) => ({ bids: [c.signBid(0, 12, 2 * M)] }),
    ),
  );
  writeSlots(
    out,
    preset,
    "auction_ticket_expiry_slots",
    `TICKET_EXPIRY_SLOTS ${PERIOD}: 12 tickets won on entering ${PERIOD} take part in ${PERIOD} draws; the other 8 expire (refunded) on entering ${2 * PERIOD}`,
    expiring.chain.head,
    2 * PERIOD - 1,
  );

  // a posted-price purchase in a block under auction pricing makes the block invalid
  const recorded = auctionChain(preset, auction("first_price_auction"), slots);
  const record = recorded.records[0];
  const block = recorded.chain.ctx.ssz.BeaconBlock.clone(record.block!.message);
  block.body.ticket_purchases = [recorded.chain.signPurchase(2, 1, 10 * M, 0)];
  writeBlocks(
    out,
    preset,
    "invalid_purchase_under_auction",
    "first_price_auction: slot 1's block also carries a posted-price purchase",
    record.preHead,
    [{ block: resign(recorded.chain, record.preHead, block), envelope: null }],
    { error: "TICKET_PURCHASE_UNDER_AUCTION" },
  );
}
