/**
 * Edits are data: the planner says what to change, and each representation of an item (plain object,
 * block text, yaml Document) applies the same list. Paths are relative to the item root; a number is a
 * sequence index. Each edit sees the item as the previous edits left it.
 */
import { hasMergedKeys, keepMergedKeys, mergedKeys } from '../yaml/merge.js';
import { fieldPath } from '../diagnostic.js';

type PathSegment = string | number;
export type Path = readonly PathSegment[];

export type Edit =
  /** Set a mapping key, creating missing mappings on the way, or replace a sequence entry (a number
   * last). `before` names sibling keys a person would put the new key in front of (only used when the
   * key is new). */
  | { readonly op: 'set'; readonly path: Path; readonly value: unknown; readonly before?: readonly string[] }
  /** Insert into the sequence at `path`, creating it (with `before`, as for set) when absent. */
  | { readonly op: 'insert'; readonly path: Path; readonly index: number; readonly value: unknown; readonly before?: readonly string[] }
  /** Remove a mapping key, or a sequence entry (a number last): what an earlier run wrote and this one no longer needs. */
  | { readonly op: 'remove'; readonly path: Path }
  /** Move a sequence entry with its text and comments to another sequence, creating that one when absent. */
  | {
      readonly op: 'move';
      readonly from: Path;
      readonly fromIndex: number;
      readonly to: Path;
      readonly toIndex: number;
      readonly before?: readonly string[];
    };

type Json = unknown;

/** Keys people write ahead of certain siblings; a new key goes in front of the first of these. */
const WRITTEN_BEFORE: Readonly<Record<string, readonly string[]>> = {
  metadata: ['spec', 'data', 'template'],
  labels: ['annotations'],
  initContainers: ['containers'],
};

/** Where a new key goes: the edit's own hint, else where a person would put it, else last. */
export function placementOf(key: string, before: readonly string[] | undefined): readonly string[] | undefined {
  return before ?? WRITTEN_BEFORE[key];
}
type Container = Record<string, Json> | Json[];

/**
 * A deep copy of parsed YAML or JSON data (objects, arrays, scalars). structuredClone does the same
 * an order of magnitude slower, and the writer copies every edited item.
 */
export function cloneData<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneData) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, cloneData((value as Record<string, unknown>)[key]));
  keepMergedKeys(value, copy);
  return copy as T;
}

/**
 * Where the first of `edits` would go below a key that a YAML merge key gave the item (yaml/merge.ts):
 * the text holds only the `<<`, so writing such a key out would replace the merged value, not change it.
 * A set may replace a merged key itself: the key it writes wins over the merge, as it should.
 */
export function editBelowMergedKey(root: unknown, edits: readonly Edit[]): Path | undefined {
  if (!hasMergedKeys(root)) return undefined;
  const current = cloneData(root) as Json;
  // Where each mapping was before the edits moved it: the field is named where the user wrote it.
  const origin = new WeakMap<object, Path>();
  const note = (node: unknown, path: Path): void => {
    if (node === null || typeof node !== 'object') return;
    origin.set(node, path);
    for (const [k, v] of Object.entries(node)) note(v, [...path, Array.isArray(node) ? Number(k) : k]);
  };
  note(current, []);
  for (const edit of edits) {
    const reached = edit.op === 'move' ? [edit.from, edit.to] : [edit.op === 'set' ? edit.path.slice(0, -1) : edit.path];
    for (const path of reached) {
      let node: unknown = current;
      for (let i = 0; i < path.length; i++) {
        const seg = path[i]!;
        if (typeof seg === 'string' && mergedKeys(node).includes(seg)) return [...(origin.get(node as object) ?? path.slice(0, i)), seg];
        node = node === null || typeof node !== 'object' ? undefined : (node as Record<string | number, unknown>)[seg];
      }
    }
    applyEditsToObject(current, [edit]);
  }
  return undefined;
}

/**
 * Sets a key of parsed data as its own property, whatever its name: `__proto__` is a valid key (a
 * ConfigMap's, an annotation's) that an assignment would take for the object's prototype, and drop.
 */
