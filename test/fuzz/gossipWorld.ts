/**
 * The valid gossip messages the gossip fuzzer mutates, on the nodes that judge them: a node under
 * a first-price ticket auction with holder collateral (bids, offers and their fills, holder
 * slashings, inclusion lists) and one under the bonding curve (sell-backs), both stepped to slot 4.
 */
import type { SecretKey } from "@chainsafe/blst";
import type { Type } from "@chainsafe/ssz";
import type { BeaconNode } from "@turnstile/node";
import {
  buildInclusionList,
  type CachedBeaconState,
  type ChainConfig,
  computeEpochAtSlot,
  createChainContext,
  DOMAIN_INCLUSION_LIST,
  getTicketAssignment,
  type HolderSlashing,
  interopBuyerSecretKey,
  interopSecretKey,
  isSelfBuild,
  minimalChainConfig,
  processSlotsCopy,
  type SignedInclusionList,
  type SignedTicketBid,
  type SignedTicketFill,
  type SignedTicketOffer,
  type SignedTicketSellBack,
  signObject,
  signPayloadCommitment,
  signTicketBid,
  signTicketFill,
  signTicketOffer,
  signTicketSellBack,
  sszTypes,
  toHex,
} from "@turnstile/ticket-state";
import { InclusionListPool } from "../../packages/node/src/chain/inclusionLists.ts";
import { steppedNode } from "../../packages/node/test/unit/helpers.ts";

export const GOSSIP_FUZZ_TOPICS = [
  "ticket_bid",
  "ticket_sell_back",
  "ticket_fill",
  "holder_slashing",
  "inclusion_list",
  "ticket_offer",
] as const;
export type FuzzTopic = (typeof GOSSIP_FUZZ_TOPICS)[number];

/** One topic's valid message, how the node imports it, and how to sign a changed copy again. */
export interface TopicSeed<T> {
  topic: FuzzTopic;
  node: BeaconNode;
  type: Type<T>;
  valid: T;
  importIt: (value: T) => void;
  /** Sign `value` again as its rightful signers would (after a field mutation). */
  resign: (value: T) => T;
  /** Sign `value` again under another domain (the right keys). */
  resignWrongDomain: (value: T) => T;
  /** Sign `value` again with keys that are not its signers'. */
  resignWrongKey: (value: T) => T;
}

export interface GossipWorld {
  seeds: { [K in FuzzTopic]: TopicSeed<unknown> };
  nodes: BeaconNode[];
  /** Empty the market pools and the inclusion lists seen (between cases). */
  reset: () => void;
  /** The node's state that must not change on a refusal: head, pools, inclusion lists. */
  snapshot: (node: BeaconNode) => string;
}

const COLLATERAL = 2_000_000;
const WRONG_DOMAIN = Uint8Array.from([0x20, 0, 0, 0]);

function marketNode(overrides: Partial<ChainConfig>) {
  const ctx = createChainContext({ ...minimalChainConfig, TICKET_COLLATERAL: COLLATERAL, ...overrides });
  const stepped = steppedNode({ ctx });
  stepped.run(1, 4);
  return stepped;
}

const epochOf = (cs: CachedBeaconState) => computeEpochAtSlot(cs.ctx, cs.state.slot);

/** Another account's key, for forgeries. */
const otherBuyerKey = (i: number): SecretKey => interopBuyerSecretKey((i + 1) % 4);

function bidSeed(node: BeaconNode): TopicSeed<SignedTicketBid> {
  const cs = node.chain.head().state;
  const message = {
    buyer_index: 1,
    nonce: cs.state.buyers.getReadonly(1).nonce + 5,
    count: 1,
    bid_price: 5_000_000,
    auction_slot: node.clock.currentSlot + 2,
  };
  const sign = (v: SignedTicketBid, key: SecretKey) => signTicketBid(cs, key, v.message);
  return {
    topic: "ticket_bid",
    node,
    type: sszTypes.SignedTicketBid,
    valid: sign({ message, signature: new Uint8Array(96) }, interopBuyerSecretKey(1)),
    importIt: (v) => node.importTicketBid(v),
    resign: (v) => sign(v, interopBuyerSecretKey(v.message.buyer_index)),
    resignWrongKey: (v) => sign(v, otherBuyerKey(v.message.buyer_index)),
    resignWrongDomain: (v) => ({
      message: v.message,
      signature: signObject(
        cs,
        interopBuyerSecretKey(v.message.buyer_index),
        sszTypes.TicketBid,
        v.message,
        WRONG_DOMAIN,
        epochOf(cs),
      ),
    }),
  };
}

