import type { BeaconStateView } from "../types/index.ts";

export function increaseBalance(state: BeaconStateView, index: number, delta: number): void {
  state.balances.set(index, state.balances.get(index) + delta);
}

/** Balances floor at zero, as in the spec. */
export function decreaseBalance(state: BeaconStateView, index: number, delta: number): void {
  const balance = state.balances.get(index);
  state.balances.set(index, delta > balance ? 0 : balance - delta);
}