function setOwn(map: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty is several times slower than an assignment, and every edited item is copied key by key.
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

/**
 * Whether two parsed values hold the same data. Every edited item is checked with it against
 * applyEditsToObject's result. Key order is not compared: it means nothing in YAML, and each editor
 * places keys its own way. A string of `a` that `standIns` holds stands for that value (read-back.ts),
 * and is noted in `used`.
 */
export function sameData(a: unknown, b: unknown, standIns?: ReadonlyMap<string, unknown>, used?: Set<string>): boolean {
  if (standIns !== undefined && typeof a === 'string' && standIns.has(a)) {
    used?.add(a);
    return sameData(standIns.get(a), b);
  }
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameData(v, b[i], standIns, used));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameData((a as Record<string, unknown>)[k], rb[k], standIns, used));
}

/** The value at `path`, or undefined where the path leaves the data. */
export function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

function isMap(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walks `path`, creating mappings for missing string segments when `create` is set. */
function walk(root: Json, path: Path, create: boolean): Container | undefined {
  let node: Json = root;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg < 0 || seg >= node.length) return undefined;
      node = node[seg];
    } else {
      if (!isMap(node)) return undefined;
      if (node[seg] === undefined || node[seg] === null) {
        if (!create) return undefined;
        setOrdered(node, seg, {}, undefined);
      }
      node = node[seg];
    }
  }
  return isMap(node) || Array.isArray(node) ? node : undefined;
}

function setOrdered(map: Record<string, Json>, key: string, value: Json, hint: readonly string[] | undefined): void {
  const before = placementOf(key, hint);
  if (Object.hasOwn(map, key) || !before) {
    setOwn(map, key, value);
    return;
  }
  const anchor = Object.keys(map).find((k) => before.includes(k));
  if (anchor === undefined) {
    setOwn(map, key, value);
    return;
  }
  const entries = Object.entries(map);
  for (const k of Object.keys(map)) delete map[k];
  for (const [k, v] of entries) {
    if (k === anchor) setOwn(map, key, value);
    setOwn(map, k, v);
  }
}

function sequenceAt(root: Json, path: Path, create: boolean, before?: readonly string[]): Json[] {
  const parent = walk(root, path.slice(0, -1), create);
  const key = path[path.length - 1];
  if (!isMap(parent) || typeof key !== 'string') throw new Error(`no mapping to hold ${fieldPath(path)}`);
  const existing = parent[key];
  if (Array.isArray(existing)) return existing;
  if (existing !== undefined && existing !== null) throw new Error(`${fieldPath(path)} is not a sequence`);
  if (!create) throw new Error(`no sequence at ${fieldPath(path)}`);
  const seq: Json[] = [];
  setOrdered(parent, key, seq, before);
  return seq;
}

/** Applies edits to a plain object in place; the reference result the text edits are checked against. */
export function applyEditsToObject(root: Json, edits: readonly Edit[]): void {
  for (const edit of edits) {
    switch (edit.op) {
      case 'set': {
        const key = edit.path[edit.path.length - 1];
        if (typeof key === 'number') {
          const seq = walk(root, edit.path.slice(0, -1), false);
          if (!Array.isArray(seq) || key < 0 || key >= seq.length) throw new Error(`no entry to replace at ${fieldPath(edit.path)}`);
          seq[key] = cloneData(edit.value);
          break;
        }
        const parent = walk(root, edit.path.slice(0, -1), true);
        if (!isMap(parent) || key === undefined) throw new Error(`cannot set ${fieldPath(edit.path)}`);
        setOrdered(parent, key, cloneData(edit.value), edit.before);
        break;
      }
      case 'insert': {
        const seq = sequenceAt(root, edit.path, true, edit.before);
        seq.splice(edit.index, 0, cloneData(edit.value));
        break;
      }
      case 'remove': {
        const key = edit.path[edit.path.length - 1];
        const parent = walk(root, edit.path.slice(0, -1), false);
        if (typeof key === 'number') {
          if (!Array.isArray(parent) || key < 0 || key >= parent.length) throw new Error(`no entry to remove at ${fieldPath(edit.path)}`);
          parent.splice(key, 1);
          break;
        }
        if (!isMap(parent) || key === undefined || !(key in parent)) throw new Error(`no key to remove at ${fieldPath(edit.path)}`);
        delete parent[key];
        break;
      }
      case 'move': {
        const from = sequenceAt(root, edit.from, false);
        if (edit.fromIndex < 0 || edit.fromIndex >= from.length) throw new Error(`no entry ${edit.fromIndex} in ${fieldPath(edit.from)}`);
        const [entry] = from.splice(edit.fromIndex, 1);
        sequenceAt(root, edit.to, true, edit.before).splice(edit.toIndex, 0, entry);
        break;
      }
    }
  }
}
