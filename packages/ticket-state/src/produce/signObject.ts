import type { SecretKey } from "@chainsafe/blst";
import type { Type } from "@chainsafe/ssz";
import { computeSigningRoot } from "../bls/signingRoot.ts";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_TICKET_SELL_BACK, type DomainType } from "../params/constants.ts";
import type { SignedTicketSellBack, TicketSellBack } from "../types/index.ts";
import { TicketSellBack as TicketSellBackType } from "../types/sszTypes.ts";
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

/** A ticket owner's sell-back of a pooled ticket to the bonding curve (DOMAIN_TICKET_SELL_BACK). */
export function signTicketSellBack(
  cs: CachedBeaconState,
  sk: SecretKey,
  message: TicketSellBack,
  epoch: number,
): SignedTicketSellBack {
  return { message, signature: signObject(cs, sk, TicketSellBackType, message, DOMAIN_TICKET_SELL_BACK, epoch) };
}
