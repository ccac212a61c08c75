import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { SpecLookupError, SpecLookupErrorCode } from "./errors.ts";

/** The vendored beacon-APIs tree (see beacon-apis/SOURCES.md). */
export const VENDORED_SPEC_DIR = fileURLToPath(new URL("./beacon-apis/", import.meta.url));
const ROOT_DOCUMENT = "beacon-node-oapi.yaml";
const JSON_MEDIA_TYPE = "application/json";
/** The spec's one custom format: 0x-prefixed hex (its `pattern`s say the length). */
const HEX_FORMAT = /^0x[0-9a-fA-F]*$/;

/** Outcome of one check: passed, failed with the first error, or could not be made (and why). */
export type Verdict = { ok: true } | { ok: false; error: string } | { ok: "n/a"; reason: string };

/** A node in one of the spec's documents: the document's URI and a JSON pointer into it. */
interface Location {
  doc: string;
  pointer: string[];
}

type Json = Record<string, unknown>;

const escapePointer = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");
const unescapePointer = (segment: string) => segment.replaceAll("~1", "/").replaceAll("~0", "~");

/**
 * The beacon-APIs OpenAPI 3.1 document, split over many YAML files joined by relative `$ref`s, loaded as is.
 * Each file is registered with Ajv under its file URL, so a `$ref` resolves the way the spec's own tooling
 * resolves it; OpenAPI 3.1 schemas are JSON Schema 2020-12 (nullability is `type: "null"` / `oneOf`, no
 * `nullable`), hence Ajv's 2020 dialect. Non-schema keywords (`example`, `description` beside `$ref`) are
 * annotations, which Ajv's non-strict mode ignores.
 */
export class BeaconApiSpec {
  private readonly docs = new Map<string, unknown>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, formats: { hex: HEX_FORMAT } });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly rootUri: string;

  /** `rootDocument`: the file in `dir` holding `paths` (another OpenAPI document, e.g. docs/api/tickets.yaml). */
  constructor(dir: string = VENDORED_SPEC_DIR, rootDocument: string = ROOT_DOCUMENT) {
    for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".yaml")) continue;
      const uri = pathToFileURL(join(dir, file)).href;
      const doc = parse(readFileSync(join(dir, file), "utf8"));
      this.docs.set(uri, doc);
      this.ajv.addSchema(doc, uri, undefined, false);
    }
    this.rootUri = pathToFileURL(join(dir, rootDocument)).href;
  }

  /** OpenAPI response objects and path items may themselves be `$ref`s (to another file): follow them. */
  private resolve(at: Location): { at: Location; value: Json | undefined } {
    for (;;) {
      let value: unknown = this.docs.get(at.doc);
      for (const key of at.pointer) value = value === undefined ? undefined : (value as Json)[key];
      const ref = (value as Json | undefined)?.$ref;
      if (typeof ref !== "string") return { at, value: value as Json | undefined };
      const target = new URL(ref, at.doc);
      const fragment = target.hash.replace(/^#\/?/, "");
      target.hash = "";
      if (!this.docs.has(target.href)) throw new SpecLookupError(SpecLookupErrorCode.UNRESOLVED_REF, ref);
      at = { doc: target.href, pointer: fragment === "" ? [] : fragment.split("/").map(unescapePointer) };
    }
  }

  private operation(method: string, path: string): Location {
    const item = this.resolve({ doc: this.rootUri, pointer: ["paths", path] });
    if (!item.value) throw new SpecLookupError(SpecLookupErrorCode.UNKNOWN_PATH, path);
    const op = this.resolve({ ...item.at, pointer: [...item.at.pointer, method.toLowerCase()] });
    if (!op.value) throw new SpecLookupError(SpecLookupErrorCode.UNKNOWN_OPERATION, `${method} ${path}`);
    return op.at;
  }

  private validator(at: Location): ValidateFunction {
    const uri = `${at.doc}#/${at.pointer.map(escapePointer).join("/")}`;
    let validate = this.validators.get(uri);
    if (!validate) {
      validate = this.ajv.compile({ $ref: uri });
      this.validators.set(uri, validate);
    }
    return validate;
  }

  /** Does the spec document this status for `method path`? */
  documentsStatus(method: string, path: string, status: number): boolean {
    const op = this.operation(method, path);
    return this.resolve({ ...op, pointer: [...op.pointer, "responses", String(status)] }).value !== undefined;
  }

  /**
   * Check one response against the spec's response object for its status: the status is documented, every
   * header the spec marks `required` is present and valid, and a JSON body matches the response schema.
   */
  checkResponse(method: string, path: string, res: { status: number; headers: Headers; body: string }): Verdict {
    const op = this.operation(method, path);
    const response = this.resolve({ ...op, pointer: [...op.pointer, "responses", String(res.status)] });
    if (!response.value) {
      const documented = Object.keys(this.resolve({ ...op, pointer: [...op.pointer, "responses"] }).value ?? {});
      return { ok: false, error: `status ${res.status} not documented (spec: ${documented.join(", ")})` };
    }
    for (const name of Object.keys((response.value.headers as Json | undefined) ?? {})) {
      const header = this.resolve({ ...response.at, pointer: [...response.at.pointer, "headers", name] });
      const value = res.headers.get(name);
      if (value === null) {
        if (header.value?.required === true) return { ok: false, error: `missing header ${name}` };
        continue;
      }
      if (header.value?.schema === undefined) continue;
      const validate = this.validator({ ...header.at, pointer: [...header.at.pointer, "schema"] });
      if (!validate(value)) return { ok: false, error: `header ${name}: ${firstError(validate.errors)}` };
    }
    const content = response.value.content as Json | undefined;
    if (content === undefined) return { ok: true };
    const contentType = res.headers.get("content-type") ?? "";
    const mediaType = Object.keys(content).find((type) => contentType.startsWith(type));
    if (mediaType === undefined) {
      return { ok: false, error: `content-type "${contentType}" (spec: ${Object.keys(content).join(", ")})` };
    }
    if (mediaType !== JSON_MEDIA_TYPE) return { ok: true };
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return { ok: false, error: "body is not JSON" };
    }
    const validate = this.validator({
      ...response.at,
      pointer: [...response.at.pointer, "content", JSON_MEDIA_TYPE, "schema"],
    });
    return validate(body) ? { ok: true } : { ok: false, error: firstError(validate.errors) };
  }

  /**
   * The `data` of the spec's example event for a topic. The spec gives events no schema, only one example
   * each (`event: <topic>\ndata: <json>`), so the example is the reference for their shape.
   */
  eventExample(topic: string): unknown {
    const op = this.operation("GET", "/eth/v1/events");
    const example = this.resolve({
      ...op,
      pointer: [...op.pointer, "responses", "200", "content", "text/event-stream", "examples", topic],
    }).value;
    const data = typeof example?.value === "string" ? /^data: (.*)$/m.exec(example.value)?.[1] : undefined;
    if (data === undefined) throw new SpecLookupError(SpecLookupErrorCode.NO_EVENT_EXAMPLE, topic);
    return JSON.parse(data);
  }
}

