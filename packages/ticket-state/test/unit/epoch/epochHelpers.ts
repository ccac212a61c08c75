import { CachedBeaconState, type ChainContext, createGenesisState, interopSecretKey } from "@turnstile/ticket-state";

const pubkeys: Uint8Array[] = [];

/** Interop pubkey `i` (derived once per process). */
export function interopPubkey(i: number): Uint8Array {
  while (pubkeys.length <= i) pubkeys.push(interopSecretKey(pubkeys.length).toPublicKey().toBytes());
  return pubkeys[i];
}

export interface HandValidator {
  effectiveBalance: number;
  balance?: number;
  /** Participation flags in the previous epoch (bit 0 source, 1 target, 2 head). */
  previousFlags?: number;
  slashed?: boolean;
  activationEpoch?: number;
}

/**
 * A state set up by hand at `slot`: `validators.length` interop validators with the given effective
 * balances, balances and previous-epoch flags; caches rebuilt from the edited state.
 */
export function handMadeState(ctx: ChainContext, slot: number, validators: HandValidator[]): CachedBeaconState {
  const genesis = createGenesisState(ctx, {
    genesisTime: 0,
    validatorPubkeys: validators.map((_, i) => interopPubkey(i)),
    buyers: [],
  });
  const state = genesis.state;
  state.slot = slot;
  for (const [i, v] of validators.entries()) {
    const view = state.validators.get(i);
    view.effective_balance = v.effectiveBalance;
    if (v.slashed) view.slashed = true;
    if (v.activationEpoch !== undefined) {
      view.activation_eligibility_epoch = v.activationEpoch;
      view.activation_epoch = v.activationEpoch;
    }
    state.balances.set(i, v.balance ?? v.effectiveBalance);
    state.previous_epoch_participation.set(i, v.previousFlags ?? 0);
  }
  state.commit();
  return CachedBeaconState.create(ctx, state, genesis.caches);
}

export const ETH = 1_000_000_000;

export function validatorBalances(cs: CachedBeaconState): number[] {
  return cs.state.balances.getAll();
}