function sellBackSeed(node: BeaconNode): TopicSeed<SignedTicketSellBack> {
  const cs = node.chain.head().state;
  const ticket = cs.state.ticket_pool.getReadonly(0);
  const message = {
    ticket_id: ticket.ticket_id,
    owner: ticket.owner,
    nonce: cs.state.buyers.getReadonly(ticket.owner).nonce + 3,
    min_price: 0,
  };
  const sign = (v: SignedTicketSellBack, key: SecretKey) => signTicketSellBack(cs, key, v.message, epochOf(cs));
  return {
    topic: "ticket_sell_back",
    node,
    type: sszTypes.SignedTicketSellBack,
    valid: sign({ message, signature: new Uint8Array(96) }, interopBuyerSecretKey(ticket.owner)),
    importIt: (v) => node.importTicketSellBack(v),
    resign: (v) => sign(v, interopBuyerSecretKey(v.message.owner)),
    resignWrongKey: (v) => sign(v, otherBuyerKey(v.message.owner)),
    resignWrongDomain: (v) => ({
      message: v.message,
      signature: signObject(
        cs,
        interopBuyerSecretKey(v.message.owner),
        sszTypes.TicketSellBack,
        v.message,
        WRONG_DOMAIN,
        epochOf(cs),
      ),
    }),
  };
}

/** Future slots (after the next) whose ticket a holder owns, per the head state. */
function ownedFutureSlots(node: BeaconNode): { slot: number; ticketId: number; owner: number; nonce: number }[] {
  const { state } = node.chain.head().state;
  const out = [];
  for (let slot = state.slot + 2; slot <= state.slot + node.ctx.preset.TICKET_LOOKAHEAD_SLOTS; slot++) {
    const ticket = getTicketAssignment(node.ctx, state, slot);
    if (!isSelfBuild(ticket)) out.push({ slot, ticketId: ticket.ticket_id, owner: ticket.owner, nonce: ticket.nonce });
  }
  return out;
}

function fillSeed(node: BeaconNode): TopicSeed<SignedTicketFill> {
  const cs = node.chain.head().state;
  const [sold] = ownedFutureSlots(node);
  if (!sold) throw new Error("gossip fuzz world: no holder's ticket to offer");
  const buyer = (sold.owner + 1) % 4;
  const sign = (v: SignedTicketFill, sellerKey: SecretKey, buyerKey: SecretKey): SignedTicketFill => {
    const offer = signTicketOffer(cs, sellerKey, v.message.offer.message);
    return signTicketFill(cs, buyerKey, { offer, buyer: v.message.buyer });
  };
  const offerMessage = {
    ticket_id: sold.ticketId,
    ticket_nonce: sold.nonce,
    seller: sold.owner,
    price: 3_000_000,
    expiry_slot: node.clock.currentSlot + 4,
  };
  const unsigned: SignedTicketFill = {
    message: { offer: { message: offerMessage, signature: new Uint8Array(96) }, buyer },
    signature: new Uint8Array(96),
  };
  const keysOf = (v: SignedTicketFill) =>
    [interopBuyerSecretKey(v.message.offer.message.seller), interopBuyerSecretKey(v.message.buyer)] as const;
  return {
    topic: "ticket_fill",
    node,
    type: sszTypes.SignedTicketFill,
    valid: sign(unsigned, ...keysOf(unsigned)),
    importIt: (v) => node.importTicketFill(v),
    resign: (v) => sign(v, ...keysOf(v)),
    // Either signer forged: the seller's offer or the buyer's fill
    resignWrongKey: (v) =>
      v.message.buyer % 2 === 0
        ? sign(v, otherBuyerKey(v.message.offer.message.seller), keysOf(v)[1])
        : sign(v, keysOf(v)[0], otherBuyerKey(v.message.buyer)),
    resignWrongDomain: (v) => {
      const [sellerKey, buyerKey] = keysOf(v);
      const offer = {
        message: v.message.offer.message,
        signature: signObject(cs, sellerKey, sszTypes.TicketOffer, v.message.offer.message, WRONG_DOMAIN, epochOf(cs)),
      };
      return signTicketFill(cs, buyerKey, { offer, buyer: v.message.buyer });
    },
  };
}

