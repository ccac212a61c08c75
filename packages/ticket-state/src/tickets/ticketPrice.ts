/**
 * `compute_next_ticket_price`: an EIP-1559-shaped step toward a target. Off target, the price
 * moves by `price * min(|observed - target|, target) / target / quotient`, at least 1 Gwei,
 * never below `floor` nor above `ceiling` (so `count * price` stays exact). The distance is capped at `target` so that one step is at most
 * `price / quotient`, as in EIP-1559 (whose observed value cannot exceed twice the target; a pool
 * can, and an uncapped step would compound without bound while the pool drains one ticket a slot).
 * Integer arithmetic throughout (bigint for the product, which can pass 2^53).
 */
export function computeNextTicketPrice(
  price: number,
  observed: number,
  target: number,
  quotient: number,
  floor: number,
  ceiling: number,
): number {
  if (observed === target) return Math.min(Math.max(price, floor), ceiling);
  const distance = BigInt(Math.min(Math.abs(observed - target), target));
  const delta = Number((BigInt(price) * distance) / BigInt(target) / BigInt(quotient));
  const step = Math.max(delta, 1);
  if (observed > target) return Math.min(price + step, ceiling);
  return Math.max(price > step ? price - step : 0, floor);
}
