/**
 * SSZ values ↔ the YAML form of `value.yaml` (consensus-spec-tests conventions): containers as
 * mappings with the spec's field names in field order, lists and vectors as sequences, byte
 * vectors/lists and bitfields as `0x` hex (bitlists with their length bit, as serialized),
 * integers as plain ints (a number-typed uint64 at 2^64-1 is `Infinity` in Turnstile's types).
 */
import {
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
import { bytesToHex, hexToBytes } from "./files.ts";
import { UINT64_MAX, type YamlValue } from "./yaml.ts";

type AnyType = Type<unknown>;

function fieldsOf(type: ContainerType<Record<string, AnyType>>): [string, AnyType][] {
  return Object.entries(type.fields);
}

export function sszToYaml<T>(type: Type<T>, value: T): YamlValue {
  const t = type as AnyType;
  const v = value as unknown;
  if (t instanceof BooleanType) return v as boolean;
  if (t instanceof UintNumberType) return v === Number.POSITIVE_INFINITY ? UINT64_MAX : (v as number);
  if (t instanceof UintBigintType) return v as bigint;
  if (t instanceof ByteVectorType || t instanceof ByteListType) return bytesToHex(v as Uint8Array);
  if (t instanceof BitVectorType || t instanceof BitListType) return bytesToHex(t.serialize(v as never));
  if (t instanceof ListBasicType || t instanceof ListCompositeType || t instanceof VectorBasicType || t instanceof VectorCompositeType) {
    const element = t.elementType as AnyType;
    return (v as unknown[]).map((item) => sszToYaml(element, item));
  }
  if (t instanceof ContainerType) {
    const out: Record<string, YamlValue> = {};
    const record = v as Record<string, unknown>;
    for (const [name, fieldType] of fieldsOf(t)) out[name] = sszToYaml(fieldType, record[name]);
    return out;
  }
  throw new Error(`sszToYaml: unsupported type ${t.typeName}`);
}

function integer(yaml: unknown, what: string): bigint {
  if (typeof yaml === "bigint") return yaml;
  if (typeof yaml === "number" && Number.isSafeInteger(yaml)) return BigInt(yaml);
  throw new TypeError(`${what}: expected an integer, got ${String(yaml)}`);
}

export function sszFromYaml<T>(type: Type<T>, yaml: unknown, path = "value"): T {
  const t = type as AnyType;
  const result = ((): unknown => {
    if (t instanceof BooleanType) {
      if (typeof yaml !== "boolean") throw new TypeError(`${path}: expected a boolean`);
      return yaml;
    }
    if (t instanceof UintNumberType) {
      const n = integer(yaml, path);
      if (t.byteLength === 8 && n === UINT64_MAX) return Number.POSITIVE_INFINITY;
      if (n < 0n || n >= 1n << BigInt(8 * t.byteLength) || n > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new RangeError(`${path}: ${n} is out of range for a number-typed uint${8 * t.byteLength}`);
      }
      return Number(n);
    }
    if (t instanceof UintBigintType) return integer(yaml, path);
    if (t instanceof ByteVectorType || t instanceof ByteListType) return t.deserialize(hexToBytes(yaml, path));
    if (t instanceof BitVectorType || t instanceof BitListType) return t.deserialize(hexToBytes(yaml, path));
    if (t instanceof ListBasicType || t instanceof ListCompositeType || t instanceof VectorBasicType || t instanceof VectorCompositeType) {
      if (!Array.isArray(yaml)) throw new TypeError(`${path}: expected a sequence`);
      const element = t.elementType as AnyType;
      return yaml.map((item, i) => sszFromYaml(element, item, `${path}[${i}]`));
    }
    if (t instanceof ContainerType) {
      if (yaml === null || typeof yaml !== "object" || Array.isArray(yaml)) throw new TypeError(`${path}: expected a mapping`);
      const record = yaml as Record<string, unknown>;
      const fields = fieldsOf(t);
      const unknown = Object.keys(record).filter((k) => !fields.some(([name]) => name === k));
      if (unknown.length > 0) throw new TypeError(`${path}: unknown field(s) ${unknown.join(", ")}`);
      const out: Record<string, unknown> = {};
      for (const [name, fieldType] of fields) {
        if (!(name in record)) throw new TypeError(`${path}: missing field ${name}`);
        out[name] = sszFromYaml(fieldType, record[name], `${path}.${name}`);
      }
      return out;
    }
    throw new Error(`sszFromYaml: unsupported type ${t.typeName}`);
  })();
  return result as T;
}
