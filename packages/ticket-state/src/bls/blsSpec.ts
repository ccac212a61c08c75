/**
 * The BLS operations of the IETF BLS signature draft (proof-of-possession ciphersuite) and of the
 * consensus specs, over plain byte arrays, named as the specs name them. Thin wrappers over
 * @chainsafe/blst that apply the specs' input validation explicitly, so that the conformance
 * vectors can check our behaviour on invalid inputs rather than the library's defaults:
 * - public keys must pass KeyValidate (valid encoding, in G1, not the point at infinity);
 * - signatures must decode to a G2 point in the subgroup (the point at infinity is a valid signature);
 * - secret keys must be 32 bytes encoding an integer in [1, r).
 * Functions returning a value throw a `BlsSpecError` ("BLS_INVALID_INPUT") where the spec says INVALID;
 * verification functions return false instead.
 */
import {
  aggregatePublicKeys,
  aggregateSignatures,
  aggregateVerify as blstAggregateVerify,
  verify as blstVerify,
  PublicKey,
  SecretKey,
  Signature,
  type SignatureSet,
  verifyMultipleAggregateSignatures,
} from "@chainsafe/blst";
import { TicketStateError } from "../errors/TicketStateError.ts";

export const BlsSpecErrorCode = { INVALID_INPUT: "BLS_INVALID_INPUT" } as const;
export type BlsSpecErrorCode = (typeof BlsSpecErrorCode)[keyof typeof BlsSpecErrorCode];
export class BlsSpecError extends TicketStateError<BlsSpecErrorCode> {}

export const SECRET_KEY_LENGTH = 32;
export const PUBKEY_LENGTH = 48;
export const SIGNATURE_LENGTH = 96;

export { G2_POINT_AT_INFINITY } from "../params/constants.ts";

function invalid(message: string, data: Record<string, unknown> = {}): BlsSpecError {
  return new BlsSpecError(BlsSpecErrorCode.INVALID_INPUT, message, data);
}

function isInfinityEncoding(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0xc0) return false;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** KeyValidate: decode a public key, rejecting bad encodings, points outside G1 and the point at infinity. */
function keyValidate(pubkey: Uint8Array): PublicKey | null {
  if (pubkey.length !== PUBKEY_LENGTH) return null;
  try {
    return PublicKey.fromBytes(pubkey, true);
  } catch {
    return null;
  }
}

/** signature_to_point plus the subgroup check; the point at infinity is accepted. */
function signatureToPoint(signature: Uint8Array): Signature | null {
  if (signature.length !== SIGNATURE_LENGTH) return null;
  try {
    return Signature.fromBytes(signature, true, false);
  } catch {
    return null;
  }
}

/** Whether `signature` is a valid compressed G2 point in the subgroup (infinity included). */
export function isValidSignature(signature: Uint8Array): boolean {
  return signatureToPoint(signature) !== null;
}

/** Sign(SK, message). Throws when `secretKey` is not 32 bytes encoding an integer in [1, r). */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (secretKey.length !== SECRET_KEY_LENGTH) {
    throw invalid("secret key must be 32 bytes", { length: secretKey.length });
  }
  let sk: SecretKey;
  try {
    // blst rejects 0 and values >= r
    sk = SecretKey.fromBytes(secretKey);
  } catch (e) {
    throw invalid("secret key is zero or not below the curve order", { cause: (e as Error).message });
  }
  return sk.sign(message).toBytes();
}

/** SkToPk(SK). Throws on an invalid secret key, as `sign` does. */
export function skToPk(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== SECRET_KEY_LENGTH) {
    throw invalid("secret key must be 32 bytes", { length: secretKey.length });
  }
  try {
    return SecretKey.fromBytes(secretKey).toPublicKey().toBytes();
  } catch (e) {
    throw invalid("secret key is zero or not below the curve order", { cause: (e as Error).message });
  }
}

/** KeyValidate(PK) as a predicate. */
export function isValidPubkey(pubkey: Uint8Array): boolean {
  return keyValidate(pubkey) !== null;
}

/** Verify(PK, message, signature): false on any invalid input. */
export function verify(pubkey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const pk = keyValidate(pubkey);
  const sig = signatureToPoint(signature);
  if (pk === null || sig === null) return false;
  try {
    return blstVerify(message, pk, sig, false, false);
  } catch {
    return false;
  }
}

