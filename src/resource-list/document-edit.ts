/**
 * The general editor of YAML items, on the yaml package's Document model.
 */
import { isMap, isScalar, isSeq, newMap, newSeq, type Document, type Node, type YAMLMap, type YAMLSeq } from '../yaml/nodes.js';
import { printDocument, type SequenceStyle } from '../yaml/render.js';
import { placementOf, type Edit, type Path } from './edit.js';

/**
 * The general editor: edits a yaml Document of one item and prints it. Slower than the block-text editor
 * but it understands every YAML form (flow style, anchors, odd indentation); comments travel with their nodes.
 */
export function editWithDocument(doc: Document, edits: readonly Edit[], style: SequenceStyle): string {
  for (const edit of edits) applyToNode(doc, doc.contents, edit);
  return printDocument(doc, style);
}

function mapAt(doc: Document, root: unknown, path: Path): YAMLMap {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (typeof seg === 'number') {
      if (!isSeq(node)) throw new Error(`no sequence at ${path.slice(0, i).join('.')}`);
      node = node.items[seg];
      continue;
    }
    if (!isMap(node)) throw new Error(`no mapping at ${path.slice(0, i).join('.')}`);
    let next: unknown = node.get(seg, true);
    if (next === undefined || next === null || (isScalar(next) && next.value === null)) {
      next = newMap();
      setOrdered(doc, node, seg, next as YAMLMap, undefined);
    }
    node = next;
  }
  if (!isMap(node)) throw new Error(`no mapping at ${path.join('.')}`);
  return node;
}

function setOrdered(doc: Document, map: YAMLMap, key: string, value: Node, hint: readonly string[] | undefined): void {
  const before = placementOf(key, hint);
  if (map.has(key) || !before) {
    map.set(key, value);
    return;
  }
  const pair = doc.createPair(key, value);
  const at = map.items.findIndex((p) => before.includes(String((p.key as { value?: unknown } | null)?.value ?? p.key)));
  if (at < 0) map.items.push(pair);
  else map.items.splice(at, 0, pair);
}

function seqAt(doc: Document, root: unknown, path: Path, create: boolean, before?: readonly string[]): YAMLSeq {
  const parent = mapAt(doc, root, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  const existing = parent.get(key, true);
  if (isSeq(existing)) {
    // An empty flow sequence (`[]`) that gets entries reads better in block style.
    if (existing.items.length === 0) existing.flow = false;
    return existing;
  }
  if (!create) throw new Error(`no sequence at ${path.join('.')}`);
  const seq = newSeq();
  setOrdered(doc, parent, key, seq, before);
  return seq;
}

/** Applies one edit to the item whose root node is `root`, inside `doc`. */
export function applyToNode(doc: Document, root: unknown, edit: Edit): void {
  switch (edit.op) {
    case 'set': {
      const key = edit.path[edit.path.length - 1];
      if (typeof key === 'number') {
        const seq = seqAt(doc, root, edit.path.slice(0, -1), false);
        if (key < 0 || key >= seq.items.length) throw new Error(`no entry to replace at ${edit.path.join('.')}`);
        seq.items[key] = doc.createNode(edit.value);
        return;
      }
      const parent = mapAt(doc, root, edit.path.slice(0, -1));
      setOrdered(doc, parent, key as string, doc.createNode(edit.value), edit.before);
      return;
    }
    case 'insert':
      seqAt(doc, root, edit.path, true, edit.before).items.splice(edit.index, 0, doc.createNode(edit.value));
      return;
    case 'remove': {
      const key = edit.path[edit.path.length - 1];
      if (typeof key === 'number') {
        const seq = seqAt(doc, root, edit.path.slice(0, -1), false);
        if (key < 0 || key >= seq.items.length) throw new Error(`no entry to remove at ${edit.path.join('.')}`);
        seq.items.splice(key, 1);
        if (seq.items.length === 0) seq.flow = true;
        return;
      }
      if (!mapAt(doc, root, edit.path.slice(0, -1)).delete(key as string)) throw new Error(`no key to remove at ${edit.path.join('.')}`);
      return;
    }
    case 'move': {
      const from = seqAt(doc, root, edit.from, false);
      const [entry] = from.items.splice(edit.fromIndex, 1);
      if (from.items.length === 0) from.flow = true;
      seqAt(doc, root, edit.to, true, edit.before).items.splice(edit.toIndex, 0, entry);
      return;
    }
  }
}
