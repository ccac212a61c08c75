import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";

/** Signed distance `a - b`, capped at ±`cap`. */
function cappedDistance(a: number, b: number, cap: number): number {
  return Math.max(-cap, Math.min(cap, a - b));
}

/**
 * `compute_next_pi_ticket_price`: one step of a proportional-integral controller on the pool
 * size, in velocity form. The price moves by
 * `price * ((pool - previous_pool) / p_quotient + (pool - target) / i_quotient) / target`,
 * rounded toward zero, then kept in `[floor, ceiling]`. Summed over slots this is a positional PI
 * law on log-price: the integral lives in the price itself, so the state only needs the previous
 * pool size (unsigned) and the clamps cannot wind an integral up. The `pool_target` rule is the
 * integral term alone; against a pool that integrates sales that loop oscillates, and the
 * proportional term (on the pool's change, i.e. the net sales rate) is what damps it.
 * Both distances are capped at `target`, as in `compute_next_ticket_price`.
 */
export function computeNextPiTicketPrice(
  price: number,
  pool: number,
  previousPool: number,
  target: number,
  proportionalQuotient: number,
  integralQuotient: number,
  floor: number,
  ceiling: number,
): number {
  const change = cappedDistance(pool, previousPool, target);
  const error = cappedDistance(pool, target, target);
  // Over the common denominator target * p_quotient * i_quotient; bigint since price * numerator can pass 2^53
  const numerator = BigInt(change * integralQuotient + error * proportionalQuotient);
  const denominator = BigInt(target) * BigInt(proportionalQuotient) * BigInt(integralQuotient);
  const magnitude = (BigInt(price) * (numerator < 0n ? -numerator : numerator)) / denominator;
  const next = numerator >= 0n ? BigInt(price) + magnitude : BigInt(price) - magnitude;
  if (next <= BigInt(floor)) return floor;
  if (next >= BigInt(ceiling)) return ceiling;
  return Number(next);
}

/** `pi_pool_target` in `process_ticket_pricing`: one step on the pool as it is after the slot's draw. */
export function processPiTicketPricing(cs: CachedBeaconState): void {
  const { state, ctx } = cs;
  const c = ctx.config;
  const pool = state.ticket_pool.length;
  state.ticket_price = computeNextPiTicketPrice(
    state.ticket_price,
    pool,
    state.ticket_pricing_previous_pool_size,
    c.TARGET_TICKET_POOL_SIZE,
    c.TICKET_PRICE_PROPORTIONAL_QUOTIENT,
    c.TICKET_PRICE_INTEGRAL_QUOTIENT,
    c.MIN_TICKET_PRICE,
    c.MAX_TICKET_PRICE,
  );
  state.ticket_pricing_previous_pool_size = pool;
}
