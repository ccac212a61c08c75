/** Defaults of `npm run fuzz` and of the slice `npm test` runs. */
export const DEFAULT_SEED = 1;
export const DEFAULT_CASES = 10_000;
/** Per-case bound: a case normally takes milliseconds, the slowest (an epoch transition) a few hundred. */
export const DEFAULT_CASE_TIMEOUT_MS = 10_000;
