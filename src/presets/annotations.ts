/**
 * Merging a preset's annotation into what a pod template already says, keeping the workload's word.
 */
import { isMap } from '../yaml/nodes.js';
import { DEFAULT_LIMITS, InputError, loadValueDocument } from '../yaml/load.js';

/** What merging one preset annotation into a pod template's annotations comes to. */
export type AnnotationMerge =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'set'; readonly value: string }
  /** The workload already says otherwise: its word stands. */
  | { readonly kind: 'conflict'; readonly keys: readonly string[] }
  | { readonly kind: 'unreadable'; readonly reason: string };

function isJsonObjectText(text: string): boolean {
  return text.trimStart().startsWith('{');
}

/**
 * A preset value written as a JSON object (Istio's `proxy.istio.io/config`, a ProxyConfig in YAML or
 * JSON) is merged key by key into what the annotation holds, keeping every other key, its formatting
 * and comments; any other value is set when absent. A key the workload already sets differently is
 * left as it is.
 */
export function mergeAnnotation(wanted: string, existing: string | undefined): AnnotationMerge {
  if (existing === undefined) return { kind: 'set', value: wanted };
  if (!isJsonObjectText(wanted)) return existing === wanted ? { kind: 'unchanged' } : { kind: 'conflict', keys: [] };

  const add = JSON.parse(wanted) as Record<string, unknown>;
  if (existing.trim() === '') return { kind: 'set', value: wanted };
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(existing);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  let yaml: ReturnType<typeof loadValueDocument> | undefined;
  if (json === undefined) {
    try {
      yaml = loadValueDocument(existing, DEFAULT_LIMITS);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return { kind: 'unreadable', reason: e.message };
    }
    if (!isMap(yaml.document.contents)) return { kind: 'unreadable', reason: 'it is not a map of settings' };
  }
  const current = json ?? (yaml!.value as Record<string, unknown>);
  const conflicts = Object.keys(add).filter((k) => k in current && JSON.stringify(current[k]) !== JSON.stringify(add[k]));
  if (conflicts.length > 0) return { kind: 'conflict', keys: conflicts };
  const missing = Object.keys(add).filter((k) => !(k in current));
  if (missing.length === 0) return { kind: 'unchanged' };
  if (json) return { kind: 'set', value: JSON.stringify({ ...json, ...Object.fromEntries(missing.map((k) => [k, add[k]])) }) };
  for (const k of missing) yaml!.document.set(k, add[k]);
  return { kind: 'set', value: String(yaml!.document) };
}
