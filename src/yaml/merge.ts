/**
 * YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`), read as the tools that read the function's output
 * read them: kubectl and kustomize (go-yaml, YAML 1.1) give a mapping the keys of the merged ones that
 * it does not set itself, the first merged mapping winning over later ones. The parsers here read YAML
 * 1.2, where `<<` is an ordinary key, so the data is resolved after parsing, and each mapping that got
 * keys from a merge remembers which (mergedKeys), since an edit below such a key cannot be written
 * faithfully: the text holds only the `<<`.
 */

const MERGE_KEY = '<<';
const MERGED = Symbol('keys from a YAML merge key');
/** Set on every mapping that holds, at any depth, a mapping with MERGED keys. */
const ANY_MERGED = Symbol('some keys from a YAML merge key');

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The data with every merge key resolved; the same value when `text` (the source it was read from,
 * when known) has no `<<` at all, so that the common case costs nothing. A `<<` whose value is not a
 * mapping or a list of mappings is kept as an ordinary key: go-yaml refuses it, and the API server will say so.
 */
export function resolveMerges<T>(value: T, text?: string): T {
  if (text !== undefined && !text.includes(MERGE_KEY)) return value;
  return resolve(value, { count: 0 }) as T;
}

/** Whether some mapping in `root`, data resolveMerges answered, got keys from a merge key: only then can an edit meet one. */
export function hasMergedKeys(root: unknown): boolean {
  return isMapping(root) && (root as { [ANY_MERGED]?: boolean })[ANY_MERGED] === true;
}

/** Gives `copy` the merged keys of `original`, for a copy of data that must still know them. */
export function keepMergedKeys(original: unknown, copy: Mapping): void {
  const keys = mergedKeys(original);
  if (keys.length > 0) Object.defineProperty(copy, MERGED, { value: keys, enumerable: false });
}

function resolve(value: unknown, merges: { count: number }): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, merges));
  if (!isMapping(value)) return value;
  const before = merges.count;
  const merged = value[MERGE_KEY];
  const sources = Array.isArray(merged) ? merged : [merged];
  const mergeable = Object.hasOwn(value, MERGE_KEY) && sources.every(isMapping);
  const out: Mapping = {};
  const fromMerge: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (mergeable && key === MERGE_KEY) continue;
    Object.defineProperty(out, key, { value: resolve(v, merges), writable: true, enumerable: true, configurable: true });
  }
  if (mergeable) {
    for (const source of sources as Mapping[]) {
      for (const [key, v] of Object.entries(resolve(source, merges) as Mapping)) {
        if (Object.hasOwn(out, key)) continue;
        Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
        fromMerge.push(key);
      }
    }
    Object.defineProperty(out, MERGED, { value: fromMerge, enumerable: false });
    if (fromMerge.length > 0) merges.count += 1;
  }
  // Every mapping above a merge knows of it, a list's root as well as each of its items.
  if (merges.count > before) Object.defineProperty(out, ANY_MERGED, { value: true, enumerable: false });
  return out;
}

/** The keys of `mapping` that came from a merge key, not from its own text. */
export function mergedKeys(mapping: unknown): readonly string[] {
  return isMapping(mapping) ? ((mapping as { [MERGED]?: string[] })[MERGED] ?? []) : [];
}
