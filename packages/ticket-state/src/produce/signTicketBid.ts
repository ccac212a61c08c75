import type { SecretKey } from "@chainsafe/blst";
import type { CachedBeaconState } from "../cache/cachedBeaconState.ts";
import { DOMAIN_TICKET_BID } from "../params/constants.ts";
import type { SignedTicketBid, TicketBid } from "../types/index.ts";
import { TicketBid as TicketBidType } from "../types/sszTypes.ts";
import { signObject } from "./signObject.ts";

/** A ticket auction bid signed by the buyer's key under `DOMAIN_TICKET_BID` (like a purchase's, the domain takes no epoch). */
export function signTicketBid(cs: CachedBeaconState, sk: SecretKey, bid: TicketBid): SignedTicketBid {
  return { message: bid, signature: signObject(cs, sk, TicketBidType, bid, DOMAIN_TICKET_BID, 0) };
}
