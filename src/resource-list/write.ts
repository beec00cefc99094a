import { BlockText, deepEqualUnordered, Unsupported } from './block-text.js';
import { applyToNode, documentToStringOptions, editWithDocument } from './document-edit.js';
import { applyEditsToObject, type Edit } from './edit.js';
import { loadYaml, standaloneItemText, type BlockResourceList, type DocumentResourceList, type JsonResourceList, type PlainObject, type ResourceList } from './read.js';
import { renderLines } from './render.js';
import type { Result } from './results.js';

/** Edits planned per item, keyed by the item's index; an item without an entry is written as it came. */
export type ItemEdits = ReadonlyMap<number, readonly Edit[]>;

/** A planned edit that no editor could make so that the item reads back as planned: a bug, exit 2. */
export class EditError extends Error {
  override readonly name = 'EditError';
}

function expectedValue(value: PlainObject, edits: readonly Edit[]): PlainObject {
  const expected = structuredClone(value);
  applyEditsToObject(expected, edits);
  return expected;
}

/** Puts the item's `-` back where it was (or, after a full rewrite, on the first line with text). */
function restoreDash(edited: string, original: string, dashColumn: number): string {
  const lines = edited.split('\n');
  const firstOriginal = original.slice(0, original.indexOf('\n') + 1 || undefined).replace(/\n$/, '');
  let at = lines[0] === firstOriginal ? 0 : lines.findIndex((l) => l.trim() !== '');
  if (at < 0) at = 0;
  const line = lines[at]!.padEnd(dashColumn + 1, ' ');
  lines[at] = line.slice(0, dashColumn) + '-' + line.slice(dashColumn + 1);
  return lines.join('\n');
}

function editBlockItem(list: BlockResourceList, index: number, edits: readonly Edit[]): string {
  const span = list.split.items[index]!;
  const item = list.items[index]!;
  const standalone = standaloneItemText(list.text, span);
  const expected = expectedValue(item.value, edits);
  const readsAsExpected = (text: string): boolean => {
    try {
      return deepEqualUnordered(loadYaml(text, span.line + 1, `items[${index}]`, list.limits), expected);
    } catch {
      return false;
    }
  };
  let edited: string | undefined;
  try {
    const candidate = BlockText.edit(standalone, item.value, edits, list.style).text;
    if (readsAsExpected(candidate)) edited = candidate;
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
  }
  if (edited === undefined) {
    const rewritten = editWithDocument(standalone, edits, list.style);
    const pad = ' '.repeat(span.dashColumn + 2);
    const candidate = rewritten
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => (l === '' ? l : pad + l))
      .join('\n');
    if (!readsAsExpected(candidate)) throw new EditError(`items[${index}]: the edited item does not read back as planned`);
    const eol = standalone.includes('\r\n') ? '\r\n' : '\n';
    edited = candidate.replace(/\n/g, eol) + (/\r?\n$/.test(standalone) ? eol : '');
  }
  return restoreDash(edited, standalone, span.dashColumn);
}

function writeBlock(list: BlockResourceList, edits: ItemEdits, results: readonly unknown[]): string {
  const { text, split } = list;
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const [index, itemEdits] of edits) {
    if (itemEdits.length === 0) continue;
    const span = split.items[index]!;
    replacements.push({ start: span.start, end: span.end, text: editBlockItem(list, index, itemEdits) });
  }
  const previous = split.entries.find((e) => e.key === 'results');
  const writeResults = results.length > list.results.length;
  if (writeResults && previous) replacements.push({ start: previous.start, end: previous.end, text: '' });
  replacements.sort((a, b) => a.start - b.start);

  const out: string[] = [];
  let cursor = 0;
  for (const r of replacements) {
    out.push(text.slice(cursor, r.start), r.text);
    cursor = r.end;
  }
  out.push(text.slice(cursor));
  if (writeResults) {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const body = out.join('');
    const sep = body === '' || body.endsWith('\n') ? '' : eol;
    return body + sep + renderLines({ results }, 0, list.style).join(eol) + eol;
  }
  return out.join('');
}

function writeDocument(list: DocumentResourceList, edits: ItemEdits, results: readonly unknown[]): string {
  const { document } = list;
  for (const [index, itemEdits] of edits) {
    const node = list.itemNodes[index]!;
    for (const edit of itemEdits) applyToNode(document, node, edit);
    const expected = expectedValue(list.items[index]!.value, itemEdits);
    if (!deepEqualUnordered(node.toJSON(document), expected)) throw new EditError(`items[${index}]: the edited item does not read back as planned`);
  }
  if (results.length > list.results.length) document.set('results', document.createNode(results));
  return document.toString(documentToStringOptions(list.style));
}

function writeJson(list: JsonResourceList, edits: ItemEdits, results: readonly unknown[]): string {
  const root = structuredClone(list.root);
  const items = root.items as PlainObject[];
  for (const [index, itemEdits] of edits) applyEditsToObject(items[index], itemEdits);
  if (results.length > list.results.length) root.results = results;
  return JSON.stringify(root, null, 2) + '\n';
}

/** The ResourceList with the edits made and `results` appended to those that came in. */
export function writeResourceList(list: ResourceList, edits: ItemEdits, newResults: readonly Result[]): string {
  const results = [...list.results, ...newResults];
  switch (list.form) {
    case 'block':
      return writeBlock(list, edits, results);
    case 'document':
      return writeDocument(list, edits, results);
    case 'json':
      return writeJson(list, edits, results);
  }
}
