/** Largest integer x with x*x <= n (the spec's `integer_squareroot`), exact for all safe integers. */
export function integerSquareRoot(n: number): number {
  if (n < 0) throw new RangeError("integerSquareRoot of a negative number");
  let x = Math.floor(Math.sqrt(n));
  while (x * x > n) x--;
  while ((x + 1) * (x + 1) <= n) x++;
  return x;
}

/** Largest power of two not above n, for n >= 1. */
export function bitFloor(n: number): number {
  if (n < 1) return 0;
  return 2 ** Math.floor(Math.log2(n));
}

/** Integer division for non-negative safe integers. */
export function intDiv(a: number, b: number): number {
  return Math.floor(a / b);
}
