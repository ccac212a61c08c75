export { aggregate as aggregateSignatureBytes } from "../bls/blsSpec.ts";
export { signObject } from "../produce/signObject.ts";
export { signTicketBid } from "../produce/signTicketBid.ts";
export { signPayloadCommitment, signTicketFill, signTicketOffer } from "../produce/signHolderMarket.ts";
