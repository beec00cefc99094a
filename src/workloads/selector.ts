/**
 * Which workloads a config selects, and the `*` globs that selectors, presets and entrypoints use.
 */
import type { PlainObject } from '../resource-list/read.js';
import { globMatches } from './glob.js';

interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** Which workloads a config orders; each part given must match, and an omitted part matches all. */
export interface WorkloadSelector {
  readonly kinds?: readonly string[];
  readonly names?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

function matchesExpression(labels: Readonly<Record<string, string>>, e: LabelSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  switch (e.operator) {
    case 'In':
      return has && e.values.includes(labels[e.key]!);
    case 'NotIn':
      return !has || !e.values.includes(labels[e.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Labels or annotations as a map; anything else (absent, null, a list) as none. */
export function stringMap(v: unknown): Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/** The workload's namespace: its own, else the one the config says it will be applied into, if any. */
export function namespaceOf(item: PlainObject, appliedInto: string | undefined): string | undefined {
  const own = (stringMap(item.metadata) as Record<string, unknown>).namespace;
  return typeof own === 'string' && own !== '' ? own : appliedInto;
}

/**
 * metav1.LabelSelector semantics plus kinds, names (with `*` globs) and namespaces (of namespaceOf);
 * omitted parts match all.
 */
export function selects(selector: WorkloadSelector, item: PlainObject, appliedInto?: string): boolean {
  const metadata = stringMap(item.metadata) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace = namespaceOf(item, appliedInto) ?? '';
  const labels = stringMap(metadata.labels);
  if (selector.kinds && !selector.kinds.includes(String(item.kind))) return false;
  if (selector.names && !selector.names.some((g) => globMatches(g, name))) return false;
  if (selector.namespaces && !selector.namespaces.includes(namespace)) return false;
  if (selector.matchLabels && !Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v)) return false;
  if (selector.matchExpressions && !selector.matchExpressions.every((e) => matchesExpression(labels, e))) return false;
  return true;
}

/** True when the selector names this workload exactly (not by glob, label or omission). */
export function namesExactly(selector: WorkloadSelector, item: PlainObject): boolean {
  const name = (item.metadata as { name?: unknown } | undefined)?.name;
  return selector.names?.includes(String(name)) ?? false;
}
