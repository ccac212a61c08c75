import type { Type } from "@chainsafe/ssz";
import type { DomainType } from "../params/constants.ts";
import { ForkData, SigningData } from "../types/sszTypes.ts";

/** `compute_fork_data_root`: binds a signature to a fork version and to one chain's genesis validators. */
export function computeForkDataRoot(currentVersion: Uint8Array, genesisValidatorsRoot: Uint8Array): Uint8Array {
  return ForkData.hashTreeRoot({ current_version: currentVersion, genesis_validators_root: genesisValidatorsRoot });
}

/** `compute_fork_digest`: the first 4 bytes of the fork data root (gossip topics, status). */
export function computeForkDigest(currentVersion: Uint8Array, genesisValidatorsRoot: Uint8Array): Uint8Array {
  return computeForkDataRoot(currentVersion, genesisValidatorsRoot).slice(0, 4);
}

/** `compute_domain`: domain type followed by the first 28 bytes of the fork data root. */
export function computeDomain(
  domainType: DomainType,
  forkVersion: Uint8Array,
  genesisValidatorsRoot: Uint8Array,
): Uint8Array {
  const domain = new Uint8Array(32);
  domain.set(domainType, 0);
  domain.set(computeForkDataRoot(forkVersion, genesisValidatorsRoot).subarray(0, 28), 4);
  return domain;
}

/** `compute_signing_root`: what a BLS key actually signs. */
export function computeSigningRoot<T>(type: Type<T>, value: T, domain: Uint8Array): Uint8Array {
  return computeSigningRootOfRoot(type.hashTreeRoot(value), domain);
}

/** `compute_signing_root` for an object whose root is already known. */
export function computeSigningRootOfRoot(objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  return SigningData.hashTreeRoot({ object_root: objectRoot, domain });
}
