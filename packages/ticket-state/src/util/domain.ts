import { computeDomain } from "../bls/signingRoot.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import type { DomainType } from "../params/constants.ts";
import { toHex } from "./bytes.ts";
import { computeEpochAtSlot } from "./epoch.ts";

/** `get_domain`: the fork version in force at `epoch` (default: the state's) with this chain's genesis validators root. */
export function getDomain(cs: CachedBeaconState, domainType: DomainType, epoch?: number): Uint8Array {
  const { state } = cs;
  const e = epoch ?? computeEpochAtSlot(cs.ctx, state.slot);
  const fork = state.fork;
  const version = e < fork.epoch ? fork.previous_version : fork.current_version;
  const gvr = state.genesis_validators_root;
  const key = `${toHex(domainType)}${toHex(version)}${toHex(gvr)}`;
  let domain = cs.caches.domains.get(key);
  if (!domain) {
    domain = computeDomain(domainType, version, gvr);
    cs.caches.domains.set(key, domain);
  }
  return domain;
}