/** The fill seed's offer, alone: what a seller gossips on `ticket_offer`. */
function offerSeed(node: BeaconNode, fill: TopicSeed<SignedTicketFill>): TopicSeed<SignedTicketOffer> {
  const cs = node.chain.head().state;
  const sign = (v: SignedTicketOffer, key: SecretKey) => signTicketOffer(cs, key, v.message);
  return {
    topic: "ticket_offer",
    node,
    type: sszTypes.SignedTicketOffer,
    valid: fill.valid.message.offer,
    importIt: (v) => node.importTicketOffer(v),
    resign: (v) => sign(v, interopBuyerSecretKey(v.message.seller)),
    resignWrongKey: (v) => sign(v, otherBuyerKey(v.message.seller)),
    resignWrongDomain: (v) => ({
      message: v.message,
      signature: signObject(
        cs,
        interopBuyerSecretKey(v.message.seller),
        sszTypes.TicketOffer,
        v.message,
        WRONG_DOMAIN,
        epochOf(cs),
      ),
    }),
  };
}

function holderSlashingSeed(node: BeaconNode): TopicSeed<HolderSlashing> {
  const cs = node.chain.head().state;
  const [, slashed] = ownedFutureSlots(node);
  if (!slashed) throw new Error("gossip fuzz world: no second holder's ticket to slash");
  const holderKey = interopBuyerSecretKey(slashed.owner);
  const commitment = (fill: number) => ({
    slot: slashed.slot,
    ticket_id: slashed.ticketId,
    parent_block_hash: new Uint8Array(32),
    parent_block_root: new Uint8Array(32),
    block_hash: new Uint8Array(32).fill(fill),
    prev_randao: new Uint8Array(32),
    fee_recipient: new Uint8Array(20),
    gas_limit: 30_000_000,
  });
  const sign = (v: HolderSlashing, key: SecretKey): HolderSlashing => ({
    signed_commitment_1: signPayloadCommitment(cs, key, v.signed_commitment_1.message),
    signed_commitment_2: signPayloadCommitment(cs, key, v.signed_commitment_2.message),
  });
  return {
    topic: "holder_slashing",
    node,
    type: sszTypes.HolderSlashing,
    valid: sign(
      {
        signed_commitment_1: { message: commitment(1), signature: new Uint8Array(96) },
        signed_commitment_2: { message: commitment(2), signature: new Uint8Array(96) },
      },
      holderKey,
    ),
    importIt: (v) => node.importHolderSlashing(v),
    resign: (v) => sign(v, holderKey),
    resignWrongKey: (v) => ({ ...v, signed_commitment_2: sign(v, otherBuyerKey(slashed.owner)).signed_commitment_2 }),
    resignWrongDomain: (v) => ({
      ...v,
      signed_commitment_1: {
        message: v.signed_commitment_1.message,
        signature: signObject(
          cs,
          holderKey,
          sszTypes.ExecutionPayloadCommitment,
          v.signed_commitment_1.message,
          WRONG_DOMAIN,
          epochOf(cs),
        ),
      },
    }),
  };
}

