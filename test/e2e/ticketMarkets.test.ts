import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { compact, runDevnet } from "./runDevnet.ts";

/*
 * The market mechanisms not run by ticketAuction.test.ts, each on a short devnet of two real node
 * processes (minimal preset, 1-second slots, 4 or 5 epochs: first finality at the end of epoch 3),
 * the two devnets side by side. While a devnet runs, a watcher reads node 0's REST API at every new
 * head (the block, and the whole state from the debug endpoint); the assertions are on those
 * blocks and states, checked against the spec's rules written out here, not against the code's.
 */

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const VALIDATORS = 16;
const BUYERS = 4;
const NODES = 2;
const EPOCHS = 4;
const CURVE_BUYERS = 8;
/**
 * Grants are minted from epoch 2 on and drawn at random from the pool, TICKET_LOOKAHEAD_SLOTS (8)
 * ahead: with 4 epochs only the first epoch's sold grants have a few draws before the end; a fifth
 * gives the second epoch's theirs too.
 */
const GRANT_EPOCHS = 5;

// biome-ignore lint/suspicious/noExplicitAny: the Beacon API's JSON, read field by field
type Json = any;

/** A head node 0 showed: its block and the state after it. */
interface Observed {
  slot: number;
  root: string;
  block: Json;
  state: Json;
}

/** Node 0's heads and its chain config, read while the devnet runs. */
interface Watch {
  bySlot: Map<number, Observed>;
  spec: Record<string, string>;
}

async function getJson(apiPort: number, path: string): Promise<Json | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/** Read node 0's API every 200 ms until `done()`: each new head's block and state. */
async function watch(apiPort: number, done: () => boolean): Promise<Watch> {
  const bySlot = new Map<number, Observed>();
  let spec: Record<string, string> = {};
  while (!done()) {
    await new Promise((r) => setTimeout(r, 200));
    if (Object.keys(spec).length === 0) spec = (await getJson(apiPort, "/eth/v1/config/spec"))?.data ?? {};
    const header = (await getJson(apiPort, "/eth/v1/beacon/headers/head"))?.data;
    if (!header) continue;
    const slot = Number(header.header.message.slot);
    if (bySlot.get(slot)?.root === header.root) continue;
    const [block, state] = await Promise.all([
      getJson(apiPort, `/eth/v2/beacon/blocks/${header.root}`),
      getJson(apiPort, "/eth/v2/debug/beacon/states/head"),
    ]);
    // The head may have moved between the reads: keep only a matching pair
    if (!block || !state || Number(state.data.slot) !== slot) continue;
    bySlot.set(slot, { slot, root: header.root, block: block.data.message, state: state.data });
  }
  return { bySlot, spec };
}

/** Run a devnet with `args` and watch node 0 meanwhile. */
async function watchedDevnet(args: string[], apiPort: number, timeoutMs: number) {
  let finished = false;
  const watching = watch(apiPort, () => finished);
  const run = await runDevnet(args, timeoutMs).finally(() => {
    finished = true;
  });
  return { ...run, watched: await watching };
}

/** `turnstile devnet` arguments for two nodes and 1-second slots, with its ports and `extra`. */
function devnetArgs(port: number, extra: string[], { buyers = BUYERS, epochs = EPOCHS } = {}): string[] {
  return [
    ...["--nodes", String(NODES), "--validators", String(VALIDATORS), "--buyers", String(buyers)],
    ...["--seconds-per-slot", "1", "--epochs", String(epochs), "--withhold-rate", "0"],
    ...["--p2p-port", String(19000 + port), "--api-port", String(15000 + port)],
    ...extra,
  ];
}

/** Pairs (block s-1, block s) on the canonical chain of the last head seen, both watched. */
function consecutive(w: Watch): [Observed, Observed][] {
  const byRoot = new Map([...w.bySlot.values()].map((o) => [o.root, o]));
  const last = [...w.bySlot.values()].sort((a, b) => b.slot - a.slot)[0];
  const chain: Observed[] = [];
  for (let o: Observed | undefined = last; o; o = byRoot.get(o.block.parent_root)) chain.unshift(o);
  const pairs: [Observed, Observed][] = [];
  for (let i = 1; i < chain.length; i++) {
    if (chain[i].slot === chain[i - 1].slot + 1) pairs.push([chain[i - 1], chain[i]]);
  }
  return pairs;
}

