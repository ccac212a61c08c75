import type { SecretKey } from "@chainsafe/blst";
import { G2_POINT_AT_INFINITY } from "@turnstile/ticket-state";
import type { DevChain } from "@turnstile/ticket-state/dev";

/** What DevChain and block production use of a secret key: `sign(root).toBytes()`. */
const UNSIGNED_KEY = {
  sign: () => ({ toBytes: () => G2_POINT_AT_INFINITY }),
} as unknown as SecretKey;

/**
 * With verification off (`--no-signatures`), swap the chain's interop keys for a stand-in whose
 * every signature is the point at infinity: nothing checks them, and signing (a third of a
 * millisecond each, ~15 a slot) was over half of a lab slot's cost. Genesis already holds the real
 * public keys; the state transition is unchanged. Never call this on a chain that verifies.
 */
export function stopSigning(chain: DevChain): void {
  chain.validatorKeys.fill(UNSIGNED_KEY);
  chain.buyerKeys.fill(UNSIGNED_KEY);
}
