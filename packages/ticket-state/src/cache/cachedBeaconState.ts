import type { ChainContext } from "../config/chainContext.ts";
import type { BeaconStateView } from "../types/index.ts";
import { readAllValues } from "../util/readAll.ts";
import { BuyerLocator } from "./buyerLocator.ts";
import { EpochContext } from "./epochContext.ts";
import { PubkeyCache } from "./pubkeyCache.ts";
import { ShufflingCache } from "./shufflingCache.ts";
import { TicketLocator } from "./ticketLocator.ts";

/** Caches that every state of one chain may share: append-only or validated on each read. */
export interface ChainCaches {
  pubkeys: PubkeyCache;
  tickets: TicketLocator;
  buyers: BuyerLocator;
  domains: Map<string, Uint8Array>;
  /** Epoch shufflings by decision root: forks and regen replays of one chain share them. */
  shufflings: ShufflingCache;
}

export function createChainCaches(): ChainCaches {
  return {
    pubkeys: new PubkeyCache(),
    tickets: new TicketLocator(),
    buyers: new BuyerLocator(),
    domains: new Map(),
    shufflings: new ShufflingCache(),
  };
}

/**
 * The tree-backed state plus its caches. Rules read committees, proposers and keys from the
 * caches and write only to `state`; `clone()` is cheap (structural sharing) and independent.
 */
export class CachedBeaconState {
  readonly ctx: ChainContext;
  state: BeaconStateView;
  epochCtx: EpochContext;
  readonly caches: ChainCaches;

  constructor(ctx: ChainContext, state: BeaconStateView, epochCtx: EpochContext, caches: ChainCaches) {
    this.ctx = ctx;
    this.state = state;
    this.epochCtx = epochCtx;
    this.caches = caches;
  }

  /** Wrap a state view, building its caches (`caches` to share with other states of the same chain). */
  static create(
    ctx: ChainContext,
    state: BeaconStateView,
    caches: ChainCaches = createChainCaches(),
  ): CachedBeaconState {
    caches.pubkeys.syncValidators(readAllValues(state.validators).map((v) => v.pubkey));
    return new CachedBeaconState(ctx, state, EpochContext.createFromState(ctx, state, caches.shufflings), caches);
  }

  /** Deserialize SSZ bytes into a cached state. */
  static fromBytes(ctx: ChainContext, bytes: Uint8Array, caches?: ChainCaches): CachedBeaconState {
    return CachedBeaconState.create(ctx, ctx.ssz.BeaconState.deserializeToViewDU(bytes), caches);
  }

  /** An independent copy. Pending changes are committed first: a ViewDU clone shares the committed tree only. */
  clone(): CachedBeaconState {
    this.state.commit();
    return new CachedBeaconState(this.ctx, this.state.clone(), this.epochCtx.copy(), this.caches);
  }

  hashTreeRoot(): Uint8Array {
    return this.state.hashTreeRoot();
  }

  serialize(): Uint8Array {
    return this.state.serialize();
  }
}
