/**
 * Fields of an answer that its OpenAPI schema does not name. Schemas stay open, as the beacon-APIs rule says
 * (clients ignore fields added later), so Ajv passes an extra field; this finds them, so that a field the node
 * starts to send gets documented too. Understands what tickets.yaml uses: local `$ref`, `allOf`, `properties`,
 * `items`.
 */

type Json = Record<string, unknown>;

function resolveLocal(doc: Json, schema: Json): Json {
  let at = schema;
  while (typeof at.$ref === "string") {
    if (!at.$ref.startsWith("#/")) throw new Error(`only local $refs are followed: ${at.$ref}`);
    let target: unknown = doc;
    for (const key of at.$ref.slice(2).split("/")) target = (target as Json | undefined)?.[key];
    if (target === undefined) throw new Error(`unresolved $ref ${at.$ref}`);
    at = target as Json;
  }
  return at;
}

/** Every `properties` and `items` the schema allows, through `$ref` and `allOf`. */
function collect(doc: Json, schema: Json): { properties: Map<string, Json[]>; items: Json[] } {
  const s = resolveLocal(doc, schema);
  const properties = new Map<string, Json[]>();
  const items: Json[] = [];
  for (const [name, sub] of Object.entries((s.properties as Json | undefined) ?? {})) {
    properties.set(name, [...(properties.get(name) ?? []), sub as Json]);
  }
  if (s.items !== undefined) items.push(s.items as Json);
  for (const part of (s.allOf as Json[] | undefined) ?? []) {
    const inner = collect(doc, part);
    for (const [name, subs] of inner.properties) properties.set(name, [...(properties.get(name) ?? []), ...subs]);
    items.push(...inner.items);
  }
  return { properties, items };
}

/** JSON-pointer paths of the fields in `value` that `schema` (inside `doc`) does not name. */
export function undocumentedFields(doc: Json, schema: Json, value: unknown, path = ""): string[] {
  const { properties, items } = collect(doc, schema);
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => items.flatMap((item) => undocumentedFields(doc, item, v, `${path}/${i}`)));
  }
  if (value === null || typeof value !== "object") return [];
  const found: string[] = [];
  for (const [key, sub] of Object.entries(value as Json)) {
    const subs = properties.get(key);
    if (subs === undefined) found.push(`${path}/${key}`);
    else found.push(...subs.flatMap((s) => undocumentedFields(doc, s, sub, `${path}/${key}`)));
  }
  return [...new Set(found)];
}
