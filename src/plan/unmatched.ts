/**
 * The config's container names that no selected workload has: in a broad config each workload only
 * notes a missing name (plan/results.ts), so a misspelt sidecar would pass with nothing changed. Said
 * once for the whole list, with the nearest name that does exist.
 */
import type { OrderSpec } from '../config/order-spec.js';

export interface UnmatchedName {
  /** `sidecar` or `rule container`, as the message names it. */
  readonly role: string;
  readonly name: string;
  readonly suggestion?: string;
}

/** Levenshtein distance, by one row: names are short. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The closest of `names` to `name`, if one is close enough to be a slip of the keyboard (a third of its length). */
function nearest(name: string, names: ReadonlySet<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const candidate of names) {
    const d = distance(name, candidate);
    if (d <= Math.max(1, Math.floor(name.length / 3)) && (best === undefined || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}

/** The config's sidecars and rule containers that none of `seen` (every selected pod's container names) has. */
export function unmatchedNames(spec: OrderSpec, seen: ReadonlySet<string>): UnmatchedName[] {
  const declared = new Map<string, string>();
  for (const s of spec.sidecars) declared.set(s.name, 'sidecar');
  for (const r of spec.rules)
    for (const name of [r.container, ...r.after.map((d) => d.container)]) if (!declared.has(name)) declared.set(name, 'rule container');
  return [...declared]
    .filter(([name]) => !seen.has(name))
    .map(([name, role]) => {
      const suggestion = nearest(name, seen);
      return { role, name, ...(suggestion ? { suggestion } : {}) };
    });
}
