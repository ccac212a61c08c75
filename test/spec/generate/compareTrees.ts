/** Byte-for-byte comparison of two vector trees. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk("");
  return out.sort();
}

export interface TreeDiff {
  differing: string[];
  missing: string[];
  extra: string[];
}

/** `missing`: in `expected` (freshly generated) but not in `actual` (committed); `extra`: the reverse. */
export function compareTrees(
  expected: string,
  actual: string,
  filter: (rel: string) => boolean = () => true,
): TreeDiff {
  const want = listFiles(expected).filter(filter);
  const have = new Set(listFiles(actual).filter(filter));
  const diff: TreeDiff = { differing: [], missing: [], extra: [] };
  for (const rel of want) {
    if (!have.has(rel)) diff.missing.push(rel);
    else if (!readFileSync(path.join(expected, rel)).equals(readFileSync(path.join(actual, rel))))
      diff.differing.push(rel);
    have.delete(rel);
  }
  diff.extra = [...have];
  return diff;
}

export function describeDiff(diff: TreeDiff, limit = 20): string[] {
  const lines: string[] = [];
  for (const [label, files] of [
    ["differing", diff.differing],
    ["missing (generated, not committed)", diff.missing],
    ["extra (committed, not generated)", diff.extra],
  ] as const) {
    if (files.length === 0) continue;
    lines.push(`${files.length} ${label}:`);
    for (const f of files.slice(0, limit)) lines.push(`  ${f}`);
    if (files.length > limit) lines.push(`  … and ${files.length - limit} more`);
  }
  return lines;
}
