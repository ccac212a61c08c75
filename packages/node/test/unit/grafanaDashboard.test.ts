import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { NodeMetrics } from "../../src/metrics/metrics.ts";

const DASHBOARD = new URL("../../../../docker/grafana/dashboards/turnstile.json", import.meta.url);
const DATASOURCES = new URL("../../../../docker/grafana/provisioning/datasources/prometheus.yaml", import.meta.url);
/** PromQL words that are not metric names: aggregation modifiers, set and vector-matching keywords. */
const PROMQL_KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
]);
/** Series a histogram exports beside its name. */
const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"];

interface Panel {
  title?: string;
  datasource?: { uid?: string };
  targets?: { expr: string }[];
  panels?: Panel[];
}

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or strings. */
export function promqlMetricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "") // label values
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "") // label lists
    .replace(/\[[^\]]*\]/g, ""); // ranges
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith("(") || PROMQL_KEYWORDS.has(m[0])) continue;
    // The exponent of a number like 1e9
    if (m.index > 0 && /[0-9.]/.test(bare[m.index - 1])) continue;
    names.push(m[0]);
  }
  return names;
}

function panels(list: Panel[]): Panel[] {
  return list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
}

describe("Grafana dashboard", () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: Panel[] };
  const queried = panels(dashboard.panels).filter((p) => p.targets !== undefined);

  it("reads only metrics the node exports", async () => {
    const metrics = new NodeMetrics();
    const exported = new Set<string>();
    for (const { name, type } of await metrics.registry.getMetricsAsJSON()) {
      exported.add(name);
      if (String(type) === "histogram") for (const s of HISTOGRAM_SUFFIXES) exported.add(`${name}${s}`);
    }
    const unknown = queried.flatMap((p) =>
      p.targets!.flatMap((t) =>
        promqlMetricNames(t.expr)
          .filter((n) => !exported.has(n))
          .map((n) => `${p.title}: ${n}`),
      ),
    );
    assert.ok(queried.length > 10, "the dashboard has its panels");
    assert.deepEqual(unknown, []);
  });

  it("queries the provisioned Prometheus datasource", () => {
    const uid = /uid:\s*(\S+)/.exec(readFileSync(DATASOURCES, "utf8"))?.[1];
    assert.ok(uid);
    for (const p of queried) assert.equal(p.datasource?.uid, uid, p.title);
  });

  it("extracts metric names from PromQL", () => {
    assert.deepEqual(
      promqlMetricNames(
        'histogram_quantile(0.95, sum by (instance, le) (rate(a_seconds_bucket{x="b c"}[5m]))) / b_gwei * 1e9 and on(job) c',
      ),
      ["a_seconds_bucket", "b_gwei", "c"],
    );
  });
});
