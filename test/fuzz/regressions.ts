/**
 * Fuzz cases that once found a bug, kept with the outcome the fixed code gives. Their mutation is
 * a function of (seed, index) and of the generator: if the generator changes, re-find the case.
 */
export interface RegressionCase {
  seed: number;
  index: number;
  /** The outcome once fixed: an error code, or ACCEPTED. */
  outcome: string;
  bug: string;
}

export const REGRESSIONS: RegressionCase[] = [
  {
    seed: 1,
    index: 12,
    outcome: "BLOCK_FUTURE_SLOT",
    bug: "a block slot far ahead (2^32 - 1) kept process_slots running through every empty slot: a hang",
  },
  {
    seed: 1,
    index: 54,
    outcome: "BLOCK_SLOT_OUT_OF_RANGE",
    bug: "a block slot above 2^53 (random bytes over the slot field) is not an exact integer: process_slots never ended",
  },
];
