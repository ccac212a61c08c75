/**
 * Fuzz cases that once found a bug, kept with what the fixed code answers. A case is a function of
 * (seed, index) and of the generator in cases.ts: `mutation` and `detail` pin the input, so a change
 * of the generator that moves the case shows as a failed regression, to be found again with
 * `npm run fuzz -- --seed <seed>` and updated here.
 */
export interface RegressionCase {
  seed: number;
  index: number;
  mutation: string;
  /** The outcome once fixed: an error code, or ACCEPTED. */
  outcome: string;
  /** A part of the rejection's message or data that names the offending input (none for an accepted case). */
  detail?: string;
  bug: string;
}

export const REGRESSIONS: RegressionCase[] = [
  {
    seed: 1,
    index: 1269,
    mutation: "field/slot",
    outcome: "BLOCK_FUTURE_SLOT",
    detail: '"slot":4294967295',
    bug: "a block at slot 2^32 - 1 kept process_slots running through every empty slot: a hang",
  },
  {
    seed: 1,
    index: 15,
    mutation: "field/slot",
    outcome: "BLOCK_SLOT_OUT_OF_RANGE",
    detail: '"slot":null',
    bug: "a block at slot 2^64 - 1 (decoded as Infinity) never let process_slots end: a hang",
  },
  // Found on the code before c20d35b (fixed there, not by the fuzzer's author): the accepted block's
  // post-state could not go through the next epoch transition
  {
    seed: 1,
    index: 51,
    mutation: "field/proposer_slashing",
    outcome: "ACCEPTED",
    bug: "after a block with a proposer slashing, the epoch transition threw 'Must commit changes before reading all nodes'",
  },
  {
    seed: 1,
    index: 366,
    mutation: "field/attester_slashing",
    outcome: "ACCEPTED",
    bug: "after a block with an attester slashing, the epoch transition threw 'Must commit changes before reading all nodes'",
  },
];
