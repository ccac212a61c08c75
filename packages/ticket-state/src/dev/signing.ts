export { aggregate as aggregateSignatureBytes } from "../bls/blsSpec.ts";
export { signPayloadCommitment, signTicketFill, signTicketOffer } from "../produce/signHolderMarket.ts";
export { signObject, signTicketSellBack } from "../produce/signObject.ts";
export { signTicketBid } from "../produce/signTicketBid.ts";
