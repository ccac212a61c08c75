export { aggregate as aggregateSignatureBytes } from "../bls/blsSpec.ts";
export { signObject } from "../produce/signObject.ts";
