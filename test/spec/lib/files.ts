/** Reading and writing the parts of a vector case: snappy-compressed SSZ and YAML. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Type } from "@chainsafe/ssz";
import SnappyJS from "snappyjs";
import { parseYaml, toYaml, type YamlValue } from "./yaml.ts";

/** Snappy block (raw, unframed) compression, as consensus-spec-tests' `.ssz_snappy` files use. */
export function snappyCompress(bytes: Uint8Array): Uint8Array {
  return SnappyJS.compress(new Uint8Array(bytes));
}

export function snappyUncompress(bytes: Uint8Array): Uint8Array {
  return SnappyJS.uncompress(new Uint8Array(bytes));
}

/** The files of one case, by name; built in memory by the generator, then written or compared. */
export class CaseFiles {
  readonly files = new Map<string, Uint8Array>();

  ssz<T>(name: string, type: Type<T>, value: T): this {
    return this.sszBytes(name, type.serialize(value));
  }

  sszBytes(name: string, bytes: Uint8Array): this {
    this.files.set(`${name}.ssz_snappy`, snappyCompress(bytes));
    return this;
  }

  yaml(name: string, value: YamlValue): this {
    this.files.set(`${name}.yaml`, new TextEncoder().encode(toYaml(value)));
    return this;
  }
}

/** Read access to a case directory. */
export class CaseDir {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  has(file: string): boolean {
    return existsSync(path.join(this.dir, file));
  }

  ssz(name: string): Uint8Array {
    return snappyUncompress(readFileSync(path.join(this.dir, `${name}.ssz_snappy`)));
  }

  hasSsz(name: string): boolean {
    return this.has(`${name}.ssz_snappy`);
  }

  decode<T>(name: string, type: Type<T>): T {
    return type.deserialize(this.ssz(name));
  }

  yaml(name: string): unknown {
    return parseYaml(readFileSync(path.join(this.dir, `${name}.yaml`), "utf8"));
  }

  optionalYaml(name: string): unknown {
    return this.has(`${name}.yaml`) ? this.yaml(name) : undefined;
  }

  /** `meta.yaml` as a record (empty when the case has none). */
  meta(): Record<string, unknown> {
    const meta = this.optionalYaml("meta");
    return meta === undefined || meta === null ? {} : asRecord(meta, "meta.yaml");
  }
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

/** A YAML integer (bigint once parsed) as a JS number: uint64 max becomes Infinity, others must be below 2^53. */
export function asUint(value: unknown, what: string): number {
  const n = typeof value === "bigint" ? value : typeof value === "number" ? BigInt(value) : undefined;
  if (n === 18446744073709551615n) return Number.POSITIVE_INFINITY;
  if (n === undefined || n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TypeError(`${what}: expected a uint64 below 2^53 (or 2^64-1), got ${String(value)}`);
  }
  return Number(n);
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new TypeError(`${what}: expected a string`);
  return value;
}

export function asBool(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${what}: expected a boolean`);
  return value;
}

export function hexToBytes(hex: unknown, what = "hex"): Uint8Array {
  if (typeof hex !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(hex)) {
    throw new TypeError(`${what}: expected a 0x-prefixed hex string, got ${String(hex)}`);
  }
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}

export function bytesToHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}
