import { type BlockImport, type CheckpointHex, ForkChoice, type ProtoBlock } from "@turnstile/fork-choice";

export const SLOTS_PER_EPOCH = 8;
export const SECONDS_PER_SLOT = 4;
export const PTC_SIZE = 4;
export const VALIDATORS = 64;
export const BALANCE = 32;

export const root = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;
export const hashOf = (n: number): string => `0x${(n + 0x1000).toString(16).padStart(64, "0")}`;
export const ZERO = `0x${"0".repeat(64)}`;
const genesisCheckpoint: CheckpointHex = { epoch: 0, root: root(0) };

export const anchorBlock: ProtoBlock = {
  root: root(0),
  parentRoot: ZERO,
  slot: 0,
  stateRoot: ZERO,
  committedBlockHash: hashOf(0),
  parentBlockHash: ZERO,
  justified: genesisCheckpoint,
  finalized: genesisCheckpoint,
  unrealizedJustified: genesisCheckpoint,
  unrealizedFinalized: genesisCheckpoint,
  payloadKnown: true,
  ptcLength: PTC_SIZE,
  proposerIndex: 0,
};

export function newForkChoice(balances: number[] = new Array(VALIDATORS).fill(BALANCE)): ForkChoice {
  return new ForkChoice(
    { slotsPerEpoch: SLOTS_PER_EPOCH, secondsPerSlot: SECONDS_PER_SLOT, ptcSize: PTC_SIZE, genesisTime: 0 },
    anchorBlock,
    () => balances,
  );
}

/**
 * Block `n` at `slot` on `parent`; `onFull` says whether it builds on the parent's payload.
 * Its own committed payload hash is hashOf(n).
 */
export function block(
  n: number,
  slot: number,
  parent: number,
  onFull: boolean,
  extra: Partial<BlockImport> = {},
): BlockImport {
  return {
    root: root(n),
    parentRoot: root(parent),
    slot,
    stateRoot: ZERO,
    committedBlockHash: hashOf(n),
    parentBlockHash: onFull ? hashOf(parent) : hashOf(-1),
    justified: genesisCheckpoint,
    finalized: genesisCheckpoint,
    unrealizedJustified: genesisCheckpoint,
    unrealizedFinalized: genesisCheckpoint,
    ptcLength: PTC_SIZE,
    // One proposer per slot: two blocks of a slot are an equivocation
    proposerIndex: slot % VALIDATORS,
    ...extra,
  };
}

/** Move the store's clock to `slot` + `interval` quarters of a slot. */
export function tickTo(fc: ForkChoice, slot: number, interval = 0): void {
  fc.onTick(slot * SECONDS_PER_SLOT + (interval * SECONDS_PER_SLOT) / 4);
}