/** A buyer account's balance in a state. */
const balance = (state: Json, buyer: number) => BigInt(state.buyers[buyer].balance);

/** Balance changes the block's fills make (the spec's process_ticket_fill), by account. */
function fillDeltas(block: Json, state: Json): Map<number, bigint> {
  const deltas = new Map<number, bigint>();
  const add = (account: number, v: bigint) => deltas.set(account, (deltas.get(account) ?? 0n) + v);
  for (const f of block.body.ticket_fills) {
    const offer = f.message.offer.message;
    const collateral = BigInt(ticketById(state, Number(offer.ticket_id))?.collateral ?? 0);
    add(Number(f.message.buyer), -(BigInt(offer.price) + collateral));
    add(Number(offer.seller), BigInt(offer.price) + collateral);
  }
  return deltas;
}

/** A ticket in a state's pool or assignment ring. */
function ticketById(state: Json, id: number): Json | null {
  for (const t of state.ticket_pool) if (Number(t.ticket_id) === id) return t;
  for (const a of state.ticket_assignments) if (Number(a.ticket.ticket_id) === id) return a.ticket;
  return null;
}

/** Whether `execution_payload_availability` (a Bitvector's JSON hex) has `slot`'s bit: its payload is on chain. */
function payloadAvailable(state: Json, slot: number, slotsPerHistoricalRoot: number): boolean {
  const bytes = Buffer.from(String(state.execution_payload_availability).slice(2), "hex");
  const bit = slot % slotsPerHistoricalRoot;
  return ((bytes[bit >> 3] >> (bit & 7)) & 1) === 1;
}

/** The spec's compute_curve_price (square-and-multiply in fixed point, capped), on BigInts. */
function curvePrice(spec: Record<string, string>, n: number): bigint {
  const one = 1n << BigInt(spec.CURVE_FIXED_POINT_BITS ?? 64);
  let base = one + one / BigInt(spec.BONDING_CURVE_GROWTH_QUOTIENT);
  let result = one;
  for (let k = BigInt(n); k > 0n; k >>= 1n) {
    if (k & 1n) result = (result * base) / one;
    base = (base * base) / one;
  }
  const price = (BigInt(spec.INITIAL_TICKET_PRICE) * result) / one;
  const max = BigInt(spec.MAX_TICKET_PRICE);
  return price < max ? price : max;
}

