/**
 * Which upstream `ssz_static` handlers (SSZ type names) are Turnstile types with the same shape in
 * the case's fork, and a bigint-uint64 "twin" of a Turnstile type for values our number-typed
 * uint64 fields cannot hold.
 */
import {
  BitListType,
  BitVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  ListUintNum64Type,
  type Type,
  UintBigintType,
  UintNumberType,
  VectorBasicType,
  VectorCompositeType,
} from "@chainsafe/ssz";
import { getSszTypes, type PresetName, presets, type SszTypes } from "@turnstile/ticket-state";

/** Consensus forks in order; a fork not listed here is reported as unknown. */
export const FORK_ORDER = ["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu", "gloas"] as const;
type ForkName = (typeof FORK_ORDER)[number];

/** The upstream forks in which an upstream type of this name has exactly Turnstile's shape. */
interface SameShape {
  from: ForkName;
  /** Last fork with the same shape (inclusive); open-ended when absent. */
  until?: ForkName;
}

const SAME_SHAPE: Partial<Record<keyof SszTypes, SameShape>> = {
  Fork: { from: "phase0" },
  ForkData: { from: "phase0" },
  Checkpoint: { from: "phase0" },
  SigningData: { from: "phase0" },
  Validator: { from: "phase0" },
  AttestationData: { from: "phase0" },
  BeaconBlockHeader: { from: "phase0" },
  SignedBeaconBlockHeader: { from: "phase0" },
  ProposerSlashing: { from: "phase0" },
  VoluntaryExit: { from: "phase0" },
  SignedVoluntaryExit: { from: "phase0" },
  // Electra's multi-committee attestations
  IndexedAttestation: { from: "electra" },
  AttesterSlashing: { from: "electra" },
  Attestation: { from: "electra" },
  SingleAttestation: { from: "electra" },
  // Bellatrix's execution payload (Capella adds withdrawals)
  ExecutionPayload: { from: "bellatrix", until: "bellatrix" },
  // Gloas (EIP-7732) payload-timeliness committee
  PayloadAttestationData: { from: "gloas" },
  PayloadAttestationMessage: { from: "gloas" },
  PayloadAttestation: { from: "gloas" },
  IndexedPayloadAttestation: { from: "gloas" },
};

export type StaticTypeResolution = { kind: "type"; type: Type<unknown> } | { kind: "skip"; reason: string };

/** Resolve upstream `ssz_static/<handler>` in `<preset>/<fork>` to the Turnstile type to check, or why not. */
export function resolveStaticType(preset: string, fork: string, handler: string): StaticTypeResolution {
  if (!Object.hasOwn(presets, preset)) return { kind: "skip", reason: `preset "${preset}" is not a Turnstile preset` };
  const types = getSszTypes(presets[preset as PresetName]) as unknown as Record<string, Type<unknown>>;
  if (!Object.hasOwn(types, handler)) return { kind: "skip", reason: "not a Turnstile type" };
  const shape = SAME_SHAPE[handler as keyof SszTypes];
  if (shape === undefined) {
    return { kind: "skip", reason: `Turnstile's ${handler} has a different shape from any upstream ${handler}` };
  }
  const forkIndex = FORK_ORDER.indexOf(fork as ForkName);
  if (forkIndex < 0) return { kind: "skip", reason: `fork "${fork}" is unknown to this runner` };
  const from = FORK_ORDER.indexOf(shape.from);
  const until = shape.until === undefined ? FORK_ORDER.length - 1 : FORK_ORDER.indexOf(shape.until);
  if (forkIndex < from || forkIndex > until) {
    const range = shape.until === undefined ? `${shape.from}+` : `${shape.from}..${shape.until}`;
    return { kind: "skip", reason: `Turnstile's ${handler} has the ${range} shape, not ${fork}'s` };
  }
  return { kind: "type", type: types[handler] };
}

/**
 * The same SSZ shape with every number-typed uint64 replaced by a bigint-typed one (identical
 * encoding and hashing, full 64-bit range). Returns `type` itself when it has no such field.
 */
export function withBigintUint64(type: Type<unknown>): Type<unknown> {
  if (type instanceof UintNumberType) return type.byteLength === 8 ? new UintBigintType(8) : type;
  if (type instanceof BitListType || type instanceof BitVectorType) return type;
  if (type instanceof ContainerType) {
    const fields: Record<string, Type<unknown>> = {};
    let changed = false;
    for (const [name, fieldType] of Object.entries(type.fields as Record<string, Type<unknown>>)) {
      fields[name] = withBigintUint64(fieldType);
      if (fields[name] !== fieldType) changed = true;
    }
    return changed ? new ContainerType(fields, { typeName: `${type.typeName}Bigint`, jsonCase: "eth2" }) : type;
  }
  if (type instanceof ListUintNum64Type) return new ListBasicType(new UintBigintType(8), type.limit);
  if (type instanceof ListBasicType) {
    const elem = withBigintUint64(type.elementType);
    return elem === type.elementType ? type : new ListBasicType(elem as UintBigintType, type.limit);
  }
  if (type instanceof VectorBasicType) {
    const elem = withBigintUint64(type.elementType);
    return elem === type.elementType ? type : new VectorBasicType(elem as UintBigintType, type.length);
  }
  if (type instanceof ListCompositeType) {
    const elem = withBigintUint64(type.elementType);
    return elem === type.elementType ? type : new ListCompositeType(elem as ContainerType<never>, type.limit);
  }
  if (type instanceof VectorCompositeType) {
    const elem = withBigintUint64(type.elementType);
    return elem === type.elementType ? type : new VectorCompositeType(elem as ContainerType<never>, type.length);
  }
  return type;
}