/** Aggregate(signatures). Throws on an empty list or any signature that is not a valid G2 point. */
export function aggregate(signatures: Uint8Array[]): Uint8Array {
  if (signatures.length === 0) throw invalid("cannot aggregate an empty list of signatures");
  const points: Signature[] = [];
  for (let i = 0; i < signatures.length; i++) {
    const sig = signatureToPoint(signatures[i]);
    if (sig === null) throw invalid("signature is not a valid G2 point", { index: i });
    points.push(sig);
  }
  return aggregateSignatures(points, false).toBytes();
}

/** AggregateVerify(PKs, messages, signature) of the proof-of-possession scheme: false on any invalid input. */
export function aggregateVerify(pubkeys: Uint8Array[], messages: Uint8Array[], signature: Uint8Array): boolean {
  if (pubkeys.length === 0 || pubkeys.length !== messages.length) return false;
  const pks: PublicKey[] = [];
  for (const pubkey of pubkeys) {
    const pk = keyValidate(pubkey);
    if (pk === null) return false;
    pks.push(pk);
  }
  const sig = signatureToPoint(signature);
  if (sig === null) return false;
  try {
    return blstAggregateVerify(messages, pks, sig, false, false);
  } catch {
    return false;
  }
}

/** Sum of validated public keys; null on an empty list, an invalid key, or an aggregate at infinity. */
function aggregateValidPubkeys(pubkeys: Uint8Array[]): PublicKey | null {
  if (pubkeys.length === 0) return null;
  const pks: PublicKey[] = [];
  for (const pubkey of pubkeys) {
    const pk = keyValidate(pubkey);
    if (pk === null) return null;
    pks.push(pk);
  }
  return aggregatePublicKeys(pks, false);
}

/** FastAggregateVerify(PKs, message, signature): false on an empty key list or any invalid input. */
export function fastAggregateVerify(pubkeys: Uint8Array[], message: Uint8Array, signature: Uint8Array): boolean {
  const aggregatePk = aggregateValidPubkeys(pubkeys);
  if (aggregatePk === null) return false;
  // Verify() runs KeyValidate on the aggregate key too: a sum at infinity (e.g. P + -P) is invalid.
  if (isInfinityEncoding(aggregatePk.toBytes())) return false;
  const sig = signatureToPoint(signature);
  if (sig === null) return false;
  try {
    return blstVerify(message, aggregatePk, sig, false, false);
  } catch {
    return false;
  }
}

/**
 * The consensus specs' `eth_aggregate_pubkeys` (Altair): the sum of the keys, each of which must pass
 * KeyValidate. Throws on an empty list or an invalid key.
 */
export function ethAggregatePubkeys(pubkeys: Uint8Array[]): Uint8Array {
  if (pubkeys.length === 0) throw invalid("cannot aggregate an empty list of public keys");
  const pks: PublicKey[] = [];
  for (let i = 0; i < pubkeys.length; i++) {
    const pk = keyValidate(pubkeys[i]);
    if (pk === null) throw invalid("public key fails KeyValidate", { index: i });
    pks.push(pk);
  }
  return aggregatePublicKeys(pks, false).toBytes();
}

/**
 * The consensus specs' `eth_fast_aggregate_verify` (Altair): FastAggregateVerify, except that an
 * empty key list with the infinity signature is valid.
 */
export function ethFastAggregateVerify(pubkeys: Uint8Array[], message: Uint8Array, signature: Uint8Array): boolean {
  if (pubkeys.length === 0 && signature.length === SIGNATURE_LENGTH && isInfinityEncoding(signature)) return true;
  return fastAggregateVerify(pubkeys, message, signature);
}

/**
 * Batch verification (ethereum/bls12-381-tests `batch_verify`): true iff every
 * (pubkeys[i], messages[i], signatures[i]) is a valid signature, checked with one randomised
 * multi-pairing. False on mismatched lengths, an empty batch, or any invalid input.
 */
export function batchVerify(pubkeys: Uint8Array[], messages: Uint8Array[], signatures: Uint8Array[]): boolean {
  const n = pubkeys.length;
  if (n === 0 || messages.length !== n || signatures.length !== n) return false;
  const sets: SignatureSet[] = [];
  for (let i = 0; i < n; i++) {
    const pk = keyValidate(pubkeys[i]);
    const sig = signatureToPoint(signatures[i]);
    if (pk === null || sig === null) return false;
    sets.push({ msg: messages[i], pk, sig });
  }
  try {
    return verifyMultipleAggregateSignatures(sets, false, false);
  } catch {
    return false;
  }
}
