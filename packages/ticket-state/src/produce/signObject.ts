import type { SecretKey } from "@chainsafe/blst";
import type { Type } from "@chainsafe/ssz";
import { computeSigningRoot } from "../bls/signingRoot.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { DomainType } from "../params/constants.ts";
import { getDomain } from "../util/domain.ts";

/** Sign `value` under `domainType` at `epoch`, as the state's fork and genesis validators root define it. */
export function signObject<T>(
  cs: CachedBeaconState,
  sk: SecretKey,
  type: Type<T>,
  value: T,
  domainType: DomainType,
  epoch: number,
): Uint8Array {
  return sk.sign(computeSigningRoot(type, value, getDomain(cs, domainType, epoch))).toBytes();
}