describe("ticket markets on devnets of real node processes", { concurrency: 2 }, () => {
  it("second_price_auction with validator grants sold (--sell-grants 0): winners pay the second bid, losers are refunded, node 0's granted tickets are offered on gossip, filled by node 1's holders, who build their slots", {
    timeout: 75_000,
  }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-market-"));
    dirs.push(dir);
    const config = join(dir, "config.yaml");
    writeFileSync(config, "VALIDATOR_TICKET_GRANTS_PER_EPOCH: 8\n");
    const port = 600;
    const { code, summary, output, watched } = await watchedDevnet(
      devnetArgs(port, ["--config", config, "--pricing", "second_price_auction", "--sell-grants", "0"], {
        epochs: GRANT_EPOCHS,
      }),
      15000 + port,
      70_000,
    );
    const context = `${compact(summary)}\n${output.slice(-1500)}`;
    assert.equal(code, 0, context);
    assert.equal(summary.pricing, "second_price_auction");
    assert.ok(summary.headsAgree && summary.finalizedAgree, context);
    assert.ok(
      summary.finalizedEpochPerNode.every((e) => e !== null && e >= 1),
      context,
    );
    const { spec } = watched;
    const reserve = BigInt(spec.MIN_TICKET_PRICE);
    const collateral = BigInt(spec.TICKET_COLLATERAL);

    // Auctions: state(s-1)'s book holds the bids for auction s, settled entering s (one ticket each)
    let settled = 0;
    let belowTopBid = 0;
    let refundsChecked = 0;
    for (const [before, after] of consecutive(watched)) {
      const bids: Json[] = before.state.ticket_bids;
      if (bids.length === 0 || bids.some((b) => Number(b.count) !== 1 || Number(b.auction_slot) !== after.slot))
        continue;
      // Highest price wins, ties by inclusion order; the clearing price is the best losing bid, or the reserve
      const ranked = bids
        .map((b, i) => ({ b, i }))
        .sort((x, y) => Number(y.b.bid_price) - Number(x.b.bid_price) || x.i - y.i);
      const winner = ranked[0].b;
      const second = ranked[1] ? BigInt(ranked[1].b.bid_price) : reserve;
      const clearing = second > reserve ? second : reserve;
      assert.equal(BigInt(after.state.ticket_price), clearing, `auction ${after.slot}: the price is the second bid`);
      // The last ticket minted entering s: grants of an epoch transition come before the settlement
      const ticket = ticketById(after.state, Number(after.state.next_ticket_id) - 1);
      assert.ok(ticket, `auction ${after.slot}: the winner's ticket was issued`);
      assert.equal(Number(ticket.owner), Number(winner.buyer_index), `auction ${after.slot}: the highest bidder won`);
      assert.equal(BigInt(ticket.price), clearing, `auction ${after.slot}: the winner pays the clearing price`);
      settled++;
      if (clearing < BigInt(winner.bid_price)) belowTopBid++;
      // Balances across the slot: the refund (overpayment, or a loser's whole escrow), less what block s
      // escrowed for the next auction, plus its fills; nothing else moves a buyer's balance here
      const fills = fillDeltas(after.block, before.state);
      for (const { b } of ranked) {
        const buyer = Number(b.buyer_index);
        const refund = b === winner ? BigInt(b.bid_price) - clearing : BigInt(b.bid_price) + collateral;
        let escrowed = 0n;
        for (const next of after.block.body.ticket_bids) {
          if (Number(next.message.buyer_index) === buyer)
            escrowed += BigInt(next.message.count) * (BigInt(next.message.bid_price) + collateral);
        }
        const expected = refund - escrowed + (fills.get(buyer) ?? 0n);
        assert.equal(
          balance(after.state, buyer) - balance(before.state, buyer),
          expected,
          `auction ${after.slot}: buyer ${buyer}'s balance`,
        );
        refundsChecked++;
      }
    }
    assert.ok(settled >= 20, `auctions checked: ${settled}`);
    // Fills settle atomically: the ticket changes owner (a new ownership nonce), the seller is paid
    let fillsSettled = 0;
    for (const [before, after] of consecutive(watched)) {
      for (const f of after.block.body.ticket_fills) {
        const offer = f.message.offer.message;
        const ticket = ticketById(after.state, Number(offer.ticket_id));
        if (ticket === null) continue; // used entering a later slot: gone from the ring and the pool
        assert.equal(Number(ticket.owner), Number(f.message.buyer), `slot ${after.slot}: the buyer owns the ticket`);
        assert.equal(Number(ticket.nonce), Number(offer.ticket_nonce) + 1, `slot ${after.slot}: a new ownership`);
        const seller = Number(offer.seller);
        if (!after.block.body.ticket_bids.some((b: Json) => Number(b.message.buyer_index) === seller)) {
          assert.equal(
            balance(after.state, seller) - balance(before.state, seller),
            fillDeltas(after.block, before.state).get(seller),
            `slot ${after.slot}: the seller received the price`,
          );
        }
        fillsSettled++;
      }
    }
    assert.ok(fillsSettled > 0, "fills settled on chain");
    assert.ok(belowTopBid > 0, "some winner paid less than its own bid");
    assert.ok(refundsChecked > settled, "losers' refunds were checked");

    // Grants: node 0's validators offered theirs on ticket_offer, node 1 took them into its book, and
    // node 1's holders' fills came back to node 0 (node 1's validators use their grants themselves)
    const [node0, node1] = summary.marketGossipAcceptedPerNode as (Record<string, number> | null)[];
    assert.ok(node1 !== null && node1.ticket_offer > 0, context);
    assert.ok(node0 !== null && node0.ticket_fill > 0, context);
    // A fill of a validator's granted ticket by a holder on the other node, which then built that ticket's slot
    const last = [...watched.bySlot.values()].sort((a, b) => b.slot - a.slot)[0];
    const validatorNode = new Map<string, number>();
    for (const [i, v] of (last.state.validators as Json[]).entries()) {
      validatorNode.set(v.pubkey, Math.floor((i * NODES) / VALIDATORS));
    }
    const buyerNode = (b: number) => Math.floor((b * NODES) / BUYERS);
    const crossFills: { ticketId: number; buyer: number }[] = [];
    for (const o of watched.bySlot.values()) {
      for (const f of o.block.body.ticket_fills) {
        const offer = f.message.offer.message;
        const sellerNode = validatorNode.get(o.state.buyers[Number(offer.seller)].pubkey);
        const buyer = Number(f.message.buyer);
        if (sellerNode !== undefined && sellerNode !== buyerNode(buyer)) {
          crossFills.push({ ticketId: Number(offer.ticket_id), buyer });
        }
      }
    }
    assert.ok(crossFills.length > 0, `no granted ticket filled across nodes; ${context}`);
    const sphr = Number(spec.SLOTS_PER_HISTORICAL_ROOT);
    const built = [...watched.bySlot.values()].filter((o) => {
      const commitment = o.block.body.signed_payload_commitment.message;
      const fill = crossFills.find((f) => f.ticketId === Number(commitment.ticket_id));
      const assigned = o.state.ticket_assignments.find((a: Json) => Number(a.slot) === o.slot);
      return (
        fill !== undefined &&
        Number(assigned?.ticket.owner) === fill.buyer &&
        Number(commitment.slot) === o.slot &&
        payloadAvailable(last.state, o.slot, sphr)
      );
    });
    if (process.env.DEBUG_MARKET) {
      for (const o of [...watched.bySlot.values()].sort((a, b) => a.slot - b.slot)) {
        const a = o.state.ticket_assignments.find((x: Json) => Number(x.slot) === o.slot);
        const fills = o.block.body.ticket_fills.map(
          (f: Json) => `${f.message.offer.message.ticket_id}->${f.message.buyer}`,
        );
        t.diagnostic(
          `slot ${o.slot} ticket ${a?.ticket.ticket_id}/${a?.ticket.owner} pool ${o.state.ticket_pool.length} [${o.state.ticket_pool.map((x: Json) => `${x.ticket_id}/${x.owner}`).join(" ")}] fills ${fills.join(",")} avail ${payloadAvailable(last.state, o.slot, sphr)}`,
        );
      }
    }
    t.diagnostic(
      `auctions checked ${settled} (${belowTopBid} below the top bid), balances ${refundsChecked}, fills settled ${fillsSettled}, cross-node fills ${crossFills.length}, built by their buyer ${built.length}`,
    );
    assert.ok(
      built.length > 0,
      `a granted ticket bought across nodes was drawn and its buyer revealed the payload; fills ${JSON.stringify(crossFills)}`,
    );
  });

  it("bonding_curve: the price follows the curve as holders buy and sell back, buyers pay and sellers receive the curve's points", {
    timeout: 75_000,
  }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "turnstile-market-"));
    dirs.push(dir);
    // A steeper curve than minimal's (mainnet's quotient) and more holders, with valuations closer
    // together: within 4 epochs the price passes one holder's valuation after another, and each then
    // sells back what it bought while the higher ones still buy
    const config = join(dir, "config.yaml");
    writeFileSync(config, "BONDING_CURVE_GROWTH_QUOTIENT: 16\n");
    const port = 700;
    const { code, summary, output, watched } = await watchedDevnet(
      devnetArgs(port, ["--config", config, "--pricing", "bonding_curve"], { buyers: CURVE_BUYERS }),
      15000 + port,
      70_000,
    );
    const context = `${compact(summary)}\n${output.slice(-1500)}`;
    assert.equal(code, 0, context);
    assert.equal(summary.pricing, "bonding_curve");
    assert.ok(summary.headsAgree && summary.finalizedAgree, context);
    assert.ok(
      summary.finalizedEpochPerNode.every((e) => e !== null && e >= 1),
      context,
    );
    const { spec } = watched;
    const feeQuotient = BigInt(spec.TICKET_SELL_BACK_FEE_QUOTIENT);
    // Every state: the price is the curve's next point and the reserve the sum of the points below the supply
    const supplies = new Set<number>();
    for (const o of watched.bySlot.values()) {
      const supply = Number(o.state.ticket_curve_supply);
      supplies.add(supply);
      assert.equal(BigInt(o.state.ticket_price), curvePrice(spec, supply), `slot ${o.slot}: price on the curve`);
      let reserve = 0n;
      for (let i = 0; i < supply; i++) reserve += curvePrice(spec, i);
      assert.equal(BigInt(o.state.ticket_curve_reserve), reserve, `slot ${o.slot}: reserve`);
    }
    assert.ok(supplies.size > 2, `the supply moved: ${[...supplies].join(",")}`);

    // Block by block: purchases climb the curve from the supply on entering the slot, then sell-backs
    // pay the top point less the fee (the spec's order of operations)
    let purchases = 0;
    let sellBacks = 0;
    for (const [before, after] of consecutive(watched)) {
      const body = after.block.body;
      if (body.ticket_purchases.length === 0 && body.ticket_sell_backs.length === 0) continue;
      const bought = body.ticket_purchases.reduce((n: number, p: Json) => n + Number(p.message.count), 0);
      let supply = Number(after.state.ticket_curve_supply) - bought + body.ticket_sell_backs.length;
      const deltas = new Map<number, bigint>();
      const add = (account: number, v: bigint) => deltas.set(account, (deltas.get(account) ?? 0n) + v);
      for (const p of body.ticket_purchases) {
        for (let k = 0; k < Number(p.message.count); k++) {
          add(Number(p.message.buyer_index), -(curvePrice(spec, supply) + BigInt(spec.TICKET_COLLATERAL)));
          supply++;
          purchases++;
        }
      }
      for (const s of body.ticket_sell_backs) {
        const value = curvePrice(spec, supply - 1);
        const fee = feeQuotient === 0n ? 0n : value / feeQuotient;
        const ticket = ticketById(before.state, Number(s.message.ticket_id));
        add(Number(s.message.owner), value - fee + BigInt(ticket?.collateral ?? 0));
        supply--;
        sellBacks++;
      }
      for (const [buyer, delta] of deltas) {
        assert.equal(
          balance(after.state, buyer) - balance(before.state, buyer),
          delta,
          `slot ${after.slot}: buyer ${buyer} paid or received the curve's points`,
        );
      }
    }
    t.diagnostic(
      `states on the curve ${watched.bySlot.size}, supplies ${[...supplies].join(",")}, purchases ${purchases}, sell-backs ${sellBacks}`,
    );
    assert.ok(purchases > 0, "holders bought on the curve");
    assert.ok(sellBacks >= 3, `holders sold back: ${context}`);
    // ... and the price came down the curve with the supply
    const series = [...watched.bySlot.values()].sort((a, b) => a.slot - b.slot);
    assert.ok(
      series.some(
        (o, i) =>
          i > 0 &&
          Number(o.state.ticket_curve_supply) < Number(series[i - 1].state.ticket_curve_supply) &&
          BigInt(o.state.ticket_price) < BigInt(series[i - 1].state.ticket_price),
      ),
      "the price fell with the supply",
    );
    for (const accepted of summary.marketGossipAcceptedPerNode as (Record<string, number> | null)[]) {
      assert.ok(accepted !== null, context);
    }
    assert.ok(
      (summary.marketGossipAcceptedPerNode as (Record<string, number> | null)[]).some(
        (a) => (a?.ticket_sell_back ?? 0) > 0,
      ),
      `a sell-back crossed the network: ${context}`,
    );
    assert.ok(summary.payloadRate > 0.6, context);
  });
});
