import { fromHex, toHex } from "@turnstile/ticket-state";
import { SlashingProtectionError, SlashingProtectionErrorCode } from "./slashingProtectionErrors.ts";

/**
 * EIP-3076 slashing-protection interchange format, version 5: what one validator client hands
 * another so that the keys it moves cannot be made to sign something slashable.
 */
export const INTERCHANGE_FORMAT_VERSION = "5";

const PUBKEY_BYTES = 48;
const ROOT_BYTES = 32;

export interface InterchangeBlock {
  slot: number;
  /** Absent when the signer did not keep it: then no re-signing at that slot is allowed. */
  signingRoot?: Uint8Array;
}

export interface InterchangeAttestation {
  sourceEpoch: number;
  targetEpoch: number;
  signingRoot?: Uint8Array;
}

export interface InterchangeValidator {
  pubkey: Uint8Array;
  signedBlocks: InterchangeBlock[];
  signedAttestations: InterchangeAttestation[];
}

export interface Interchange {
  genesisValidatorsRoot: Uint8Array;
  data: InterchangeValidator[];
}

/** The JSON of an interchange file: every number a decimal string, every byte string 0x-hex. */
export interface InterchangeJson {
  metadata: { interchange_format_version: string; genesis_validators_root: string };
  data: {
    pubkey: string;
    signed_blocks: { slot: string; signing_root?: string }[];
    signed_attestations: { source_epoch: string; target_epoch: string; signing_root?: string }[];
  }[];
}

function invalid(message: string, data: Record<string, unknown> = {}): SlashingProtectionError {
  return new SlashingProtectionError(SlashingProtectionErrorCode.INVALID_INTERCHANGE, message, data);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A uint64 as a decimal string; this node's slots and epochs stay within the safe integers. */
function parseUint(value: unknown, field: string): number {
  if (typeof value !== "string" || !/^\d+$/.test(value)) throw invalid(`${field} is not a decimal string`, { field });
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw invalid(`${field} is too large`, { field, value });
  return n;
}

function parseBytes(value: unknown, length: number, field: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]*$/.test(value) || value.length !== 2 + 2 * length) {
    throw invalid(`${field} is not 0x-hex of ${length} bytes`, { field });
  }
  return fromHex(value);
}

function parseArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(`${field} is not a list`, { field });
  return value;
}

/** Parse and check a whole interchange file before anything is imported from it. */
export function parseInterchange(json: unknown): Interchange {
  if (!isObject(json) || !isObject(json.metadata)) throw invalid("no metadata");
  const version = json.metadata.interchange_format_version;
  if (version !== INTERCHANGE_FORMAT_VERSION) {
    throw new SlashingProtectionError(
      SlashingProtectionErrorCode.UNSUPPORTED_INTERCHANGE_VERSION,
      `interchange format version ${String(version)}, expected ${INTERCHANGE_FORMAT_VERSION}`,
      { version },
    );
  }
  const genesisValidatorsRoot = parseBytes(
    json.metadata.genesis_validators_root,
    ROOT_BYTES,
    "metadata.genesis_validators_root",
  );
  const data = parseArray(json.data, "data").map((entry, i): InterchangeValidator => {
    if (!isObject(entry)) throw invalid(`data[${i}] is not an object`);
    const at = `data[${i}]`;
    return {
      pubkey: parseBytes(entry.pubkey, PUBKEY_BYTES, `${at}.pubkey`),
      signedBlocks: parseArray(entry.signed_blocks, `${at}.signed_blocks`).map((b, j) => {
        if (!isObject(b)) throw invalid(`${at}.signed_blocks[${j}] is not an object`);
        const field = `${at}.signed_blocks[${j}]`;
        return {
          slot: parseUint(b.slot, `${field}.slot`),
          ...(b.signing_root === undefined
            ? {}
            : { signingRoot: parseBytes(b.signing_root, ROOT_BYTES, `${field}.signing_root`) }),
        };
      }),
      signedAttestations: parseArray(entry.signed_attestations, `${at}.signed_attestations`).map((a, j) => {
        if (!isObject(a)) throw invalid(`${at}.signed_attestations[${j}] is not an object`);
        const field = `${at}.signed_attestations[${j}]`;
        return {
          sourceEpoch: parseUint(a.source_epoch, `${field}.source_epoch`),
          targetEpoch: parseUint(a.target_epoch, `${field}.target_epoch`),
          ...(a.signing_root === undefined
            ? {}
            : { signingRoot: parseBytes(a.signing_root, ROOT_BYTES, `${field}.signing_root`) }),
        };
      }),
    };
  });
  return { genesisValidatorsRoot, data };
}

/** The interchange as the JSON EIP-3076 specifies. */
export function formatInterchange(interchange: Interchange): InterchangeJson {
  return {
    metadata: {
      interchange_format_version: INTERCHANGE_FORMAT_VERSION,
      genesis_validators_root: toHex(interchange.genesisValidatorsRoot),
    },
    data: interchange.data.map((v) => ({
      pubkey: toHex(v.pubkey),
      signed_blocks: v.signedBlocks.map((b) => ({
        slot: String(b.slot),
        ...(b.signingRoot ? { signing_root: toHex(b.signingRoot) } : {}),
      })),
      signed_attestations: v.signedAttestations.map((a) => ({
        source_epoch: String(a.sourceEpoch),
        target_epoch: String(a.targetEpoch),
        ...(a.signingRoot ? { signing_root: toHex(a.signingRoot) } : {}),
      })),
    })),
  };
}
