import {
  type CachedBeaconState,
  type ChainContext,
  createGenesisState,
  interopBuyerSecretKey,
  interopSecretKey,
  processSlots,
} from "@turnstile/ticket-state";

export interface BenchGenesisOptions {
  validatorCount: number;
  buyerCount: number;
  /** Tickets each buyer holds in the pool at genesis. */
  ticketsPerBuyer: number;
  buyerBalance?: number;
  /**
   * Distinct real interop keys, repeated over the registry. Deriving a key per validator is far
   * too slow for 262,144 validators; the pubkey cache deserializes by bytes, so repeats are cheap.
   */
  distinctKeys?: number;
}

const GWEI_PER_ETH = 1_000_000_000;

/** `count` validator pubkeys made of `distinct` real interop keys, repeated in order. */
export function repeatedValidatorPubkeys(count: number, distinct: number): Uint8Array[] {
  const keys = Array.from({ length: Math.min(distinct, count) }, (_, i) => interopSecretKey(i).toPublicKey().toBytes());
  return Array.from({ length: count }, (_, i) => keys[i % keys.length]);
}

/** A mainnet-shaped genesis state with a registry of `validatorCount` and funded buyers holding pooled tickets. */
export function buildGenesis(ctx: ChainContext, opts: BenchGenesisOptions): CachedBeaconState {
  const distinct = opts.distinctKeys ?? 16;
  const buyerKeys = Array.from({ length: Math.min(distinct, opts.buyerCount) }, (_, i) =>
    interopBuyerSecretKey(i).toPublicKey().toBytes(),
  );
  return createGenesisState(ctx, {
    genesisTime: 0,
    validatorPubkeys: repeatedValidatorPubkeys(opts.validatorCount, distinct),
    buyers: Array.from({ length: opts.buyerCount }, (_, i) => ({
      pubkey: buyerKeys[i % buyerKeys.length],
      balance: opts.buyerBalance ?? 1000 * GWEI_PER_ETH,
      initialTickets: opts.ticketsPerBuyer,
    })),
  });
}

/**
 * A copy of `cs` advanced through empty slots to `slot` (epoch transitions included), with its
 * root computed so that later clones share a fully hashed tree.
 */
export function advancedCopy(cs: CachedBeaconState, slot: number): CachedBeaconState {
  const copy = cs.clone();
  processSlots(copy, slot);
  copy.hashTreeRoot();
  return copy;
}

/** Participation flag bytes: source, target, head. */
const ALL_FLAGS = 0b111;
const SOURCE_AND_TARGET = 0b011;

/**
 * A realistic participation byte for validator `i`: ~95% all three flags, ~3% source+target
 * (late head vote), ~2% nothing (offline). Deterministic, spread over the registry.
 */
export function participationFlags(i: number, salt: number): number {
  const r = (Math.imul(i ^ salt, 2654435761) >>> 0) % 100;
  if (r < 95) return ALL_FLAGS;
  if (r < 98) return SOURCE_AND_TARGET;
  return 0;
}

/** Fill previous and current epoch participation with realistic flags, then commit and hash. */
export function setRealisticParticipation(cs: CachedBeaconState): void {
  const fields = cs.ctx.ssz.BeaconState.fields;
  const n = cs.state.validators.length;
  const previous = Array.from({ length: n }, (_, i) => participationFlags(i, 0x5eed));
  const current = Array.from({ length: n }, (_, i) => participationFlags(i, 0xc0ffee));
  cs.state.previous_epoch_participation = fields.previous_epoch_participation.toViewDU(previous);
  cs.state.current_epoch_participation = fields.current_epoch_participation.toViewDU(current);
  cs.hashTreeRoot();
}
