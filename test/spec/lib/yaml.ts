/**
 * A small deterministic YAML emitter for vector files, and the matching reader.
 *
 * The emitter writes a fixed subset: mappings in insertion order (block style), sequences of
 * scalars in flow style (`[1, 2]`, as upstream's generators do), sequences of mappings/sequences in
 * block style, integers as plain decimals (bigint allowed; `Infinity` is uint64 max), strings in
 * single quotes. Its output never depends on a library version, so regenerated vectors are
 * byte-identical. Files are read back with the `yaml` package, integers as bigint.
 */
import { parse } from "yaml";

export const UINT64_MAX = 18446744073709551615n;

export type YamlValue = number | bigint | boolean | string | null | YamlValue[] | { [key: string]: YamlValue };

type Scalar = number | bigint | boolean | string | null;

function isScalar(v: YamlValue): v is Scalar {
  return v === null || typeof v !== "object";
}

function scalar(v: YamlValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString(10);
  if (typeof v === "number") {
    if (v === Number.POSITIVE_INFINITY) return UINT64_MAX.toString(10);
    if (!Number.isSafeInteger(v)) throw new Error(`YAML emitter: ${v} is not an integer in the safe range`);
    return v.toString(10);
  }
  if (typeof v === "string") return `'${v.replaceAll("'", "''")}'`;
  throw new Error("YAML emitter: not a scalar");
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : scalar(k);
}

function emit(v: YamlValue, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isScalar(item)) {
        out.push(`${indent}- ${scalar(item)}`);
      } else if (Array.isArray(item)) {
        if (item.every(isScalar)) out.push(`${indent}- [${item.map(scalar).join(", ")}]`);
        else if (item.length === 0) out.push(`${indent}- []`);
        else {
          out.push(`${indent}-`);
          emit(item, `${indent}  `, out);
        }
      } else {
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        if (lines.length === 0) out.push(`${indent}- {}`);
        else out.push(`${indent}- ${lines[0].slice(indent.length + 2)}`, ...lines.slice(1));
      }
    }
    return;
  }
  if (v === null || typeof v !== "object") throw new Error("YAML emitter: top level must be a mapping or sequence");
  for (const [k, item] of Object.entries(v)) {
    if (isScalar(item)) out.push(`${indent}${key(k)}: ${scalar(item)}`);
    else if (Array.isArray(item) && item.every(isScalar)) out.push(`${indent}${key(k)}: [${item.map(scalar).join(", ")}]`);
    else if (!Array.isArray(item) && Object.keys(item).length === 0) out.push(`${indent}${key(k)}: {}`);
    else {
      out.push(`${indent}${key(k)}:`);
      emit(item, Array.isArray(item) ? indent : `${indent}  `, out);
    }
  }
}

/** YAML text for a mapping, a sequence, or (for `slots.yaml`) a single scalar. */
export function toYaml(value: YamlValue): string {
  if (isScalar(value)) return `${scalar(value)}\n`;
  if (Array.isArray(value) && value.length === 0) return "[]\n";
  const out: string[] = [];
  emit(value, "", out);
  return `${out.join("\n")}\n`;
}

/** Parse YAML with every integer as a bigint (uint64 values above 2^53 survive). */
export function parseYaml(text: string): unknown {
  return parse(text, { intAsBigInt: true });
}