/** The first Ajv error, where it is and what it wanted. */
function firstError(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "invalid";
  const where = e.instancePath === "" ? "(root)" : e.instancePath;
  const extra =
    e.keyword === "enum"
      ? ` ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
      : e.keyword === "additionalProperties"
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : "";
  return `${where} ${e.message ?? e.keyword}${extra}`;
}

/** How a JSON value is spelled on the Beacon API: decimal strings and 0x-hex are distinct kinds. */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string")
    return /^\d+$/.test(value) ? "decimal" : /^0x[0-9a-fA-F]*$/.test(value) ? "hex" : "string";
  return typeof value;
}

/**
 * Compare an event's data with the spec's example: every field of the example is present with the same kind
 * (decimal string, hex string, boolean, object, …), recursively; extra fields are allowed.
 */
export function matchesExampleShape(example: unknown, actual: unknown, path = ""): Verdict {
  const [want, got] = [jsonKind(example), jsonKind(actual)];
  if (want !== got) return { ok: false, error: `${path || "(root)"} is ${got}, example has ${want}` };
  if (want === "array") {
    const [first] = example as unknown[];
    const [firstActual] = actual as unknown[];
    return first === undefined || firstActual === undefined
      ? { ok: true }
      : matchesExampleShape(first, firstActual, `${path}/0`);
  }
  if (want !== "object") return { ok: true };
  for (const [key, value] of Object.entries(example as Json)) {
    if (!(key in (actual as Json))) return { ok: false, error: `${path || "(root)"} lacks ${key}` };
    const verdict = matchesExampleShape(value, (actual as Json)[key], `${path}/${key}`);
    if (verdict.ok !== true) return verdict;
  }
  return { ok: true };
}
