/**
 * Random SSZ values in the modes of consensus-specs' `random_value.py`: `random` (random lengths
 * up to the caps below, random content) and `lengthy` (every list at its cap). As upstream, lists
 * are capped at 10 elements and byte lists at 1000 bytes. Number-typed uint64 values (Turnstile's
 * uint64) are drawn below 2^53 so that they are exact in JavaScript; uint256 and smaller uints use
 * their full range.
 */
import {
  BitArray,
  BitListType,
  BitVectorType,
  BooleanType,
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  type Type,
  UintBigintType,
  UintNumberType,
  VectorBasicType,
  VectorCompositeType,
} from "@chainsafe/ssz";
import type { Rng } from "./random.ts";

export type RandomMode = "random" | "lengthy";

export const MAX_LIST_LENGTH = 10;
export const MAX_BYTES_LENGTH = 1000;

function length(rng: Rng, limit: number, cap: number, mode: RandomMode): number {
  const max = Math.min(limit, cap);
  return mode === "lengthy" ? max : rng.int(max + 1);
}

export function randomValue(type: Type<unknown>, rng: Rng, mode: RandomMode): unknown {
  if (type instanceof BooleanType) return rng.bool();
  if (type instanceof UintNumberType) return type.byteLength >= 7 ? rng.bits(53) : rng.bits(type.byteLength * 8);
  if (type instanceof UintBigintType) return rng.bigint(type.byteLength);
  if (type instanceof ByteVectorType) return rng.bytes(type.lengthBytes);
  if (type instanceof ByteListType) return rng.bytes(length(rng, type.limitBytes, MAX_BYTES_LENGTH, mode));
  if (type instanceof BitVectorType) {
    return BitArray.fromBoolArray(Array.from({ length: type.lengthBits }, () => rng.bool()));
  }
  if (type instanceof BitListType) {
    const n = length(rng, type.limitBits, MAX_LIST_LENGTH, mode);
    return BitArray.fromBoolArray(Array.from({ length: n }, () => rng.bool()));
  }
  if (type instanceof ListBasicType || type instanceof ListCompositeType) {
    const n = length(rng, type.limit, MAX_LIST_LENGTH, mode);
    return Array.from({ length: n }, () => randomValue(type.elementType, rng, mode));
  }
  if (type instanceof VectorBasicType || type instanceof VectorCompositeType) {
    return Array.from({ length: type.length }, () => randomValue(type.elementType, rng, mode));
  }
  if (type instanceof ContainerType) {
    const value: Record<string, unknown> = {};
    for (const [name, fieldType] of Object.entries(type.fields as Record<string, Type<unknown>>)) {
      value[name] = randomValue(fieldType, rng, mode);
    }
    return value;
  }
  throw new Error(`randomValue: unsupported SSZ type ${type.typeName}`);
}
