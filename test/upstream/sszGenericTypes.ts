/**
 * The SSZ types of the `ssz_generic` vectors, built with @chainsafe/ssz from the case name
 * (`<type>_<extra>`; see test/upstream/FORMAT.md "ssz_generic").
 */
import {
  BitListType,
  BitVectorType,
  BooleanType,
  ByteListType,
  ContainerType,
  ListBasicType,
  type Type,
  UintBigintType,
  UintNumberType,
  VectorBasicType,
  VectorCompositeType,
} from "@chainsafe/ssz";

const bool = new BooleanType();
const byte = new UintNumberType(1);
const uint8 = new UintNumberType(1);
const uint16 = new UintNumberType(2);
const uint32 = new UintNumberType(4);
// 64 bits and wider as bigint: vector values use the full range.
const uint64 = new UintBigintType(8);

/** uintN as used in the vectors: number-backed up to 32 bits, bigint-backed from 64 bits. */
function uintType(bits: number): Type<unknown> {
  switch (bits) {
    case 8:
      return uint8;
    case 16:
      return uint16;
    case 32:
      return uint32;
    case 64:
      return uint64;
    case 128:
      return new UintBigintType(16);
    case 256:
      return new UintBigintType(32);
    default:
      throw new Error(`unsupported uint size ${bits}`);
  }
}

const SingleFieldTestStruct = new ContainerType({ A: byte }, { typeName: "SingleFieldTestStruct" });
const SmallTestStruct = new ContainerType({ A: uint16, B: uint16 }, { typeName: "SmallTestStruct" });
const FixedTestStruct = new ContainerType({ A: uint8, B: uint64, C: uint32 }, { typeName: "FixedTestStruct" });
const VarTestStruct = new ContainerType(
  { A: uint16, B: new ListBasicType(uint16, 1024), C: uint8 },
  { typeName: "VarTestStruct" },
);
const ComplexTestStruct = new ContainerType(
  {
    A: uint16,
    B: new ListBasicType(uint16, 128),
    C: uint8,
    D: new ByteListType(256),
    E: VarTestStruct,
    F: new VectorCompositeType(FixedTestStruct, 4),
    G: new VectorCompositeType(VarTestStruct, 2),
  },
  { typeName: "ComplexTestStruct" },
);
const BitsStruct = new ContainerType(
  {
    A: new BitListType(5),
    B: new BitVectorType(2),
    C: new BitVectorType(1),
    D: new BitListType(6),
    E: new BitVectorType(8),
  },
  { typeName: "BitsStruct" },
);

const containers: Record<string, Type<unknown>> = {
  SingleFieldTestStruct,
  SmallTestStruct,
  FixedTestStruct,
  VarTestStruct,
  ComplexTestStruct,
  BitsStruct,
};

/** Bitlist limits tried for the `bitlist_no_delimiter_*` cases, whose name carries no limit. */
export const NO_DELIMITER_BITLIST_LIMITS = [1, 2, 8, 32, 512, 4096];

export type GenericTypeResolution =
  /** The type(s) the case's bytes are to be read as (several when the name leaves a parameter open). */
  | { kind: "types"; types: { label: string; type: Type<unknown> }[] }
  /** The name describes a type SSZ forbids (e.g. a zero-length vector): nothing can decode as it. */
  | { kind: "illegal"; label: string; reason: string }
  /** The name is not understood by this runner. */
  | { kind: "unknown"; reason: string };

/** Build a type via `make`; a constructor error means the named type is illegal in SSZ. */
function build(label: string, make: () => Type<unknown>): GenericTypeResolution {
  try {
    return { kind: "types", types: [{ label, type: make() }] };
  } catch (e) {
    return { kind: "illegal", label, reason: (e as Error).message };
  }
}

/** Resolve the type of an ssz_generic case from its handler and case name. */
export function resolveGenericType(handler: string, caseName: string): GenericTypeResolution {
  switch (handler) {
    case "boolean":
      return { kind: "types", types: [{ label: "boolean", type: bool }] };
    case "uints": {
      const m = /^uint_(8|16|32|64|128|256)(?:_|$)/.exec(caseName);
      if (m === null) break;
      const bits = Number(m[1]);
      return build(`uint${bits}`, () => uintType(bits));
    }
    case "basic_vector": {
      const m = /^vec_(bool|uint(?:8|16|32|64|128|256))_(\d+)(?:_|$)/.exec(caseName);
      if (m === null) break;
      const [, elem, len] = m;
      const elemType = elem === "bool" ? bool : uintType(Number(elem.slice(4)));
      return build(`Vector[${elem}, ${len}]`, () => new VectorBasicType(elemType as BooleanType, Number(len)));
    }
    case "bitvector": {
      const m = /^bitvec_(\d+)(?:_|$)/.exec(caseName);
      if (m === null) break;
      return build(`Bitvector[${m[1]}]`, () => new BitVectorType(Number(m[1])));
    }
    case "bitlist": {
      if (/^bitlist_no_delimiter(?:_|$)/.test(caseName)) {
        return {
          kind: "types",
          types: NO_DELIMITER_BITLIST_LIMITS.map((limit) => ({
            label: `Bitlist[${limit}]`,
            type: new BitListType(limit),
          })),
        };
      }
      const m = /^bitlist_(\d+)(?:_|$)/.exec(caseName);
      if (m === null) break;
      return build(`Bitlist[${m[1]}]`, () => new BitListType(Number(m[1])));
    }
    case "containers": {
      const m = /^([A-Za-z]+)(?:_|$)/.exec(caseName);
      const type = m === null ? undefined : containers[m[1]];
      if (type === undefined) break;
      return { kind: "types", types: [{ label: m![1], type }] };
    }
    default:
      return { kind: "unknown", reason: `ssz_generic handler "${handler}" is not known to this runner` };
  }
  return { kind: "unknown", reason: `cannot derive an SSZ type from case name "${caseName}" (handler ${handler})` };
}
