import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { ChainConfig } from "../config/chainConfig.ts";
import { CURVE_FIXED_POINT_BITS } from "../params/constants.ts";
import type { BeaconState, ExecutionTicket } from "../types/index.ts";

const ONE = 1n << BigInt(CURVE_FIXED_POINT_BITS);

/**
 * `compute_curve_price`: the price of the curve's point `n` (the ticket that takes the supply
 * from `n` to `n + 1`), `INITIAL_TICKET_PRICE * (1 + 1/BONDING_CURVE_GROWTH_QUOTIENT)^n` with
 * the power taken by square-and-multiply in fixed point (CURVE_FIXED_POINT_BITS fractional bits,
 * each product rounded down), capped at MAX_TICKET_PRICE.
 * Stops early once the cap is certain: the running product never falls below ONE and the squared
 * base never decreases, so a product or a still-needed base at the cap stays there.
 */
export function computeCurvePrice(config: ChainConfig, n: number): number {
  const initial = BigInt(config.INITIAL_TICKET_PRICE);
  const cap = BigInt(config.MAX_TICKET_PRICE);
  let base = ONE + ONE / BigInt(config.BONDING_CURVE_GROWTH_QUOTIENT);
  let result = ONE;
  let rest = n;
  while (rest > 0) {
    if (rest % 2 === 1) {
      result = (result * base) / ONE;
      if ((initial * result) / ONE >= cap) return config.MAX_TICKET_PRICE;
    }
    rest = Math.floor(rest / 2);
    if (rest === 0) break;
    base = (base * base) / ONE;
    if ((initial * base) / ONE >= cap) return config.MAX_TICKET_PRICE;
  }
  return Number((initial * result) / ONE);
}

/** `compute_curve_purchase_prices`: the prices of `count` tickets bought at supply `supply`, in order (non-decreasing). */
export function computeCurvePurchasePrices(config: ChainConfig, supply: number, count: number): number[] {
  const prices: number[] = [];
  for (let k = 0; k < count; k++) prices.push(computeCurvePrice(config, supply + k));
  return prices;
}

/** `compute_purchase_prices`: what each of `count` tickets bought now costs, in order; the last is the highest. */
export function computePurchasePrices(cs: CachedBeaconState, count: number): number[] {
  const { state, ctx } = cs;
  if (isBondingCurve(ctx.config)) return computeCurvePurchasePrices(ctx.config, state.ticket_curve_supply, count);
  return new Array<number>(count).fill(state.ticket_price);
}

/** `compute_curve_reserve`: what the reserve must hold at `supply`, the sum of the curve's points below it. */
export function computeCurveReserve(config: ChainConfig, supply: number): number {
  let reserve = 0;
  for (let i = 0; i < supply; i++) reserve += computeCurvePrice(config, i);
  return reserve;
}

export function isBondingCurve(config: ChainConfig): boolean {
  return config.TICKET_PRICING === "bonding_curve";
}

/** `mint_on_curve`: `count` new tickets paid `cost` into the reserve; the price becomes the next point. */
export function mintOnCurve(cs: CachedBeaconState, count: number, cost: number): void {
  const { state } = cs;
  state.ticket_curve_supply += count;
  state.ticket_curve_reserve += cost;
  state.ticket_price = computeCurvePrice(cs.ctx.config, state.ticket_curve_supply);
}

/**
 * `release_from_curve`: one outstanding ticket leaves the curve (sold back or settled); the top
 * point's price leaves the reserve and is returned for the caller to pay out. Keeps
 * `reserve == compute_curve_reserve(supply)`.
 */
export function releaseFromCurve(cs: CachedBeaconState): number {
  const { state } = cs;
  const supply = state.ticket_curve_supply - 1;
  const value = computeCurvePrice(cs.ctx.config, supply);
  state.ticket_curve_supply = supply;
  state.ticket_curve_reserve -= value;
  state.ticket_price = computeCurvePrice(cs.ctx.config, supply);
  return value;
}

/**
 * `release_ticket_value`: the Gwei a ticket takes with it when it leaves the market (used,
 * forfeited, refunded, expired): its escrowed price, or under `bonding_curve` the curve's top
 * point, released from the reserve.
 */
export function releaseTicketValue(cs: CachedBeaconState, ticket: ExecutionTicket): number {
  return isBondingCurve(cs.ctx.config) ? releaseFromCurve(cs) : ticket.price;
}

/** Prices of `count` genesis tickets after `issued` others: INITIAL_TICKET_PRICE, or the curve's points. */
export function genesisTicketPrices(config: ChainConfig, issued: number, count: number): number[] {
  if (isBondingCurve(config)) return computeCurvePurchasePrices(config, issued, count);
  return new Array<number>(count).fill(config.INITIAL_TICKET_PRICE);
}

/** Under `bonding_curve`, genesis tickets are the curve's first points: supply, reserve and price follow. */
export function initializeCurveAtGenesis(config: ChainConfig, state: BeaconState): void {
  if (!isBondingCurve(config)) return;
  const supply = state.ticket_pool.length;
  state.ticket_curve_supply = supply;
  state.ticket_curve_reserve = computeCurveReserve(config, supply);
  state.ticket_price = computeCurvePrice(config, supply);
}
