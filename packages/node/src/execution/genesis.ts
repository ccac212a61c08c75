import type { CachedBeaconState } from "@turnstile/ticket-state";

/**
 * A beacon genesis on an EVM execution layer: its latest payload is the EL's genesis block, so
 * the first commitment extends it. (The deterministic engine's genesis is written by
 * `createGenesisState`; this replaces it.)
 */
export function withExecutionGenesis(
  cs: CachedBeaconState,
  blockHash: Uint8Array,
  gasLimit: number,
): CachedBeaconState {
  cs.state.latest_block_hash = blockHash;
  cs.state.latest_payload_commitment.block_hash = blockHash;
  cs.state.latest_payload_commitment.gas_limit = gasLimit;
  cs.state.commit();
  return cs;
}