/** A list of the next slot's proposer, of three synthetic transactions. */
function inclusionListSeed(node: BeaconNode): TopicSeed<SignedInclusionList> {
  const ctx = node.ctx;
  const slot = node.clock.currentSlot + 1;
  const pre = processSlotsCopy(node.chain.head().state, slot);
  const proposer = pre.epochCtx.getBeaconProposer(slot);
  const txs = [1, 2, 3].map((i) => new Uint8Array(40).fill(i));
  const sign = (v: SignedInclusionList, key: SecretKey): SignedInclusionList => ({
    message: v.message,
    signature: signObject(
      pre,
      key,
      ctx.ssz.InclusionList,
      v.message,
      DOMAIN_INCLUSION_LIST,
      computeEpochAtSlot(ctx, v.message.slot),
    ),
  });
  return {
    topic: "inclusion_list",
    node,
    type: ctx.ssz.SignedInclusionList,
    valid: buildInclusionList(pre, txs, interopSecretKey(proposer)),
    importIt: (v) => node.importInclusionList(v),
    resign: (v) => sign(v, interopSecretKey(v.message.proposer_index)),
    resignWrongKey: (v) => sign(v, interopSecretKey(v.message.proposer_index + 1)),
    resignWrongDomain: (v) => ({
      message: v.message,
      signature: signObject(
        pre,
        interopSecretKey(v.message.proposer_index),
        ctx.ssz.InclusionList,
        v.message,
        WRONG_DOMAIN,
        computeEpochAtSlot(ctx, v.message.slot),
      ),
    }),
  };
}

export function buildGossipWorld(): GossipWorld {
  const auction = marketNode({ TICKET_PRICING: "first_price_auction" }).node;
  const curve = marketNode({ TICKET_PRICING: "bonding_curve", TARGET_TICKET_POOL_SIZE: 64 }).node;
  const fill = fillSeed(auction);
  const seeds = {
    ticket_bid: bidSeed(auction),
    ticket_sell_back: sellBackSeed(curve),
    ticket_fill: fill,
    ticket_offer: offerSeed(auction, fill),
    holder_slashing: holderSlashingSeed(auction),
    inclusion_list: inclusionListSeed(auction),
  } as { [K in FuzzTopic]: TopicSeed<unknown> };
  const nodes = [auction, curve];
  const reset = () => {
    for (const node of nodes) {
      const { ticketBids, ticketSellBacks, ticketFills, holderSlashings } = node.pools;
      for (const pool of [ticketBids, ticketSellBacks, ticketFills, holderSlashings]) pool.retain(() => false);
      // The offer book is shared with the node's holders and sellers: emptied in place
      const book = node.offers as unknown as { byKey: Map<string, unknown>; seenUntil: Map<string, number> };
      book.byKey.clear();
      book.seenUntil.clear();
      // The lists seen are the pool's own: a fresh one on the node's clock
      (node as { inclusionLists: InclusionListPool }).inclusionLists = new InclusionListPool(
        node.chain,
        () => node.clock.time,
      );
    }
  };
  const snapshot = (node: BeaconNode) => {
    const head = node.chain.head();
    const { ticketBids, ticketSellBacks, ticketFills, holderSlashings } = node.pools;
    const lists = [-1, 0, 1, 2].map((d) => node.inclusionLists.seen(node.clock.currentSlot + d) ?? null);
    return JSON.stringify({
      head: head.root,
      state: toHex(head.state.state.hashTreeRoot()),
      bids: ticketBids.getAll().map((b) => toHex(sszTypes.SignedTicketBid.hashTreeRoot(b))),
      sellBacks: ticketSellBacks.getAll().map((s) => toHex(sszTypes.SignedTicketSellBack.hashTreeRoot(s))),
      fills: ticketFills.getAll().map((f) => toHex(sszTypes.SignedTicketFill.hashTreeRoot(f))),
      slashings: holderSlashings.getAll().map((s) => toHex(sszTypes.HolderSlashing.hashTreeRoot(s))),
      offers: node.offers.getAll().map((o) => toHex(sszTypes.SignedTicketOffer.hashTreeRoot(o))),
      lists: lists.map((l) => l && { ...l, transactions: l.transactions.map(toHex) }),
    });
  };
  return { seeds, nodes, reset, snapshot };
}
