/**
 * Reading the files of a vector case: YAML (integers as bigint, so that uint64 values above 2^53
 * survive parsing), hex strings, and raw (block-format) snappy-compressed SSZ.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import SnappyJS from "snappyjs";
import { parse } from "yaml";

/** Parse a YAML file with every integer as a bigint (YAML ints in the vectors may exceed 2^53). */
export function readYaml(file: string): unknown {
  return parse(readFileSync(file, "utf8"), { intAsBigInt: true });
}

/** `readYaml(dir/name)` when the file exists, else undefined. */
export function readOptionalYaml(dir: string, name: string): unknown {
  const file = path.join(dir, name);
  return existsSync(file) ? readYaml(file) : undefined;
}

/** Decompress a snappy block-format (not framed) buffer. */
export function snappyUncompress(compressed: Uint8Array): Uint8Array {
  // snappyjs returns the same kind of buffer it is given; hand it a plain Uint8Array (not a Buffer).
  return SnappyJS.uncompress(new Uint8Array(compressed));
}

/** Read and decompress `<name>.ssz_snappy`. */
export function readSszSnappy(file: string): Uint8Array {
  return snappyUncompress(readFileSync(file));
}

export function hexToBytes(hex: unknown): Uint8Array {
  if (typeof hex !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(hex)) {
    throw new TypeError(`expected a 0x-prefixed hex string, got ${String(hex)}`);
  }
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}

export function bytesToHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/**
 * Turn a YAML value into the JSON form @chainsafe/ssz's `fromJson` reads: integers as decimal
 * strings, everything else unchanged. Strings are kept as they are (hex is already `0x…`).
 */
export function yamlToSszJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString(10);
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(yamlToSszJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = yamlToSszJson(v);
    return out;
  }
  return value;
}

/** Lowercase every hex string, so JSON from the vectors compares equal to `toJson` output. */
export function normalizeHex(value: unknown): unknown {
  if (typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
  if (Array.isArray(value)) return value.map(normalizeHex);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeHex(v);
    return out;
  }
  return value;
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${what}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${what}: expected a sequence`);
  return value;
}

/** A YAML integer (bigint after `readYaml`) as a safe JS number. */
export function asSafeNumber(value: unknown, what: string): number {
  const n = typeof value === "bigint" ? value : typeof value === "number" ? BigInt(value) : undefined;
  if (n === undefined || n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TypeError(`${what}: expected a non-negative safe integer, got ${String(value)}`);
  }
  return Number(n);
}
